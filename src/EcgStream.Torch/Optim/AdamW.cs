using EcgStream.Torch.Modules;
using EcgStream.Torch.Native;

namespace EcgStream.Torch.Modules
{
    /// <summary>
    /// Adam with decoupled weight decay (Loshchilov &amp; Hutter): exactly PyTorch 1.13's
    /// single-tensor AdamW arithmetic, done natively for the whole parameter list in one call.
    /// </summary>
    public sealed class AdamW : torch.optim.Optimizer
    {
        private readonly double _beta1, _beta2, _eps, _weightDecay;
        private torch.Tensor[]? _expAvg, _expAvgSq;
        private IntPtr[]? _expAvgHandles, _expAvgSqHandles;

        public AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0.01)
            : base(parameters, lr)
        {
            if (beta1 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1)");
            if (beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1)");
            if (!(eps >= 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be >= 0");
            if (!(weight_decay >= 0)) throw new ArgumentOutOfRangeException(nameof(weight_decay), weight_decay, "weight decay must be >= 0");
            (_beta1, _beta2, _eps, _weightDecay) = (beta1, beta2, eps, weight_decay);
        }

        /// <summary>Steps taken so far.</summary>
        public long StepCount { get; private set; }

        private protected override unsafe void Step()
        {
            if (_expAvg is null)
            {
                _expAvg = NewState();
                _expAvgSq = NewState();
                _expAvgHandles = HandlesOf(_expAvg);
                _expAvgSqHandles = HandlesOf(_expAvgSq!);
            }
            var next = StepCount + 1;
            fixed (IntPtr* p = ParameterHandles)
            fixed (IntPtr* m = _expAvgHandles)
            fixed (IntPtr* v = _expAvgSqHandles)
                NativeStatus.Check(NativeMethods.ecgt_adamw_step(p, m, v, ParameterHandles.Length, next, LearningRate, _beta1, _beta2, _eps, _weightDecay));
            StepCount = next;
            GC.KeepAlive(_expAvg);
            GC.KeepAlive(_expAvgSq);
        }

        private protected override void DisposeState()
        {
            foreach (var t in _expAvg ?? []) t.Dispose();
            foreach (var t in _expAvgSq ?? []) t.Dispose();
        }
    }
}

namespace EcgStream.Torch
{
    public static partial class torch
    {
        public static partial class optim
        {
            public static AdamW AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0.01) =>
                new(parameters, lr, beta1, beta2, eps, weight_decay);
        }
    }
}
