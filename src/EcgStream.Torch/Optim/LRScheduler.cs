namespace EcgStream.Torch;

public static partial class torch
{
    public static partial class optim
    {
        /// <summary>Learning-rate schedules; each <c>step()</c> advances one optimiser step.</summary>
        public static partial class lr_scheduler
        {
            /// <summary>
            /// Sets the optimiser's rate to base_lr · factor(t) for t = 0, 1, ... Construction applies
            /// t = 0, so the first optimiser step already uses the schedule.
            /// </summary>
            public abstract class LRScheduler
            {
                private readonly Optimizer _optimizer;

                private protected LRScheduler(Optimizer optimizer)
                {
                    _optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
                    BaseLearningRate = optimizer.InitialLearningRate;
                }

                /// <summary>Applies step 0; each concrete schedule calls it once its fields are set.</summary>
                private protected void Start() => _optimizer.LearningRate = RateAt(0);

                public double BaseLearningRate { get; }

                /// <summary>Optimiser steps taken under this schedule.</summary>
                public long last_epoch { get; private set; }

                /// <summary>The rate at step <paramref name="t"/> (0-based).</summary>
                public abstract double RateAt(long t);

                public void step()
                {
                    last_epoch++;
                    _optimizer.LearningRate = RateAt(last_epoch);
                }

                public double get_last_lr() => _optimizer.LearningRate;
            }

            /// <summary>Rises linearly from base_lr/warmup_steps to base_lr over warmup_steps, then stays.</summary>
            public sealed class LinearWarmupLR : LRScheduler
            {
                private readonly long _warmup;

                public LinearWarmupLR(Optimizer optimizer, long warmup_steps) : base(Validate(optimizer, warmup_steps))
                {
                    _warmup = warmup_steps;
                    Start();
                }

                private static Optimizer Validate(Optimizer optimizer, long warmup)
                {
                    if (warmup < 0) throw new ArgumentOutOfRangeException(nameof(warmup), warmup, "warm-up steps must be >= 0");
                    return optimizer;
                }

                public override double RateAt(long t) =>
                    _warmup == 0 ? BaseLearningRate : BaseLearningRate * Math.Min(1.0, (t + 1) / (double)_warmup);
            }

            /// <summary>
            /// Linear warm-up over warmup_steps, then a cosine from base_lr down to eta_min at
            /// total_steps (and eta_min after it). warmup_steps = 0 gives plain cosine annealing.
            /// </summary>
            public sealed class WarmupCosineLR : LRScheduler
            {
                private readonly long _warmup, _total;
                private readonly double _etaMin;

                public WarmupCosineLR(Optimizer optimizer, long warmup_steps, long total_steps, double eta_min = 0)
                    : base(Validate(optimizer, warmup_steps, total_steps, eta_min))
                {
                    (_warmup, _total, _etaMin) = (warmup_steps, total_steps, eta_min);
                    Start();
                }

                private static Optimizer Validate(Optimizer optimizer, long warmup, long total, double etaMin)
                {
                    if (warmup < 0 || total <= warmup)
                        throw new ArgumentOutOfRangeException(nameof(total), $"need 0 <= warmup_steps ({warmup}) < total_steps ({total})");
                    if (!(etaMin >= 0)) throw new ArgumentOutOfRangeException(nameof(etaMin), etaMin, "eta_min must be >= 0");
                    return optimizer;
                }

                public override double RateAt(long t)
                {
                    if (t < _warmup) return BaseLearningRate * (t + 1) / _warmup;
                    if (t >= _total) return _etaMin;
                    var progress = (t - _warmup) / (double)(_total - _warmup);
                    return _etaMin + (BaseLearningRate - _etaMin) * 0.5 * (1 + Math.Cos(Math.PI * progress));
                }
            }

            public static LinearWarmupLR LinearWarmup(Optimizer optimizer, long warmup_steps) => new(optimizer, warmup_steps);

            public static WarmupCosineLR WarmupCosine(Optimizer optimizer, long warmup_steps, long total_steps, double eta_min = 0) =>
                new(optimizer, warmup_steps, total_steps, eta_min);

            /// <summary>PyTorch's CosineAnnealingLR (closed form, one cycle): base_lr to eta_min over T_max steps.</summary>
            public static WarmupCosineLR CosineAnnealingLR(Optimizer optimizer, long T_max, double eta_min = 0) =>
                new(optimizer, 0, T_max, eta_min);
        }
    }
}
