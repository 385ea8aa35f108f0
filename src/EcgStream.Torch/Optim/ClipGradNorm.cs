using EcgStream.Torch.Modules;
using EcgStream.Torch.Native;

namespace EcgStream.Torch;

public static partial class torch
{
    public static partial class nn
    {
        public static class utils
        {
            /// <summary>
            /// Scales all gradients by min(1, max_norm / (‖g‖ + 1e-6)) where ‖g‖ is the L2 norm of
            /// every gradient together, as PyTorch does; returns ‖g‖ before clipping.
            /// </summary>
            public static unsafe double clip_grad_norm_(IEnumerable<Parameter> parameters, double max_norm)
            {
                ArgumentNullException.ThrowIfNull(parameters);
                if (!(max_norm > 0)) throw new ArgumentOutOfRangeException(nameof(max_norm), max_norm, "max_norm must be > 0");
                var list = parameters.ToArray();
                var handles = new IntPtr[list.Length];
                for (var i = 0; i < handles.Length; i++) handles[i] = list[i].Handle.DangerousGetHandle();
                double norm;
                fixed (IntPtr* p = handles) NativeStatus.Check(NativeMethods.ecgt_clip_grad_norm(p, handles.Length, max_norm, out norm));
                GC.KeepAlive(list);
                return norm;
            }
        }
    }
}
