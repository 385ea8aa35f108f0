using EcgStream.Torch.Native;

namespace EcgStream.Torch;

public static partial class torch
{
    public partial class Tensor
    {
        public bool requires_grad
        {
            get { NativeStatus.Check(NativeMethods.ecgt_requires_grad(Handle, out var r)); return r != 0; }
            set => NativeStatus.Check(NativeMethods.ecgt_requires_grad_(Handle, value ? 1 : 0));
        }

        public Tensor requires_grad_(bool requires_grad = true)
        {
            this.requires_grad = requires_grad;
            return this;
        }

        /// <summary>The accumulated gradient as a new handle (owned by the current scope), or null before any backward pass.</summary>
        public Tensor? grad
        {
            get
            {
                NativeStatus.Check(NativeMethods.ecgt_grad(Handle, out var g));
                return g == IntPtr.Zero ? null : new Tensor(g);
            }
        }

        /// <summary>Back-propagates from this tensor (a scalar unless <paramref name="gradient"/> is given).</summary>
        public void backward(Tensor? gradient = null, bool retain_graph = false)
        {
            NativeStatus.Check(NativeMethods.ecgt_backward(Handle, PtrOrZero(gradient), retain_graph ? 1 : 0));
            GC.KeepAlive(gradient);
        }

        /// <summary>The same data, cut from the autograd graph.</summary>
        public Tensor detach() => Wrap(NativeMethods.ecgt_detach(Handle, out var r), r);
    }

    /// <summary>Turns gradient recording off on this thread until the result is disposed.</summary>
    public static GradModeScope no_grad() => new(enabled: false);

    /// <summary>Turns gradient recording on on this thread until the result is disposed.</summary>
    public static GradModeScope enable_grad() => new(enabled: true);

    public static bool is_grad_enabled() => NativeMethods.ecgt_is_grad_enabled() != 0;

    /// <summary>Sets this thread's grad mode for its lifetime and restores the previous mode on dispose.</summary>
    public readonly struct GradModeScope : IDisposable
    {
        private readonly bool _previous;

        internal GradModeScope(bool enabled) => _previous = NativeMethods.ecgt_set_grad_enabled(enabled ? 1 : 0) != 0;

        public void Dispose() => NativeMethods.ecgt_set_grad_enabled(_previous ? 1 : 0);
    }
}
