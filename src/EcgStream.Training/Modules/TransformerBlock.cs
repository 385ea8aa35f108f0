using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EcgStream.Training.Modules;

/// <summary>
/// A pre-norm transformer block (as in ViT / ST-MEM):
/// x + attn(norm1(x)), then + fc2(drop(gelu(fc1(norm2(x))))), MLP hidden size = mlpRatio·dim.
/// Parameter names (norm1, attn.in_proj_weight, fc1, …) are the state-dict names of our safetensors files.
/// Our modules hold parameters, buffers and submodules in fields named as registered: TorchSharp's
/// module.to(dtype/device) swaps them by reflection over fields (a property's backing field would
/// re-register under "&lt;name&gt;k__BackingField" and a get-only property cannot be set).
/// </summary>
public sealed class TransformerBlock : nn.Module<Tensor, Tensor?, Tensor>
{
    public TransformerBlock(long dim, long heads, double mlpRatio = 4, double dropout = 0, double eps = 1e-5, AttentionKernel attention = AttentionKernel.Fused)
        : base(nameof(TransformerBlock))
    {
        var hidden = (long)Math.Round(dim * mlpRatio);
        if (hidden <= 0) throw new ArgumentOutOfRangeException(nameof(mlpRatio), mlpRatio, "the MLP needs a positive hidden size");
        norm1 = nn.LayerNorm(dim, eps);
        attn = new SelfAttention(dim, heads, dropout, attention);
        norm2 = nn.LayerNorm(dim, eps);
        fc1 = nn.Linear(dim, hidden);
        fc2 = nn.Linear(hidden, dim);
        drop = nn.Dropout(dropout);
        register_module(nameof(norm1), norm1);
        register_module(nameof(attn), attn);
        register_module(nameof(norm2), norm2);
        register_module(nameof(fc1), fc1);
        register_module(nameof(fc2), fc2);
        register_module(nameof(drop), drop);
    }

    public readonly LayerNorm norm1;
    public readonly SelfAttention attn;
    public readonly LayerNorm norm2;
    public readonly Linear fc1;
    public readonly Linear fc2;
    public readonly Dropout drop;

    /// <summary>x [B, T, dim]; key_padding_mask [B, T] bool (true = ignore that token as a key) or null.</summary>
    public override Tensor forward(Tensor x, Tensor? key_padding_mask)
    {
        using var scope = NewDisposeScope();
        var h = x + drop.forward(attn.forward(norm1.forward(x), key_padding_mask));
        var m = fc2.forward(drop.forward(nn.functional.gelu(fc1.forward(norm2.forward(h)))));
        return scope.MoveToOuter(h + drop.forward(m));
    }
}
