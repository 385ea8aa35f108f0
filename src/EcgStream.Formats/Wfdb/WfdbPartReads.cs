namespace EcgStream.Formats.Wfdb;

/// <summary>
/// What a record read in parts (a replay reads it block by block) carries from one part to the next. Its checksums: the
/// samples every part decodes are added as they pass, each stored frame once, and <see cref="Verify"/> checks the sums against the header as a whole-record
/// read does, with the same error, without reading any file a second time. Pass the one instance to every
/// <see cref="Wfdb.ReadRecord(WfdbHeader, long, long?, IReadOnlyList{int}?, WfdbPartReads?)"/> of the record.
/// And format 8's running values: where its differences were integrated to, so that the next part resumes there.
/// Thread-safe.
/// </summary>
public sealed class WfdbPartReads
{
    private readonly WfdbHeader _header;
    private readonly long _frames;
    private readonly Lock _lock = new();
    // per signal file, keyed by the header index of its first signal: the stored frames [0, Next) have been added to
    // Sums (one per signal of the file, mod 2^32, as the whole-record read keeps them)
    private readonly Dictionary<int, (long Next, int[] Sums)> _files = [];
    // per format-8 signal file, keyed the same way: the running values (one per signal) before frame Frame, where the
    // next part of a sequential read starts, so that it need not integrate the differences from frame 0 again
    private readonly Dictionary<int, (long Frame, int[] Values)> _format8 = [];

    public WfdbPartReads(WfdbHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        _header = header;
        _frames = WfdbSignalReader.FrameCount(header);
    }

    /// <summary>Adds the decoded stored frames [<paramref name="from"/>, <paramref name="to"/>) of one signal file.</summary>
    internal void Add(WfdbSignalReader.FileGroup g, ReadOnlySpan<int> samples, long from, long to)
    {
        lock (_lock)
        {
            var (next, sums) = _files.TryGetValue(g.Signals[0], out var f) ? f : (0, new int[g.Signals.Length]);
            // Frames past a gap (a block that was never read) wait for a read that covers it; frames already added (a
            // skewed signal's read overlaps the one before, format 8 decodes from the start) are not added twice.
            if (from > next || to <= next) return;
            WfdbSignalReader.AddToChecksums(_header, g, samples[(int)((next - from) * g.FrameSamples)..], sums);
            _files[g.Signals[0]] = (to, sums);
        }
    }

    /// <summary>
    /// For a format-8 file: the frame at or before <paramref name="from"/> at which decoding can resume, with the running
    /// values there written to <paramref name="values"/>; null (values untouched) when none is kept that early enough.
    /// </summary>
    internal long? TryResumeFormat8(WfdbSignalReader.FileGroup g, long from, Span<int> values)
    {
        lock (_lock)
        {
            if (!_format8.TryGetValue(g.Signals[0], out var kept) || kept.Frame > from) return null;
            kept.Values.CopyTo(values);
            return kept.Frame;
        }
    }

    /// <summary>Keeps a format-8 file's running values before <paramref name="frame"/> (see <see cref="TryResumeFormat8"/>).</summary>
    internal void SaveFormat8(WfdbSignalReader.FileGroup g, long frame, ReadOnlySpan<int> values)
    {
        lock (_lock)
        {
            // one array per file, reused part after part
            var kept = _format8.TryGetValue(g.Signals[0], out var k) && k.Values.Length == values.Length ? k.Values : new int[values.Length];
            values.CopyTo(kept);
            _format8[g.Signals[0]] = (frame, kept);
        }
    }

    /// <summary>
    /// Throws the whole-record read's <see cref="EcgFormatException"/> (field 'checksum') for a signal whose samples do
    /// not sum to its header's checksum. Returns the signal files it could not check because not every frame of them was
    /// read (a block dropped, no selected signal in the file, a read that stopped early); files whose header gives no
    /// checksum are neither checked nor listed. May be called again: it checks what has been read by then.
    /// </summary>
    public IReadOnlyList<string> Verify()
    {
        lock (_lock)
        {
            var unverified = new List<string>();
            foreach (var g in WfdbSignalReader.Groups(_header))
            {
                bool given = false;
                foreach (int s in g.Signals) given |= _header.Signals[s].Checksum is not null;
                if (!given) continue;
                var (next, sums) = _files.TryGetValue(g.Signals[0], out var f) ? f : (0, new int[g.Signals.Length]);
                if (next >= _frames) WfdbSignalReader.VerifyChecksums(_header, g, sums);
                else unverified.Add(g.Path);
            }
            return unverified;
        }
    }
}
