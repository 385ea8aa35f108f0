namespace EcgStream.Ingest.Clock;

/// <summary>Settings of a <see cref="DeviceClock"/>.</summary>
/// <param name="BucketMicros">Device time per bucket; each bucket keeps its least-delayed observation.</param>
/// <param name="WindowBuckets">Buckets in the fit (window = BucketMicros × WindowBuckets of device time).</param>
/// <param name="MinBucketsForDrift">Buckets needed before drift is estimated; before that only the offset is used.</param>
/// <param name="MaxDriftPpm">Drift estimates beyond this are clamped (a crystal is within ±100 ppm; 1000 allows for bad ones).</param>
public sealed record DeviceClockOptions(long BucketMicros = 250_000, int WindowBuckets = 480, int MinBucketsForDrift = 8, double MaxDriftPpm = 1000)
{
    public void Validate()
    {
        if (BucketMicros < 1_000) throw new ArgumentOutOfRangeException(nameof(BucketMicros), BucketMicros, "bucket must be at least 1000 µs");
        if (WindowBuckets < 4) throw new ArgumentOutOfRangeException(nameof(WindowBuckets), WindowBuckets, "window needs at least 4 buckets");
        if (MinBucketsForDrift < 2 || MinBucketsForDrift > WindowBuckets)
            throw new ArgumentOutOfRangeException(nameof(MinBucketsForDrift), MinBucketsForDrift, "must be within 2..WindowBuckets");
        if (!(MaxDriftPpm > 0)) throw new ArgumentOutOfRangeException(nameof(MaxDriftPpm), MaxDriftPpm, "must be positive");
    }
}
