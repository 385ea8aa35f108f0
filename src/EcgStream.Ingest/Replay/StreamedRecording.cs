using EcgStream.Formats;
using EcgStream.Formats.Wfdb;

namespace EcgStream.Ingest.Replay;

/// <summary>
/// A WFDB record read from disk block by block as it plays, never whole: memory stays the size of a
/// block whatever the record's length (a 24-hour 12-lead Holter replays in the memory of a 10-second strip).
/// Only the header is read when it opens. The header's checksums are summed as the blocks pass and checked when the read
/// reaches the record's end, as a whole-record read checks them: a mismatch fails that read (and so the replay) with the
/// same <see cref="EcgFormatException"/>.
/// </summary>
public sealed class StreamedRecording
{
    private readonly WfdbHeader _header;
    private readonly WfdbPartReads _parts;

    private StreamedRecording(WfdbHeader header, long length)
    {
        _header = header;
        _parts = new WfdbPartReads(header);
        Length = length;
        Signals = header.Signals.Select(s => new SignalInfo { Name = s.Description, Units = s.Units, AdcGain = s.AdcGain, Baseline = s.Baseline }).ToList();
    }

    /// <summary>Opens the WFDB record at <paramref name="recordPath"/> (its header is read and its signal files checked).</summary>
    public static StreamedRecording OpenWfdb(string recordPath)
    {
        var h = Wfdb.ReadHeader(recordPath);
        long n = Wfdb.FrameCount(h);
        if (n > 0) Wfdb.ReadRecord(h, 0, Math.Min(n, 1));   // bad signal files fail here, with the file named
        return new StreamedRecording(h, n);
    }

    public string Name => _header.RecordName;
    public double SampleRate => _header.SamplingFrequency;
    /// <summary>Header fields the reader ignored (one line each), as <see cref="Recording.Warnings"/>.</summary>
    public IReadOnlyList<string> Warnings => _header.Warnings;
    /// <summary>Frames (samples per channel).</summary>
    public long Length { get; }
    public double DurationSeconds => Length / SampleRate;
    /// <summary>Channel descriptions (names, units), in header order.</summary>
    public IReadOnlyList<SignalInfo> Signals { get; }

    /// <summary>Reads frames [<paramref name="from"/>, from + count) of <paramref name="channels"/> into <paramref name="planar"/> (channel-major), physical units.</summary>
    public void Read(long from, int count, IReadOnlyList<int> channels, Span<float> planar)
    {
        var block = Wfdb.ReadRecord(_header, from, from + count, channels, _parts);
        for (int c = 0; c < channels.Count; c++) block.Samples[c].AsSpan().CopyTo(planar.Slice(c * count, count));
        // the last block: every frame has passed (unless blocks were skipped), so the sums are complete
        if (from + count == Length) _parts.Verify();
    }

    /// <summary>
    /// After a replay: the signal files whose checksums could not be checked because not every frame of them was read
    /// (blocks dropped by fault injection, a file with no played signal, a replay stopped early). Empty when every
    /// checksum the header gives was checked. Throws the mismatch, as <see cref="Read"/> does, for a file read whole.
    /// </summary>
    public IReadOnlyList<string> UncheckedChecksumFiles() => _parts.Verify();
}
