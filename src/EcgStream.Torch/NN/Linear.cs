using EcgStream.Torch.Modules;
using static EcgStream.Torch.torch;

namespace EcgStream.Torch.Modules
{
    /// <summary>y = x·Wᵀ + b, with W [out_features, in_features] (PyTorch's layout and initialisation).</summary>
    public sealed class Linear : nn.Module<Tensor, Tensor>
    {
        public Linear(long in_features, long out_features, bool hasBias = true, ScalarType dtype = ScalarType.Float32) : base(nameof(Linear))
        {
            if (in_features <= 0 || out_features <= 0)
                throw new ArgumentOutOfRangeException(nameof(in_features), $"Linear({in_features}, {out_features}): sizes must be positive");
            in_features_ = in_features;
            out_features_ = out_features;
            weight = new Parameter(nn.init.default_weight_uniform_(zeros([out_features, in_features], dtype)));
            register_parameter(nameof(weight), weight);
            if (hasBias)
            {
                var bound = 1.0 / Math.Sqrt(in_features);
                bias = new Parameter(nn.init.uniform_(zeros([out_features], dtype), -bound, bound));
            }
            register_parameter(nameof(bias), bias);
        }

        private readonly long in_features_;
        private readonly long out_features_;

        public Parameter weight { get; }
        public Parameter? bias { get; }
        public long in_features => in_features_;
        public long out_features => out_features_;

        public override Tensor forward(Tensor input) => nn.functional.linear(input, weight, bias);
    }
}

namespace EcgStream.Torch
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static Linear Linear(long in_features, long out_features, bool hasBias = true, ScalarType dtype = ScalarType.Float32) =>
                new(in_features, out_features, hasBias, dtype);
        }
    }
}
