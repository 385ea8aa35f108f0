using EcgStream.Formats.Wfdb;
using W = EcgStream.Formats.Wfdb.Wfdb;

namespace EcgStream.Formats.Tests.Wfdb;

/// <summary>
/// <see cref="WfdbPartReads"/>: a record read in consecutive parts (as replay streams it) has its checksums checked at the
/// end exactly as a whole-record read checks them (same verdict, same message), each stored frame counted once.
/// </summary>
public sealed class PartReadChecksumTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Reads every frame of <paramref name="channels"/> in parts of <paramref name="part"/> frames, all into one accumulator, skipping part number <paramref name="skip"/>.</summary>
    private static WfdbPartReads ReadInParts(WfdbHeader h, int part, IReadOnlyList<int>? channels = null, int skip = -1)
    {
        var sums = new WfdbPartReads(h);
        long n = W.FrameCount(h);
        for (long from = 0, i = 0; from < n; from += part, i++)
            if (i != skip) W.ReadRecord(h, from, Math.Min(n, from + part), channels, sums);
        return sums;
    }

    /// <summary>The header of <paramref name="record"/> with signal <paramref name="signal"/>'s checksum (7th field) off by one.</summary>
    private static void CorruptChecksum(string record, int signal)
    {
        var lines = File.ReadAllLines(record + ".hea");
        var f = lines[1 + signal].Split(' ');
        f[6] = (short.Parse(f[6]) == short.MaxValue ? short.MinValue : short.Parse(f[6]) + 1).ToString();
        if (f[6] == "0") f[6] = "1";   // 0 everywhere would read as "not given"
        lines[1 + signal] = string.Join(' ', f);
        File.WriteAllLines(record + ".hea", lines);
    }

    /// <summary>The part read fails at <see cref="WfdbPartReads.Verify"/> with the message the whole read fails with.</summary>
    private static void AssertSameVerdictAsWholeRead(string record, int part)
    {
        string whole = Assert.Throws<EcgFormatException>(() => W.ReadRecord(record)).Message;
        var sums = ReadInParts(W.ReadHeader(record), part);
        Assert.Equal(whole, Assert.Throws<EcgFormatException>(() => sums.Verify()).Message);
        Assert.Contains("checksum mismatch", whole);
    }

    [Theory]
    [InlineData(16, 1)]
    [InlineData(16, 7)]
    [InlineData(16, 250)]
    [InlineData(212, 7)]      // parts start inside 212 pairs
    [InlineData(310, 5)]      // and inside 310/311 triples
    [InlineData(311, 100)]
    [InlineData(80, 1000)]
    public void Parts_sum_to_the_header_s_checksums_and_a_wrong_one_is_the_whole_read_s_error(int format, int part)
    {
        var (record, _) = Synthetic.Make(3, 1001, format is 80 ? 8 : format is 310 or 311 ? 10 : 12, 200, 0);
        W.WriteRecord(_dir.Path, record, new WfdbWriteOptions { Format = format });
        string rec = _dir.File("synth");
        Assert.Empty(ReadInParts(W.ReadHeader(rec), part).Verify());
        CorruptChecksum(rec, 2);
        AssertSameVerdictAsWholeRead(rec, part);
    }

    [Fact]
    public void Skewed_signals_whose_reads_overlap_count_each_frame_once()
    {
        // a skew widens every part's decode past its end: counted twice, the sums would be wrong for a good record
        var (record, _) = Synthetic.Make(2, 1000, 12, 200, 0);
        W.WriteRecord(_dir.Path, record, new WfdbWriteOptions { Format = 212 });
        string rec = _dir.File("synth");
        File.WriteAllText(rec + ".hea", File.ReadAllText(rec + ".hea").Replace("synth.dat 212 ", "synth.dat 212:3 "));
        Assert.Contains(":3", File.ReadAllText(rec + ".hea"));
        foreach (int part in new[] { 1, 2, 9, 333 })
            Assert.Empty(ReadInParts(W.ReadHeader(rec), part).Verify());
        CorruptChecksum(rec, 0);
        AssertSameVerdictAsWholeRead(rec, 9);
    }

    [Fact]
    public void Format_8_which_decodes_from_the_start_for_every_part_counts_each_frame_once()
    {
        const int frames = 300;
        var rng = new Random(3);
        var diffs = new byte[2 * frames];
        int[] acc = [5, -9], sum = [0, 0];
        for (int f = 0; f < frames; f++)
            for (int k = 0; k < 2; k++)
            {
                int d = rng.Next(-4, 5);
                diffs[2 * f + k] = (byte)(sbyte)d;
                acc[k] += d;
                sum[k] += acc[k];
            }
        File.WriteAllText(_dir.File("d8.hea"),
            $"d8 2 100 {frames}\nd8.dat 8 100 8 0 5 {(short)sum[0]} 0 a\nd8.dat 8 100 8 0 -9 {(short)sum[1]} 0 b\n");
        File.WriteAllBytes(_dir.File("d8.dat"), diffs);
        string rec = _dir.File("d8");
        W.ReadRecord(rec);   // the whole read agrees with the sums computed here
        Assert.Empty(ReadInParts(W.ReadHeader(rec), 7).Verify());
        CorruptChecksum(rec, 1);
        AssertSameVerdictAsWholeRead(rec, 7);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(250)]
    [InlineData(4999)]
    public void Format_8_read_in_parts_resumes_its_running_values_and_gives_the_whole_reads_samples(int part)
    {
        // a streamed read resumes format 8's integration where the previous part left it (each part decoding from frame 0
        // made a replay quadratic in the record's length); the samples must be the whole read's, in any order of parts
        const int frames = 5000;
        var rng = new Random(part);
        var diffs = new byte[2 * frames];
        for (int i = 0; i < diffs.Length; i++) diffs[i] = (byte)(sbyte)rng.Next(-6, 7);
        File.WriteAllText(_dir.File("r8.hea"), $"r8 2 100 {frames}\nr8.dat 8 100 8 0 12 0 0 a\nr8.dat 8 100 8 0 -30 0 0 b\n");
        File.WriteAllBytes(_dir.File("r8.dat"), diffs);
        var h = W.ReadHeader(_dir.File("r8"));
        var whole = W.ReadRecord(h, 0, frames);
        var sums = new WfdbPartReads(h);
        var parts = new List<(long From, long To)>();
        for (long from = 0; from < frames; from += part) parts.Add((from, Math.Min(frames, from + part)));
        // in order, then a few again out of order (a seek back must not resume from a later frame)
        foreach (var (from, to) in parts.Concat(parts.OrderBy(_ => rng.Next()).Take(5)))
        {
            var got = W.ReadRecord(h, from, to, null, sums);
            for (int c = 0; c < 2; c++)
                Assert.Equal(whole.Samples[c].AsSpan((int)from, (int)(to - from)).ToArray(), got.Samples[c]);
        }
    }

    [Fact]
    public void Several_samples_per_frame_are_all_counted()
    {
        var lines = "m 2 100 4\nm.dat 16x2 100 16 0 1 36 0 a\nm.dat 16 100 16 0 100 406 0 b\n";
        File.WriteAllText(_dir.File("m.hea"), lines);
        short[] stream = [1, 2, 100, 3, 4, 101, 5, 6, 102, 7, 8, 103];   // a: 1..8 (sum 36); b: 100..103 (sum 406)
        var bytes = new byte[2 * stream.Length];
        for (int i = 0; i < stream.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(2 * i), stream[i]);
        File.WriteAllBytes(_dir.File("m.dat"), bytes);
        string rec = _dir.File("m");
        W.ReadRecord(rec);
        Assert.Empty(ReadInParts(W.ReadHeader(rec), 1).Verify());
        CorruptChecksum(rec, 0);
        AssertSameVerdictAsWholeRead(rec, 3);
    }

    [Fact]
    public void A_part_never_read_leaves_the_file_unchecked_rather_than_wrongly_refused()
    {
        var (record, _) = Synthetic.Make(2, 1000, 16, 200, 0);
        W.WriteRecord(_dir.Path, record);
        string rec = _dir.File("synth");
        CorruptChecksum(rec, 0);
        // a dropped block: the sums cannot be complete, so no verdict, and the file is named as not checked
        var sums = ReadInParts(W.ReadHeader(rec), 100, skip: 4);
        Assert.Equal([_dir.File("synth.dat")], sums.Verify());
        // nothing read at all: the same
        Assert.Equal([_dir.File("synth.dat")], new WfdbPartReads(W.ReadHeader(rec)).Verify());
    }

    [Fact]
    public void Only_the_signal_files_a_part_read_decodes_are_checked()
    {
        // two signal files: reading channel 0 decodes only a.dat; b.dat is named as not checked
        var (r, _) = Synthetic.Make(2, 500, 16, 200, 0);
        W.WriteRecord(_dir.Path, new Recording { Name = "a", SampleRate = 250, Signals = [r.Signals[0]], Samples = [r.Samples[0]] });
        W.WriteRecord(_dir.Path, new Recording { Name = "b", SampleRate = 250, Signals = [r.Signals[1]], Samples = [r.Samples[1]] });
        string a = File.ReadAllLines(_dir.File("a.hea"))[1], b = File.ReadAllLines(_dir.File("b.hea"))[1];
        File.WriteAllText(_dir.File("ab.hea"), $"ab 2 250 500\n{a}\n{b}\n");
        string rec = _dir.File("ab");
        Assert.Equal([_dir.File("b.dat")], ReadInParts(W.ReadHeader(rec), 64, channels: [0]).Verify());
        Assert.Empty(ReadInParts(W.ReadHeader(rec), 64).Verify());
        CorruptChecksum(rec, 0);
        Assert.Throws<EcgFormatException>(() => ReadInParts(W.ReadHeader(rec), 64, channels: [0]).Verify());
    }
}
