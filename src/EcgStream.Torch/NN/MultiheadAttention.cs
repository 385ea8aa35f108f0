using EcgStream.Torch.Modules;
using static EcgStream.Torch.torch;

namespace EcgStream.Torch.Modules
{
    /// <summary>
    /// Multi-head self-attention over batch-first sequences [B, T, E], with PyTorch's parameter
    /// names and initialisation (in_proj_weight [3E, E] Glorot-uniform, zero in-projection bias,
    /// out_proj). Key positions where <c>key_padding_mask</c> [B, T] is true are ignored. A
    /// query whose keys are all masked gets NaN, as in PyTorch: keep at least one key per row.
    /// </summary>
    public sealed class MultiheadAttention : nn.Module<Tensor, Tensor?, Tensor>
    {
        private readonly long _embedDim;
        private readonly long _heads;
        private readonly double _dropout;

        public MultiheadAttention(long embed_dim, long num_heads, double dropout = 0, bool bias = true, ScalarType dtype = ScalarType.Float32)
            : base(nameof(MultiheadAttention))
        {
            if (embed_dim <= 0 || num_heads <= 0 || embed_dim % num_heads != 0)
                throw new ArgumentException($"embed_dim {embed_dim} must be a positive multiple of num_heads {num_heads}", nameof(num_heads));
            if (dropout is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "dropout probability must be in [0, 1]");
            _embedDim = embed_dim;
            _heads = num_heads;
            _dropout = dropout;
            in_proj_weight = new Parameter(nn.init.xavier_uniform_(zeros([3 * embed_dim, embed_dim], dtype)));
            register_parameter(nameof(in_proj_weight), in_proj_weight);
            if (bias) in_proj_bias = new Parameter(zeros([3 * embed_dim], dtype));
            register_parameter(nameof(in_proj_bias), in_proj_bias);
            out_proj = new Linear(embed_dim, embed_dim, bias, dtype);
            if (out_proj.bias is { } ob) nn.init.zeros_(ob);
            register_module(nameof(out_proj), out_proj);
        }

        public Parameter in_proj_weight { get; }
        public Parameter? in_proj_bias { get; }
        public Linear out_proj { get; }

        public override Tensor forward(Tensor x, Tensor? key_padding_mask)
        {
            var shape = x.shape;
            if (shape.Length != 3 || shape[2] != _embedDim)
                throw new ArgumentException($"self-attention expects [batch, tokens, {_embedDim}], got [{string.Join(", ", shape)}]", nameof(x));
            long b = shape[0], t = shape[1], dh = _embedDim / _heads;

            using var scope = NewDisposeScope();
            // [B, T, 3E] -> [3, B, H, T, Dh]: one GEMM for q, k and v.
            var qkv = nn.functional.linear(x, in_proj_weight, in_proj_bias).reshape(b, t, 3, _heads, dh).permute(2, 0, 3, 1, 4);
            var q = qkv.select(0, 0) * (1.0 / Math.Sqrt(dh));
            var k = qkv.select(0, 1);
            var v = qkv.select(0, 2);
            var scores = q.matmul(k.transpose(-2, -1));   // [B, H, T, T]
            if (key_padding_mask is not null)
                scores = scores.masked_fill(key_padding_mask.reshape(b, 1, 1, t), double.NegativeInfinity);
            var attn = scores.softmax(-1);
            if (_dropout > 0 && training) attn = nn.functional.dropout(attn, _dropout, training: true);
            var context = attn.matmul(v).transpose(1, 2).reshape(b, t, _embedDim);
            return scope.MoveToOuter(out_proj.forward(context));
        }
    }
}

namespace EcgStream.Torch
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static MultiheadAttention MultiheadAttention(long embed_dim, long num_heads, double dropout = 0, bool bias = true, ScalarType dtype = ScalarType.Float32) =>
                new(embed_dim, num_heads, dropout, bias, dtype);
        }
    }
}
