namespace EcgStream.Ingest.Wire;

/// <summary>
/// What a decoder has seen. Written by the one thread that decodes; 64-bit reads are atomic,
/// so a metrics endpoint may read them at any time.
/// </summary>
public sealed class IngestCounters
{
    /// <summary>Frames whose header CRC and frame CRC passed (any type).</summary>
    public long Frames { get; internal set; }
    /// <summary>Sync found, but the header CRC failed or the length exceeded the cap.</summary>
    public long HeaderErrors { get; internal set; }
    /// <summary>Header valid, frame CRC failed.</summary>
    public long CrcErrors { get; internal set; }
    /// <summary>Bytes discarded while resynchronising (never part of a delivered frame).</summary>
    public long BytesSkipped { get; internal set; }
    /// <summary>DATA frames delivered as sample blocks.</summary>
    public long DataFrames { get; internal set; }
    /// <summary>INFO frames, periodic repeats included.</summary>
    public long InfoFrames { get; internal set; }
    /// <summary>DATA frames dropped because their sequence number was already seen.</summary>
    public long Duplicates { get; internal set; }
    /// <summary>Gap events (a run of missing sequence numbers).</summary>
    public long Gaps { get; internal set; }
    public long GapFrames { get; internal set; }
    /// <summary>Samples per lead missing in all gaps.</summary>
    public long GapSamples { get; internal set; }
    /// <summary>Sequence jumped backwards beyond the duplicate window: the device restarted.</summary>
    public long Restarts { get; internal set; }
    /// <summary>DATA frames dropped because no INFO had arrived yet.</summary>
    public long NoInfo { get; internal set; }
    /// <summary>Valid CRC but a payload that breaks the protocol (wrong length, bad field).</summary>
    public long Malformed { get; internal set; }
    /// <summary>Unknown protocol version or frame type: skipped whole.</summary>
    public long Unsupported { get; internal set; }

    public override string ToString() =>
        $"frames {Frames}, data {DataFrames}, info {InfoFrames}, header errors {HeaderErrors}, CRC errors {CrcErrors}, " +
        $"bytes skipped {BytesSkipped}, duplicates {Duplicates}, gaps {Gaps} ({GapFrames} frames, {GapSamples} samples), " +
        $"restarts {Restarts}, no-info {NoInfo}, malformed {Malformed}, unsupported {Unsupported}";
}
