using TorchSharp;
using static TorchSharp.torch;

namespace EcgStream.Training.Modules;

/// <summary>
/// Multi-head self-attention over batch-first sequences [B, T, E] with PyTorch's
/// nn.MultiheadAttention parameter names and initialisation (in_proj_weight [3E, E] Glorot-uniform,
/// zero in-projection bias, out_proj with zero bias), so state dicts written by PyTorch or by our
/// earlier binding load unchanged. The product runs through libtorch's fused
/// scaled_dot_product_attention. Keys where <c>key_padding_mask</c> [B, T] is true are ignored; a
/// query whose keys are all masked gets NaN, as in PyTorch: keep at least one key per row.
/// </summary>
public sealed class SelfAttention : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly long _embedDim;
    private readonly long _heads;
    private readonly double _dropout;

    public SelfAttention(long embedDim, long heads, double dropout = 0) : base(nameof(SelfAttention))
    {
        if (embedDim <= 0 || heads <= 0 || embedDim % heads != 0)
            throw new ArgumentException($"embed_dim {embedDim} must be a positive multiple of num_heads {heads}", nameof(heads));
        if (dropout is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "dropout probability must be in [0, 1]");
        (_embedDim, _heads, _dropout) = (embedDim, heads, dropout);
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
        // SDPA's boolean mask says which keys take part (the opposite of a padding mask).
        var allowed = key_padding_mask?.logical_not().reshape(b, 1, 1, t);
        var context = nn.functional.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], allowed,
            p: training ? _dropout : 0.0);                                                      // [B, H, T, Dh]
        return scope.MoveToOuter(out_proj.forward(context.transpose(1, 2).reshape(b, t, _embedDim)));
    }
}
