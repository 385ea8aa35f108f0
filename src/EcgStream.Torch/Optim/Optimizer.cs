using EcgStream.Torch.Modules;
using EcgStream.Torch.Native;

namespace EcgStream.Torch;

public static partial class torch
{
    public static partial class optim
    {
        /// <summary>
        /// Updates a fixed list of parameters. The native handles are gathered once, so a step is a
        /// single native call whatever the number of parameters. Per-parameter state tensors belong
        /// to the optimiser and are freed by <see cref="Dispose"/>.
        /// </summary>
        public abstract class Optimizer : IDisposable
        {
            private protected readonly Parameter[] Parameters;
            private protected readonly IntPtr[] ParameterHandles;
            private bool _disposed;

            private protected Optimizer(IEnumerable<Parameter> parameters, double lr)
            {
                ArgumentNullException.ThrowIfNull(parameters);
                Parameters = parameters.ToArray();
                if (Parameters.Length == 0) throw new ArgumentException("optimiser got an empty parameter list", nameof(parameters));
                if (Parameters.Distinct(ReferenceEqualityComparer.Instance).Count() != Parameters.Length)
                    throw new ArgumentException("a parameter appears more than once in the optimiser's list", nameof(parameters));
                if (!(lr >= 0)) throw new ArgumentOutOfRangeException(nameof(lr), lr, "learning rate must be >= 0");
                ParameterHandles = Parameters.Select(p => p.Handle.DangerousGetHandle()).ToArray();
                LearningRate = lr;
                InitialLearningRate = lr;
            }

            /// <summary>The rate the next <see cref="step"/> uses (schedulers set it).</summary>
            public double LearningRate { get; set; }

            /// <summary>The rate given at construction; schedules scale from it.</summary>
            public double InitialLearningRate { get; }

            /// <summary>Applies one update from the parameters' current gradients.</summary>
            public void step()
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                foreach (var p in Parameters)
                    if (p.IsDisposed) throw new ObjectDisposedException(nameof(Parameter), "a parameter of this optimiser has been disposed");
                Step();
                GC.KeepAlive(Parameters);
            }

            private protected abstract void Step();

            /// <summary>Drops every parameter's gradient (PyTorch's zero_grad(set_to_none=True)).</summary>
            public void zero_grad() => ZeroGrad(Parameters, set_to_none: true);

            internal static unsafe void ZeroGrad(Tensor[] parameters, bool set_to_none)
            {
                var handles = new IntPtr[parameters.Length];
                for (var i = 0; i < handles.Length; i++) handles[i] = parameters[i].Handle.DangerousGetHandle();
                fixed (IntPtr* p = handles) NativeStatus.Check(NativeMethods.ecgt_zero_grad(p, handles.Length, set_to_none ? 1 : 0));
                GC.KeepAlive(parameters);
            }

            /// <summary>One zero-initialised state tensor per parameter, not owned by any dispose scope.</summary>
            private protected Tensor[] NewState()
            {
                var state = new Tensor[Parameters.Length];
                using var _ = no_grad();
                for (var i = 0; i < state.Length; i++) state[i] = zeros_like(Parameters[i]).DetachFromDisposeScope();
                return state;
            }

            private protected static IntPtr[] HandlesOf(Tensor[] tensors) => tensors.Select(t => t.Handle.DangerousGetHandle()).ToArray();

            private protected abstract void DisposeState();

            public void Dispose()
            {
                if (_disposed) return;
                _disposed = true;
                DisposeState();
                GC.SuppressFinalize(this);
            }
        }
    }
}
