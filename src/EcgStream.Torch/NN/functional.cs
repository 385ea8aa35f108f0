using EcgStream.Torch.Native;

namespace EcgStream.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>How a loss reduces over its elements (libtorch's at::Reduction values).</summary>
        public enum Reduction
        {
            None = 0,
            Mean = 1,
            Sum = 2,
            /// <summary>Sum divided by the batch size; only for <see cref="functional.kl_div"/>.</summary>
            BatchMean = 3,
        }

        /// <summary>Stateless functions, as torch.nn.functional.</summary>
        public static class functional
        {
            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null)
            {
                var status = NativeMethods.ecgt_linear(input.Handle, weight.Handle, Tensor.PtrOrZero(bias), out var r);
                GC.KeepAlive(bias);
                return Tensor.Wrap(status, r);
            }

            public static Tensor relu(Tensor input) => input.relu();
            public static Tensor softmax(Tensor input, long dim) => input.softmax(dim);
            public static Tensor log_softmax(Tensor input, long dim) => input.log_softmax(dim);

            /// <summary>Normalises over the trailing <paramref name="normalized_ndim"/> dimensions.</summary>
            public static Tensor layer_norm(Tensor input, int normalized_ndim, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
            {
                var status = NativeMethods.ecgt_layer_norm(input.Handle, normalized_ndim, Tensor.PtrOrZero(weight), Tensor.PtrOrZero(bias), eps, out var r);
                GC.KeepAlive(weight);
                GC.KeepAlive(bias);
                return Tensor.Wrap(status, r);
            }

            /// <summary>GELU; exact (erf) unless <paramref name="tanh_approximation"/>.</summary>
            public static Tensor gelu(Tensor input, bool tanh_approximation = false) =>
                Tensor.Wrap(NativeMethods.ecgt_gelu(input.Handle, tanh_approximation ? 1 : 0, out var r), r);

            public static Tensor dropout(Tensor input, double p = 0.5, bool training = true)
            {
                if (p is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");
                return Tensor.Wrap(NativeMethods.ecgt_dropout(input.Handle, p, training ? 1 : 0, out var r), r);
            }

            /// <summary>Rows of <paramref name="weight"/> picked by int64 <paramref name="indices"/>.</summary>
            public static Tensor embedding(Tensor indices, Tensor weight, long padding_idx = -1) =>
                Tensor.Wrap(NativeMethods.ecgt_embedding(weight.Handle, indices.Handle, padding_idx, out var r), r);

            public static Tensor conv1d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1)
            {
                var status = NativeMethods.ecgt_conv1d(input.Handle, weight.Handle, Tensor.PtrOrZero(bias), stride, padding, dilation, groups, out var r);
                GC.KeepAlive(bias);
                return Tensor.Wrap(status, r);
            }

            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                Tensor.Wrap(NativeMethods.ecgt_mse_loss(input.Handle, target.Handle, (int)reduction, out var r), r);

            /// <summary>Cross-entropy of logits [N, C] against int64 class indices [N].</summary>
            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100,
                Reduction reduction = Reduction.Mean, double label_smoothing = 0)
            {
                var status = NativeMethods.ecgt_cross_entropy(input.Handle, target.Handle, Tensor.PtrOrZero(weight), (int)reduction, ignore_index, label_smoothing, out var r);
                GC.KeepAlive(weight);
                return Tensor.Wrap(status, r);
            }

            public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null,
                Reduction reduction = Reduction.Mean, Tensor? pos_weights = null)
            {
                var status = NativeMethods.ecgt_bce_with_logits(input.Handle, target.Handle, Tensor.PtrOrZero(weight), Tensor.PtrOrZero(pos_weights), (int)reduction, out var r);
                GC.KeepAlive(weight);
                GC.KeepAlive(pos_weights);
                return Tensor.Wrap(status, r);
            }

            /// <summary>KL(target ‖ input) with <paramref name="input"/> as log-probabilities.</summary>
            public static Tensor kl_div(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, bool log_target = false) =>
                Tensor.Wrap(NativeMethods.ecgt_kl_div(input.Handle, target.Handle, (int)reduction, log_target ? 1 : 0, out var r), r);
        }
    }
}
