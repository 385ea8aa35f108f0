using System.Reactive.Concurrency;

namespace EcgStream.Ingest.Replay;

/// <summary>How a recorded stream is played back.</summary>
public sealed record ReplayOptions
{
    /// <summary>Playback speed as a multiple of real time; <see cref="double.PositiveInfinity"/> plays as fast as the consumer takes it.</summary>
    public double Speed { get; init; } = double.PositiveInfinity;

    /// <summary>Duration of one block; the stream is delivered in blocks of this many seconds (last block shorter).</summary>
    public double BlockSeconds { get; init; } = 0.25;

    /// <summary>Stream id written into every block.</summary>
    public string StreamId { get; init; } = "replay";

    /// <summary>Where pacing happens; a virtual-time scheduler makes paced replay testable. Default: a new thread.</summary>
    public IScheduler? Scheduler { get; init; }

    /// <summary>Fault injection for QA: probability that a block is dropped (a gap in the stream).</summary>
    public double DropProbability { get; init; }

    /// <summary>Seed of the fault injection, so a faulty replay is reproducible.</summary>
    public int FaultSeed { get; init; } = 1;

    internal void Validate()
    {
        if (!(Speed > 0)) throw new ArgumentOutOfRangeException(nameof(Speed), Speed, "speed must be positive (use PositiveInfinity for 'max')");
        if (!(BlockSeconds > 0) || !double.IsFinite(BlockSeconds)) throw new ArgumentOutOfRangeException(nameof(BlockSeconds), BlockSeconds, "block duration must be positive");
        if (!(DropProbability >= 0 && DropProbability < 1)) throw new ArgumentOutOfRangeException(nameof(DropProbability), DropProbability, "must lie in [0, 1)");
        if (string.IsNullOrEmpty(StreamId)) throw new ArgumentException("stream id must not be empty", nameof(StreamId));
    }
}
