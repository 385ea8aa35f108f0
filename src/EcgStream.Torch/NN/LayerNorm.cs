using EcgStream.Torch.Modules;
using static EcgStream.Torch.torch;

namespace EcgStream.Torch.Modules
{
    /// <summary>Layer normalisation over the trailing dimensions given by the normalised shape, with an affine weight and bias.</summary>
    public sealed class LayerNorm : nn.Module<Tensor, Tensor>
    {
        private readonly int _ndim;
        private readonly double _eps;

        public LayerNorm(long[] normalized_shape, double eps = 1e-5, bool elementwise_affine = true, ScalarType dtype = ScalarType.Float32)
            : base(nameof(LayerNorm))
        {
            ArgumentNullException.ThrowIfNull(normalized_shape);
            if (normalized_shape.Length == 0) throw new ArgumentException("normalized_shape must not be empty", nameof(normalized_shape));
            _ndim = normalized_shape.Length;
            _eps = eps;
            if (elementwise_affine)
            {
                weight = new Parameter(ones(normalized_shape, dtype));
                bias = new Parameter(zeros(normalized_shape, dtype));
            }
            register_parameter(nameof(weight), weight);
            register_parameter(nameof(bias), bias);
        }

        public Parameter? weight { get; }
        public Parameter? bias { get; }

        public override Tensor forward(Tensor input) => nn.functional.layer_norm(input, _ndim, weight, bias, _eps);
    }
}

namespace EcgStream.Torch
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static LayerNorm LayerNorm(long normalized_shape, double eps = 1e-5, bool elementwise_affine = true, ScalarType dtype = ScalarType.Float32) =>
                new([normalized_shape], eps, elementwise_affine, dtype);

            public static LayerNorm LayerNorm(long[] normalized_shape, double eps = 1e-5, bool elementwise_affine = true, ScalarType dtype = ScalarType.Float32) =>
                new(normalized_shape, eps, elementwise_affine, dtype);
        }
    }
}
