using EcgStream.Core.Samples;

namespace EcgStream.Ingest.Wire;

public enum IngestEventKind : byte
{
    /// <summary>A new or changed device description; <see cref="IngestEvent.Info"/> is set. Sample indices restart at 0.</summary>
    Info,
    /// <summary>A block of samples; <see cref="IngestEvent.Block"/> is set.</summary>
    Data,
    /// <summary>Frames were lost before the next block; <see cref="IngestEvent.Gap"/> is set.</summary>
    Gap,
    /// <summary>The device's sequence jumped backwards (it restarted); the next block follows.</summary>
    Restart,
}

/// <summary>A run of missing frames, reported before the block that follows it.</summary>
/// <param name="FromSequence">First missing sequence number.</param>
/// <param name="Frames">Frames missing.</param>
/// <param name="Samples">Samples per lead missing.</param>
/// <param name="StartSample">Stream sample index where the gap begins.</param>
public readonly record struct GapEvent(uint FromSequence, long Frames, long Samples, long StartSample);

/// <summary>
/// One decoded event. <see cref="Block"/> memory belongs to the decoder and is valid until the
/// next event is requested (the decoder reuses one buffer); copy to keep.
/// </summary>
public readonly struct IngestEvent
{
    private IngestEvent(IngestEventKind kind, DeviceInfo? info, SampleBlock block, GapEvent gap, uint sequence,
        uint rawTimestamp, long deviceMicros)
    {
        Kind = kind;
        Info = info;
        Block = block;
        Gap = gap;
        Sequence = sequence;
        RawTimestampMicros = rawTimestamp;
        DeviceMicros = deviceMicros;
    }

    public IngestEventKind Kind { get; }
    public DeviceInfo? Info { get; }
    public SampleBlock Block { get; }
    public GapEvent Gap { get; }
    /// <summary>Data: the frame's sequence number as sent (wraps at 2^32).</summary>
    public uint Sequence { get; }
    /// <summary>Data: the device timestamp as sent (µs, wraps at 2^32).</summary>
    public uint RawTimestampMicros { get; }
    /// <summary>Data: the device timestamp of the block's first sample, unwrapped (µs, monotonic within a session).</summary>
    public long DeviceMicros { get; }

    public static IngestEvent ForInfo(DeviceInfo info) => new(IngestEventKind.Info, info, default, default, 0, 0, 0);
    public static IngestEvent ForGap(GapEvent gap) => new(IngestEventKind.Gap, null, default, gap, 0, 0, 0);
    public static IngestEvent ForRestart(uint sequence) => new(IngestEventKind.Restart, null, default, default, sequence, 0, 0);
    public static IngestEvent ForData(in SampleBlock block, uint sequence, uint rawTimestamp, long deviceMicros) =>
        new(IngestEventKind.Data, null, block, default, sequence, rawTimestamp, deviceMicros);

    public override string ToString() => Kind switch
    {
        IngestEventKind.Info => $"info {Info}",
        IngestEventKind.Gap => $"gap from seq {Gap.FromSequence}: {Gap.Frames} frames, {Gap.Samples} samples",
        IngestEventKind.Restart => $"restart at seq {Sequence}",
        _ => $"data seq {Sequence} {Block}",
    };
}

/// <summary>Receives decoded events from the push-style API (no closures on the hot path).</summary>
public interface IIngestEventSink
{
    void OnEvent(in IngestEvent e);
}
