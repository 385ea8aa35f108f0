namespace EcgStream.Training.Optimization;

/// <summary>
/// Linear warm-up over <c>warmupSteps</c>, then a cosine from the base rate down to <c>minRate</c> at
/// <c>totalSteps</c> (and <c>minRate</c> after it). A closed form of the step, so a resumed run
/// sets exactly the rate the uninterrupted one had; the trainers apply it with
/// <see cref="OptimizerRates.SetLearningRate"/> before each step.
/// </summary>
public sealed class WarmupCosine
{
    private readonly double _base, _minRate;
    private readonly long _warmup, _total;

    public WarmupCosine(double baseRate, long warmupSteps, long totalSteps, double minRate = 0)
    {
        if (!(baseRate > 0)) throw new ArgumentOutOfRangeException(nameof(baseRate), baseRate, "the learning rate must be positive");
        if (warmupSteps < 0 || totalSteps <= warmupSteps)
            throw new ArgumentOutOfRangeException(nameof(totalSteps), $"need 0 <= warm-up steps ({warmupSteps}) < total steps ({totalSteps})");
        if (!(minRate >= 0)) throw new ArgumentOutOfRangeException(nameof(minRate), minRate, "the final rate must be >= 0");
        (_base, _warmup, _total, _minRate) = (baseRate, warmupSteps, totalSteps, minRate);
    }

    /// <summary>The rate at step <paramref name="t"/> (0-based).</summary>
    public double RateAt(long t)
    {
        if (t < _warmup) return _base * (t + 1) / _warmup;
        if (t >= _total) return _minRate;
        var progress = (t - _warmup) / (double)(_total - _warmup);
        return _minRate + (_base - _minRate) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
