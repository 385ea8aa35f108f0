using EcgStream.Torch.Modules;
using static EcgStream.Torch.torch;

namespace EcgStream.Torch.Modules
{
    /// <summary>A lookup table of <c>num_embeddings</c> rows of size <c>embedding_dim</c>, initialised N(0, 1) (padding row zero).</summary>
    public sealed class Embedding : nn.Module<Tensor, Tensor>
    {
        private readonly long _paddingIdx;

        public Embedding(long num_embeddings, long embedding_dim, long? padding_idx = null, ScalarType dtype = ScalarType.Float32)
            : base(nameof(Embedding))
        {
            if (num_embeddings <= 0 || embedding_dim <= 0)
                throw new ArgumentOutOfRangeException(nameof(num_embeddings), $"Embedding({num_embeddings}, {embedding_dim}): sizes must be positive");
            if (padding_idx is { } pi && (pi < -num_embeddings || pi >= num_embeddings))
                throw new ArgumentOutOfRangeException(nameof(padding_idx), pi, $"padding_idx must be within the {num_embeddings} embeddings");
            _paddingIdx = padding_idx is { } q ? (q < 0 ? q + num_embeddings : q) : -1;
            var w = nn.init.normal_(zeros([num_embeddings, embedding_dim], dtype));
            if (_paddingIdx >= 0)
            {
                using var row = w.select(0, _paddingIdx);
                nn.init.zeros_(row);
            }
            weight = new Parameter(w);
            register_parameter(nameof(weight), weight);
        }

        public Parameter weight { get; }

        /// <summary>Rows for int64 indices of any shape: the result has shape indices.shape + [embedding_dim].</summary>
        public override Tensor forward(Tensor input) => nn.functional.embedding(input, weight, _paddingIdx);
    }
}

namespace EcgStream.Torch
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static Embedding Embedding(long num_embeddings, long embedding_dim, long? padding_idx = null, ScalarType dtype = ScalarType.Float32) =>
                new(num_embeddings, embedding_dim, padding_idx, dtype);
        }
    }
}
