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

        /// <summary>
        /// The moment estimates by parameter index (<c>exp_avg.{i}</c>, <c>exp_avg_sq.{i}</c>, in the
        /// order the parameters were given), for checkpoints; empty before the first step. The tensors
        /// stay the optimiser's: copy or save them, do not dispose them.
        /// </summary>
        public Dictionary<string, torch.Tensor> state_dict()
        {
            var state = new Dictionary<string, torch.Tensor>();
            if (_expAvg is null) return state;
            for (var i = 0; i < _expAvg.Length; i++)
            {
                state.Add($"exp_avg.{i}", _expAvg[i]);
                state.Add($"exp_avg_sq.{i}", _expAvgSq![i]);
            }
            return state;
        }

        /// <summary>
        /// Restores moment estimates saved by <see cref="state_dict"/> and the step count they belong
        /// to, so a resumed run takes exactly the steps the uninterrupted one would have.
        /// </summary>
        public void load_state_dict(IReadOnlyDictionary<string, torch.Tensor> state, long stepCount)
        {
            ArgumentNullException.ThrowIfNull(state);
            ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
            if (state.Count == 0)
            {
                if (stepCount != 0) throw new ArgumentException($"no moment estimates given for step count {stepCount}", nameof(state));
                return;
            }
            if (state.Count != 2 * Parameters.Length)
                throw new ArgumentException($"optimiser state holds {state.Count} tensors; {2 * Parameters.Length} expected for {Parameters.Length} parameters", nameof(state));
            if (_expAvg is null)
            {
                _expAvg = NewState();
                _expAvgSq = NewState();
                _expAvgHandles = HandlesOf(_expAvg);
                _expAvgSqHandles = HandlesOf(_expAvgSq!);
            }
            using var _ = torch.no_grad();
            for (var i = 0; i < Parameters.Length; i++)
            {
                Restore(state, $"exp_avg.{i}", _expAvg[i]);
                Restore(state, $"exp_avg_sq.{i}", _expAvgSq![i]);
            }
            StepCount = stepCount;
        }

        private static void Restore(IReadOnlyDictionary<string, torch.Tensor> state, string key, torch.Tensor target)
        {
            if (!state.TryGetValue(key, out var value)) throw new ArgumentException($"optimiser state lacks '{key}'", nameof(state));
            if (!value.shape.AsSpan().SequenceEqual(target.shape))
                throw new ArgumentException($"'{key}': shape [{string.Join(", ", value.shape)}] does not match the parameter's [{string.Join(", ", target.shape)}]", nameof(state));
            target.copy_(value);
        }

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
