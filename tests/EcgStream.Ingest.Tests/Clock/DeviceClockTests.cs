using EcgStream.Ingest.Clock;

namespace EcgStream.Ingest.Tests.Clock;

public class DeviceClockTests
{
    /// <summary>
    /// A device whose clock runs <paramref name="driftPpm"/> slow, frames every 20 ms, received after
    /// 1 ms + uniform 0–2 ms jitter, 2 % of them after a 40–80 ms stall.
    /// </summary>
    private static (DeviceClock clock, List<(long device, double trueHost)> truth) Run(double driftPpm, int seconds, int seed)
    {
        var rng = new Random(seed);
        var clock = new DeviceClock();
        var truth = new List<(long, double)>();
        const long hostOrigin = 7_000_000_000; // the host clock is far from the device's
        for (long d = 3_000_000; d < 3_000_000 + seconds * 1_000_000L; d += 20_000)
        {
            double trueHost = hostOrigin + (d - 3_000_000) * (1 + driftPpm * 1e-6);
            double delay = 1000 + rng.NextDouble() * 2000 + (rng.NextDouble() < 0.02 ? 40_000 + rng.NextDouble() * 40_000 : 0);
            clock.Observe(d, (long)(trueHost + delay));
            truth.Add((d, trueHost));
        }
        return (clock, truth);
    }

    [Theory]
    [InlineData(80.0, 1)]
    [InlineData(-150.0, 2)]
    [InlineData(0.0, 3)]
    public void Estimates_drift_and_maps_with_jitter_smoothed(double driftPpm, int seed)
    {
        var (clock, truth) = Run(driftPpm, 180, seed);
        Assert.True(clock.HasDrift);
        Assert.InRange(clock.DriftPpm, driftPpm - 2, driftPpm + 2);
        // over the fitted window (the last 2 minutes) mapping error vs the true arrival floor (true + 1 ms)
        var recent = truth.Where(t => t.device >= truth[^1].device - 110_000_000).ToList();
        var errors = recent.Select(t => clock.ToHostMicros(t.device) - (t.trueHost + 1000)).ToList();
        Assert.All(errors, e => Assert.InRange(e, -250, 250));
        // raw arrival jitter is ~580 µs standard deviation (plus stalls); the mapping is much steadier
        double mean = errors.Average();
        double sd = Math.Sqrt(errors.Sum(e => (e - mean) * (e - mean)) / errors.Count);
        Assert.True(sd < 60, $"mapping scatter {sd:F1} µs");
    }

    [Fact]
    public void A_stalled_link_that_delivers_a_burst_does_not_bend_the_fit()
    {
        var rng = new Random(9);
        var clock = new DeviceClock();
        const double drift = 60e-6;
        for (long d = 0; d < 150_000_000; d += 20_000)
        {
            double trueHost = 1e9 + d * (1 + drift);
            double delay = 1000 + rng.NextDouble() * 2000;
            // every 30 s the host stalls for 1.5 s: everything sampled meanwhile arrives at its end
            long phase = d % 30_000_000;
            if (phase < 1_500_000) delay += 1_500_000 - phase;
            clock.Observe(d, (long)(trueHost + delay));
        }
        Assert.InRange(clock.DriftPpm, 60 - 2, 60 + 2);
        long dLast = 150_000_000 - 20_000;
        Assert.InRange(clock.ToHostMicros(dLast) - (1e9 + dLast * (1 + drift) + 1000), -300, 300);
    }

    [Fact]
    public void Before_drift_is_known_uses_the_least_delayed_offset()
    {
        var clock = new DeviceClock();
        Assert.Throws<InvalidOperationException>(() => clock.ToHostMicros(0));
        clock.Observe(1_000, 501_000 + 3_000);
        clock.Observe(21_000, 521_000 + 1_000); // the same bucket: the smaller delay wins
        Assert.False(clock.HasDrift);
        Assert.Equal(500_000 + 1_000 + 41_000, clock.ToHostMicros(41_000));
        Assert.Equal(0, clock.DriftPpm);
    }

    [Fact]
    public void Reset_forgets_the_old_device_time_base()
    {
        var (clock, _) = Run(50, 30, 4);
        clock.Reset();
        clock.Observe(0, 123_456_789);
        Assert.Equal(123_456_789 + 20_000, clock.ToHostMicros(20_000));
        Assert.Equal(1, clock.Observations);
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeviceClock(new DeviceClockOptions(BucketMicros: 10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeviceClock(new DeviceClockOptions(WindowBuckets: 10, MinBucketsForDrift: 11)));
    }
}
