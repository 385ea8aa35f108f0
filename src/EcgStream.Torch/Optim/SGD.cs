using EcgStream.Torch.Modules;
using EcgStream.Torch.Native;

namespace EcgStream.Torch.Modules
{
    /// <summary>Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay, as PyTorch 1.13's SGD.</summary>
    public sealed class SGD : torch.optim.Optimizer
    {
        private readonly double _momentum, _dampening, _weightDecay;
        private readonly bool _nesterov;
        private torch.Tensor[]? _buffers;
        private IntPtr[]? _bufferHandles;
        private byte[]? _started;   // per parameter: its buffer holds a first update

        public SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false)
            : base(parameters, lr)
        {
            if (!(momentum >= 0)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be >= 0");
            if (!(weight_decay >= 0)) throw new ArgumentOutOfRangeException(nameof(weight_decay), weight_decay, "weight decay must be >= 0");
            if (nesterov && (momentum <= 0 || dampening != 0))
                throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening", nameof(nesterov));
            (_momentum, _dampening, _weightDecay, _nesterov) = (momentum, dampening, weight_decay, nesterov);
        }

        private protected override unsafe void Step()
        {
            if (_momentum != 0 && _buffers is null)
            {
                _buffers = NewState();
                _bufferHandles = HandlesOf(_buffers);
                _started = new byte[_buffers.Length];
            }
            fixed (IntPtr* p = ParameterHandles)
            fixed (IntPtr* b = _bufferHandles)
            fixed (byte* s = _started)
                NativeStatus.Check(NativeMethods.ecgt_sgd_step(p, b, s, ParameterHandles.Length, LearningRate, _momentum, _dampening, _weightDecay, _nesterov ? 1 : 0));
            GC.KeepAlive(_buffers);
        }

        private protected override void DisposeState()
        {
            foreach (var t in _buffers ?? []) t.Dispose();
        }
    }
}

namespace EcgStream.Torch
{
    public static partial class torch
    {
        public static partial class optim
        {
            public static SGD SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false) =>
                new(parameters, lr, momentum, dampening, weight_decay, nesterov);
        }
    }
}
