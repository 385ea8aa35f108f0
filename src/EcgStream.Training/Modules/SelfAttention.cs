using TorchSharp;
using static TorchSharp.torch;

namespace EcgStream.Training.Modules;

/// <summary>How <see cref="SelfAttention"/> computes softmax(q·kᵀ/√d)·v.</summary>
public enum AttentionKernel
{
    /// <summary>libtorch's scaled_dot_product_attention (fused kernels where libtorch has them).</summary>
    Fused,
    /// <summary>matmul, masked_fill, softmax, matmul: the formula written out (for comparison in benchmarks).</summary>
    Explicit,
}

/// <summary>
/// Multi-head self-attention over batch-first sequences [B, T, E] with PyTorch's
/// nn.MultiheadAttention parameter names and initialisation (in_proj_weight [3E, E] Glorot-uniform,
/// zero in-projection bias, out_proj with zero bias), so state dicts written by PyTorch or by our
/// earlier binding load unchanged. By default the product runs through libtorch's
/// scaled_dot_product_attention (<see cref="AttentionKernel"/>; `bench train-step --attention` compares). Keys where <c>key_padding_mask</c> [B, T] is true are ignored; a
/// query whose keys are all masked gets NaN, as in PyTorch: keep at least one key per row.
/// </summary>
public sealed class SelfAttention : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly long _embedDim;
    private readonly long _heads;
    private readonly double _dropout;
    private readonly AttentionKernel _kernel;

    public SelfAttention(long embedDim, long heads, double dropout = 0, AttentionKernel kernel = AttentionKernel.Fused) : base(nameof(SelfAttention))
    {
        if (embedDim <= 0 || heads <= 0 || embedDim % heads != 0)
            throw new ArgumentException($"embed_dim {embedDim} must be a positive multiple of num_heads {heads}", nameof(heads));
        if (dropout is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "dropout probability must be in [0, 1]");
        (_embedDim, _heads, _dropout, _kernel) = (embedDim, heads, dropout, kernel);
        in_proj_weight = nn.Parameter(nn.init.xavier_uniform_(empty(3 * embedDim, embedDim)));
        in_proj_bias = nn.Parameter(zeros(3 * embedDim));
        out_proj = nn.Linear(embedDim, embedDim);
        nn.init.zeros_(out_proj.bias!);
        register_parameter(nameof(in_proj_weight), in_proj_weight);
        register_parameter(nameof(in_proj_bias), in_proj_bias);
        register_module(nameof(out_proj), out_proj);
    }

    public readonly TorchSharp.Modules.Parameter in_proj_weight;
    public readonly TorchSharp.Modules.Parameter in_proj_bias;
    public readonly TorchSharp.Modules.Linear out_proj;

    /// <summary>x [B, T, E]; key_padding_mask [B, T] bool (true = ignore that token as a key) or null.</summary>
    public override Tensor forward(Tensor x, Tensor? key_padding_mask)
    {
        var shape = x.shape;
        if (shape.Length != 3 || shape[2] != _embedDim)
            throw new ArgumentException($"self-attention expects [batch, tokens, {_embedDim}], got [{string.Join(", ", shape)}]", nameof(x));
        long b = shape[0], t = shape[1], dh = _embedDim / _heads;

        using var scope = NewDisposeScope();
        // [B, T, 3E] -> [3, B, H, T, Dh]: one GEMM for q, k and v.
        var qkv = nn.functional.linear(x, in_proj_weight, in_proj_bias).reshape(b, t, 3, _heads, dh).permute(2, 0, 3, 1, 4);
        var context = _kernel == AttentionKernel.Fused ? Fused(qkv, key_padding_mask, b, t) : Explicit(qkv, key_padding_mask, b, t);   // [B, H, T, Dh]
        return scope.MoveToOuter(out_proj.forward(context.transpose(1, 2).reshape(b, t, _embedDim)));
    }

    private Tensor Fused(Tensor qkv, Tensor? keyPaddingMask, long b, long t)
    {
        // SDPA's boolean mask says which keys take part (the opposite of a padding mask).
        var allowed = keyPaddingMask?.logical_not().reshape(b, 1, 1, t);
        return nn.functional.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], allowed, p: training ? _dropout : 0.0);
    }

    private Tensor Explicit(Tensor qkv, Tensor? keyPaddingMask, long b, long t)
    {
        var q = qkv[0] * (1.0 / Math.Sqrt(_embedDim / _heads));
        var scores = q.matmul(qkv[1].transpose(-2, -1));                                      // [B, H, T, T]
        if (keyPaddingMask is not null) scores = scores.masked_fill(keyPaddingMask.reshape(b, 1, 1, t), double.NegativeInfinity);
        var weights = scores.softmax(-1);
        if (_dropout > 0 && training) weights = nn.functional.dropout(weights, _dropout, training: true);
        return weights.matmul(qkv[2]);
    }
}
