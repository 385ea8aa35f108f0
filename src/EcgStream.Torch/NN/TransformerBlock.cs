using EcgStream.Torch.Modules;
using static EcgStream.Torch.torch;

namespace EcgStream.Torch.Modules
{
    /// <summary>
    /// A pre-norm transformer block (as in ViT / ST-MEM):
    /// x + attn(norm1(x)), then + fc2(drop(gelu(fc1(norm2(x))))), MLP hidden size = mlp_ratio·dim.
    /// </summary>
    public sealed class TransformerBlock : nn.Module<Tensor, Tensor?, Tensor>
    {
        public TransformerBlock(long dim, long num_heads, double mlp_ratio = 4, double dropout = 0, double eps = 1e-5, ScalarType dtype = ScalarType.Float32)
            : base(nameof(TransformerBlock))
        {
            var hidden = (long)Math.Round(dim * mlp_ratio);
            if (hidden <= 0) throw new ArgumentOutOfRangeException(nameof(mlp_ratio), mlp_ratio, "the MLP needs a positive hidden size");
            norm1 = new LayerNorm([dim], eps, true, dtype);
            attn = new MultiheadAttention(dim, num_heads, dropout, true, dtype);
            norm2 = new LayerNorm([dim], eps, true, dtype);
            fc1 = new Linear(dim, hidden, true, dtype);
            fc2 = new Linear(hidden, dim, true, dtype);
            drop = new Dropout(dropout);
            register_module(nameof(norm1), norm1);
            register_module(nameof(attn), attn);
            register_module(nameof(norm2), norm2);
            register_module(nameof(fc1), fc1);
            register_module(nameof(fc2), fc2);
            register_module(nameof(drop), drop);
        }

        public LayerNorm norm1 { get; }
        public MultiheadAttention attn { get; }
        public LayerNorm norm2 { get; }
        public Linear fc1 { get; }
        public Linear fc2 { get; }
        public Dropout drop { get; }

        /// <summary>x [B, T, dim]; key_padding_mask [B, T] bool (true = ignore that token as a key) or null.</summary>
        public override Tensor forward(Tensor x, Tensor? key_padding_mask)
        {
            using var scope = NewDisposeScope();
            var h = x + drop.forward(attn.forward(norm1.forward(x), key_padding_mask));
            var m = fc2.forward(drop.forward(nn.functional.gelu(fc1.forward(norm2.forward(h)))));
            return scope.MoveToOuter(h + drop.forward(m));
        }
    }
}

namespace EcgStream.Torch
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static TransformerBlock TransformerBlock(long dim, long num_heads, double mlp_ratio = 4, double dropout = 0, double eps = 1e-5, ScalarType dtype = ScalarType.Float32) =>
                new(dim, num_heads, mlp_ratio, dropout, eps, dtype);
        }
    }
}
