using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using EcgStream.Core.Samples;

namespace EcgStream.Daemon.Sinks;

/// <summary>
/// Records one bed's raw samples (after the bed's stream-time alignment) as WFDB records in
/// <c>DIR/</c>: one record per segment, <c>BED_RUNSTAMP_NNNN.dat</c> (format 16, multiplexed, one
/// signal per lead at <see cref="Gain"/> adu/mV) and <c>.hea</c>, each listed in <c>DIR/RECORDS</c>.
/// <para>Crash safety: the .dat is written unbuffered (every block is a write(2) as it arrives, so a
/// killed process loses only the block in hand) and fsync'ed at most <see cref="SyncSeconds"/> after
/// a write (for a power cut). A segment's header is written when it opens without a length, so that
/// WFDB readers take the length from the .dat; when the segment closes (rotation, a stream change,
/// shutdown) the header is replaced (atomically) by one with the length, base time and checksums.</para>
/// <para>Gaps: a jump in stream time up to <see cref="MaxFillSeconds"/> is written as WFDB's invalid
/// sample (-32768 in format 16), never as signal; a longer jump, a step back, or a change of rate or
/// leads starts a new segment (its header notes the UTC time of its first block).</para>
/// </summary>
public sealed class WfdbRecorder : IDisposable
{
    /// <summary>WFDB's invalid-sample marker in format 16.</summary>
    public const short Invalid = short.MinValue;

    private readonly Lock _gate = new();
    private readonly string _bed;
    private readonly string _prefix;
    private Segment? _segment;
    private int _nextSegment;
    private byte[] _bytes = [];

