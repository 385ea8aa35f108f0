namespace EcgStream.Onnx.Quantization;

/// <summary>How an activation's int8 scale is chosen from calibration data.</summary>
public enum CalibrationMethod
{
    /// <summary>The largest magnitude seen: nothing clips, small values lose resolution.</summary>
    MinMax,
    /// <summary>A high percentile of the magnitudes (e.g. 99.99): rare outliers clip, the bulk keeps resolution.</summary>
    Percentile,
}

/// <summary>
/// What calibration saw of one activation tensor: its largest magnitude and a histogram of magnitudes
/// on logarithmic bins (1e-8 … 1e8, <see cref="BinsPerDecade"/> per decade, so a percentile is known
/// to within 10^(1/BinsPerDecade) ≈ 0.2 % without keeping the values). Activations are quantized
/// symmetrically (zero point 0), so only magnitudes matter.
/// </summary>
public sealed class ActivationRange
{
    public const int BinsPerDecade = 512;
    private const double LowestMagnitude = 1e-8;
    private const int Decades = 16;
    private readonly long[] _bins = new long[Decades * BinsPerDecade + 1];   // last bin: at or above 1e8
    private long _zeros;                                                      // magnitudes below 1e-8

    public long Count { get; private set; }
    public float MaxAbs { get; private set; }

    public void Observe(ReadOnlySpan<float> values)
    {
        foreach (var v in values)
        {
            float a = MathF.Abs(v);
            if (!float.IsFinite(a)) throw new ArgumentException("calibration saw a non-finite activation (NaN or infinity)", nameof(values));
            if (a > MaxAbs) MaxAbs = a;
            if (a < LowestMagnitude) _zeros++;
            else _bins[Math.Min(_bins.Length - 1, (int)(Math.Log10(a / LowestMagnitude) * BinsPerDecade))]++;
        }
        Count += values.Length;
    }

    /// <summary>
    /// The magnitude below which <paramref name="percent"/> % of the values lie: the upper edge of the bin
    /// where the count reaches that share, capped at <see cref="MaxAbs"/> (so 100 gives MinMax).
    /// </summary>
    public float Percentile(double percent)
    {
        if (percent is <= 0 or > 100 || double.IsNaN(percent)) throw new ArgumentOutOfRangeException(nameof(percent), percent, "a percentile lies in (0, 100]");
        if (Count == 0) throw new InvalidOperationException("no calibration values observed");
        long target = (long)Math.Ceiling(percent / 100 * Count);
        long seen = _zeros;
        if (seen >= target) return 0f;
        for (int b = 0; b < _bins.Length; b++)
        {
            seen += _bins[b];
            if (seen >= target) return (float)Math.Min(MaxAbs, LowestMagnitude * Math.Pow(10, (b + 1) / (double)BinsPerDecade));
        }
        return MaxAbs;
    }

    /// <summary>The int8 scale (range / 127) by <paramref name="method"/>; an all-zero activation gets scale 1.</summary>
    public float Scale(CalibrationMethod method, double percentile = 99.99)
    {
        float range = method == CalibrationMethod.MinMax ? MaxAbs : Percentile(percentile);
        return range > 0 ? range / WeightQuantization.QMax : 1f;
    }
}
