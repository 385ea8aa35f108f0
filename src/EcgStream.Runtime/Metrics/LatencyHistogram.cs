using System.Diagnostics;

namespace EcgStream.Runtime.Metrics;

/// <summary>
/// A log-bucketed latency histogram (1% relative resolution from 1 µs to ~10 h), safe to record into
/// from several threads, allocation-free. Good enough for p50/p99/max of pipeline stages.
/// </summary>
public sealed class LatencyHistogram
{
    private const double Ratio = 1.01;
    private static readonly double LogRatio = Math.Log(Ratio);
    private const int BucketCount = 3200; // 1.01^3200 µs ≈ 1e13.8 µs: far beyond any latency we time
    private readonly long[] _buckets = new long[BucketCount];
    private long _count;
    private long _maxTicks;
    private long _sumMicros;

    public LatencyHistogram(string name) => Name = name;

    public string Name { get; }
    public long Count => Interlocked.Read(ref _count);
    public TimeSpan Max => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _maxTicks));
    public TimeSpan Mean => Count == 0 ? TimeSpan.Zero : TimeSpan.FromMicroseconds((double)Interlocked.Read(ref _sumMicros) / Count);

    /// <summary>Records a duration given in <see cref="Stopwatch"/> ticks.</summary>
    public void RecordTicks(long ticks)
    {
        if (ticks < 0) ticks = 0;
        double micros = ticks * 1e6 / Stopwatch.Frequency;
        int bucket = micros <= 1 ? 0 : Math.Min(BucketCount - 1, (int)(Math.Log(micros) / LogRatio) + 1);
        Interlocked.Increment(ref _buckets[bucket]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sumMicros, (long)micros);
        long max;
        while (ticks > (max = Interlocked.Read(ref _maxTicks)) && Interlocked.CompareExchange(ref _maxTicks, ticks, max) != max) { }
    }

    public void Record(TimeSpan duration) => RecordTicks((long)(duration.TotalSeconds * Stopwatch.Frequency));

    /// <summary>The smallest recorded bucket bound at or below which <paramref name="quantile"/> of the samples lie.</summary>
    public TimeSpan Percentile(double quantile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quantile, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quantile, 1.0);
        long total = Count;
        if (total == 0) return TimeSpan.Zero;
        long rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (int i = 0; i < BucketCount; i++)
        {
            seen += Interlocked.Read(ref _buckets[i]);
            if (seen >= rank)
            {
                double upperMicros = i == 0 ? 1 : Math.Pow(Ratio, i);
                var upper = TimeSpan.FromMicroseconds(upperMicros);
                return upper < Max ? upper : Max;
            }
        }
        return Max;
    }

    public void Reset()
    {
        Array.Clear(_buckets);
        Interlocked.Exchange(ref _count, 0);
        Interlocked.Exchange(ref _maxTicks, 0);
        Interlocked.Exchange(ref _sumMicros, 0);
    }

    public override string ToString() =>
        $"{Name}: n={Count} p50={Percentile(0.5).TotalMilliseconds:F3} ms p99={Percentile(0.99).TotalMilliseconds:F3} ms max={Max.TotalMilliseconds:F3} ms";
}