    /// <param name="directory">Where the bed's segments go (created when missing).</param>
    /// <param name="bedId">Names the records (characters other than letters, digits and '_' become '_').</param>
    /// <param name="runStamp">The run's start ("20261203T191900Z"): segments of different runs never share a name.</param>
    public WfdbRecorder(string directory, string bedId, string runStamp, double segmentSeconds, double gain, double maxFillSeconds, double syncSeconds = 1)
    {
        if (!(segmentSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(segmentSeconds), segmentSeconds, "must be positive");
        if (!(gain > 0) || !double.IsFinite(gain)) throw new ArgumentOutOfRangeException(nameof(gain), gain, "must be positive and finite");
        Directory = directory;
        _bed = bedId;
        var safe = new StringBuilder();
        foreach (char c in bedId + "_" + runStamp) safe.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        _prefix = safe.ToString();
        SegmentSeconds = segmentSeconds;
        Gain = gain;
        MaxFillSeconds = maxFillSeconds;
        SyncSeconds = syncSeconds;
        System.IO.Directory.CreateDirectory(directory);
    }

    public string Directory { get; }
    public double SegmentSeconds { get; }
    /// <summary>ADC units per millivolt (1000: 1 µV per unit, ±32.767 mV).</summary>
    public double Gain { get; }
    public double MaxFillSeconds { get; }
    public double SyncSeconds { get; }
    /// <summary>Record names of the segments this run opened, in order.</summary>
    public List<string> Segments { get; } = [];
    /// <summary>Invalid samples written for gaps (frames × leads).</summary>
    public long GapSamples { get; private set; }

    /// <summary>Appends a block (stream-aligned by the bed). Called on the bed's source thread.</summary>
    public void Write(in SampleBlock block)
    {
        lock (_gate)
        {
            var s = _segment;
            if (s is not null)
            {
                long gap = block.StartSample - s.NextSample;
                bool sameStream = block.SampleRate == s.Rate && block.Leads == s.Leads;
                if (!sameStream || gap < 0 || gap > MaxFillSeconds * s.Rate) { CloseSegment(); s = null; }
                else if (gap > 0) WriteInvalid(s, gap);
            }
            s ??= OpenSegment(block);
            int nsig = block.Leads.Count, n = block.Length;
            int need = n * nsig * 2;
            if (_bytes.Length < need) _bytes = new byte[need];
            var span = _bytes.AsSpan(0, need);
            for (int p = 0; p < nsig; p++)
            {
                var plane = block.Plane(p);
                for (int i = 0; i < n; i++)
                {
                    float v = plane[i];
                    short q = float.IsNaN(v) ? Invalid : (short)Math.Clamp(Math.Round(v * Gain), -32767, 32767);
                    if (s.Frames == 0 && i == 0) s.Initial[p] = q;
                    s.Checksum[p] += q;
                    BinaryPrimitives.WriteInt16LittleEndian(span.Slice((i * nsig + p) * 2), q);
                }
            }
            s.Dat.Write(span);
            s.Frames += n;
            s.NextSample = block.EndSample;
            SyncIfDueLocked();
            if (s.Frames >= SegmentSeconds * s.Rate) CloseSegment();
        }
    }

    /// <summary>fsync's the open segment if it has unsynced data older than <see cref="SyncSeconds"/>; called on a timer too.</summary>
    public void SyncIfDue()
    {
        lock (_gate) SyncIfDueLocked();
    }

    /// <summary>Closes the open segment (its header gets length, base time and checksums).</summary>
    public void Close()
    {
        lock (_gate) CloseSegment();
    }

    public void Dispose() => Close();

    private void SyncIfDueLocked()
    {
        var s = _segment;
        if (s is null || s.SyncedFrames == s.Frames) return;
        if (Stopwatch.GetElapsedTime(s.LastSync).TotalSeconds < SyncSeconds) return;
        s.Dat.Flush(flushToDisk: true);
        s.SyncedFrames = s.Frames;
        s.LastSync = Stopwatch.GetTimestamp();
    }

    private void WriteInvalid(Segment s, long frames)
    {
        // frames ≤ MaxFillSeconds × rate (the caller checked): one write
        int nsig = s.Leads.Count;
        int need = checked((int)frames * nsig * 2);
        if (_bytes.Length < need) _bytes = new byte[need]; // the block buffer, grown once to the longest fill
        var bytes = _bytes.AsSpan(0, need);
        for (int i = 0; i < bytes.Length; i += 2) BinaryPrimitives.WriteInt16LittleEndian(bytes[i..], Invalid);
        s.Dat.Write(bytes);
        for (int p = 0; p < nsig; p++) s.Checksum[p] += unchecked((int)(frames * Invalid));
        s.Frames += frames;
        GapSamples += frames * nsig;
    }

    private Segment OpenSegment(in SampleBlock block)
    {
        string name;
        do name = $"{_prefix}_{_nextSegment++:D4}";
        while (File.Exists(Path.Combine(Directory, name + ".hea")));
        // unbuffered: each block is one write(2), in the page cache at once, so kill -9 cannot lose it
        var dat = new FileStream(Path.Combine(Directory, name + ".dat"), FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
        var s = new Segment(name, dat, block.SampleRate, block.Leads, block.StartSample,
            DateTimeOffset.UtcNow - TimeSpan.FromSeconds(block.Length / block.SampleRate));
        _segment = s;
        WriteHeader(s, final: false);
        File.AppendAllText(Path.Combine(Directory, "RECORDS"), name + "\n");
        Segments.Add(name);
        return s;
    }

    private void CloseSegment()
    {
        var s = _segment;
        if (s is null) return;
        _segment = null;
        s.Dat.Flush(flushToDisk: true);
        s.Dat.Dispose();
        WriteHeader(s, final: true);
    }

    private void WriteHeader(Segment s, bool final)
    {
        var inv = CultureInfo.InvariantCulture;
        var h = new StringBuilder();
        h.Append(s.Name).Append(' ').Append(s.Leads.Count).Append(' ').Append(s.Rate.ToString("R", inv));
        // open segment: no length, so readers take it from the .dat (whatever a crash left)
        if (final)
            h.Append(' ').Append(s.Frames).Append(' ').Append(s.StartUtc.ToString("HH:mm:ss.fff", inv)).Append(' ').Append(s.StartUtc.ToString("dd/MM/yyyy", inv));
        h.Append('\n');
        int p = 0;
        foreach (var lead in s.Leads)
        {
            h.Append(s.Name).Append(".dat 16 ").Append(Gain.ToString("R", inv)).Append("(0)/mV 16 0 ")
             .Append(final && s.Frames > 0 ? s.Initial[p] : 0).Append(' ')
             .Append(final ? unchecked((short)s.Checksum[p]) : 0).Append(" 0 ")
             .Append(Core.Leads.Leads.Name(lead)).Append('\n');
            p++;
        }
        h.Append("# ecgstreamd recording of bed ").Append(_bed).Append('\n');
        h.Append("# start_utc: ").Append(s.StartUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", inv)).Append('\n');
        h.Append("# stream_start_sample: ").Append(s.StartSample.ToString(inv)).Append('\n');
        h.Append("# invalid samples (-32768) mark gaps in the stream\n");
        string path = Path.Combine(Directory, s.Name + ".hea");
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, h.ToString(), new UTF8Encoding(false));
        File.Move(tmp, path, overwrite: true);
    }

    private sealed class Segment(string name, FileStream dat, double rate, Core.Leads.LeadSet leads, long startSample, DateTimeOffset startUtc)
    {
        public readonly string Name = name;
        public readonly FileStream Dat = dat;
        public readonly double Rate = rate;
        public readonly Core.Leads.LeadSet Leads = leads;
        public readonly long StartSample = startSample;
        public readonly DateTimeOffset StartUtc = startUtc;
        public readonly int[] Initial = new int[leads.Count];
        public readonly int[] Checksum = new int[leads.Count];
        public long NextSample = startSample;
        public long Frames;
        public long SyncedFrames;
        public long LastSync = Stopwatch.GetTimestamp();
    }
}
