namespace EcgStream.Ingest.Ble;

/// <summary>Settings of a <see cref="PolarPmdDecoder"/>.</summary>
/// <param name="StreamId">Stamped on every block.</param>
/// <param name="SampleRate">The rate the stream was started with (the H10 offers 130 Hz).</param>
/// <param name="MinGapSamples">Missing samples below this are clock jitter, not a lost notification.</param>
public sealed record PolarPmdOptions(string StreamId = "polar", double SampleRate = 130, int MinGapSamples = 4)
{
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(StreamId);
        if (!(SampleRate is > 0 and <= 10_000)) throw new ArgumentOutOfRangeException(nameof(SampleRate), SampleRate, "sample rate must be in (0, 10000] Hz");
        if (MinGapSamples < 1) throw new ArgumentOutOfRangeException(nameof(MinGapSamples), MinGapSamples, "must be at least 1");
    }
}
