using EcgStream.Torch.Native;

namespace EcgStream.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>In-place initialisers, as torch.nn.init (gradient recording off).</summary>
        public static class init
        {
            public static Tensor uniform_(Tensor tensor, double a = 0, double b = 1)
            {
                NativeStatus.Check(NativeMethods.ecgt_uniform_(tensor.Handle, a, b));
                return tensor;
            }

            public static Tensor normal_(Tensor tensor, double mean = 0, double std = 1)
            {
                NativeStatus.Check(NativeMethods.ecgt_normal_(tensor.Handle, mean, std));
                return tensor;
            }

            public static Tensor zeros_(Tensor tensor)
            {
                using var _ = no_grad();
                return tensor.zero_();
            }

            public static Tensor ones_(Tensor tensor)
            {
                using var _ = no_grad();
                return tensor.zero_().add_(1.0);
            }

            /// <summary>Glorot uniform: U(-a, a), a = gain·sqrt(6 / (fan_in + fan_out)), for a 2-D weight [out, in].</summary>
            public static Tensor xavier_uniform_(Tensor tensor, double gain = 1)
            {
                var (fanIn, fanOut) = Fans(tensor);
                var a = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
                return uniform_(tensor, -a, a);
            }

            /// <summary>
            /// PyTorch's default for Linear and Conv weights: kaiming_uniform with a = sqrt(5),
            /// which is U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
            /// </summary>
            public static Tensor default_weight_uniform_(Tensor tensor)
            {
                var bound = 1.0 / Math.Sqrt(Fans(tensor).fanIn);
                return uniform_(tensor, -bound, bound);
            }

            internal static (long fanIn, long fanOut) Fans(Tensor tensor)
            {
                var shape = tensor.shape;
                if (shape.Length < 2)
                    throw new ArgumentException($"fan in and fan out need a weight with at least 2 dimensions, got [{string.Join(", ", shape)}]", nameof(tensor));
                long receptive = 1;
                for (var i = 2; i < shape.Length; i++) receptive *= shape[i];
                return (shape[1] * receptive, shape[0] * receptive);
            }
        }
    }
}
