using System.Reactive.Linq;
using EcgStream.Core.Leads;
using EcgStream.Formats;
using EcgStream.Formats.Wfdb;
using EcgStream.Ingest.Replay;

namespace EcgStream.Ingest.Tests.Replay;

/// <summary>Replay from disk holds a block, not the record.</summary>
public class StreamedReplayTests
{
    [Fact]
    public async Task A_record_longer_than_any_array_plays_through_reads_of_one_block_each()
    {
        // 3·10⁹ frames: more than an array can hold, so only block-sized reads can play it
        const long length = 3_000_000_000;
        var reads = new List<(long From, int Count)>();
        var blocks = await RecordingSource.Play(500, LeadSet.Of(Lead.I, Lead.II), length, (from, count, dest) =>
            {
                Assert.Equal(2 * count, dest.Length);
                lock (reads) reads.Add((from, count));
                for (int p = 0; p < 2; p++)
                    for (int i = 0; i < count; i++) dest[p * count + i] = (from + i) % 1000 + p * 1000;
            }, new ReplayOptions { BlockSeconds = 0.25 })
            .Take(4)
            .Select(b => (b.StartSample, b.Length, First: b.Plane(1)[0], Last: b.Plane(0)[b.Length - 1]))
            .ToList();
        List<(long From, int Count)> seen;
        lock (reads) seen = [.. reads];
        // the player may read ahead before it sees the unsubscription (a few blocks on a quiet machine, 585 once on a
        // loaded CI machine: reads of 125 frames take microseconds), but every read is one block, in order: never the
        // record, whose 24 million blocks no bound here comes near
        Assert.Equal([(0L, 125), (125L, 125), (250L, 125), (375L, 125)], seen.Take(4));
        Assert.InRange(seen.Count, 4, 20_000);
        Assert.All(seen.Select((r, i) => (r, i)), x => Assert.Equal((125L * x.i, 125), x.r));
        Assert.Equal([(0L, 125, 1000f, 124f), (125L, 125, 1125f, 249f), (250L, 125, 1250f, 374f), (375L, 125, 1375f, 499f)], blocks);
    }

    [Fact]
    public async Task A_streamed_WFDB_record_plays_exactly_what_the_whole_read_holds_block_by_block()
    {
        var dir = Directory.CreateTempSubdirectory("ecgstream-streamed-").FullName;
        string[] names = ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"];
        int n = 500 * 7 + 33;   // a last block shorter than the others
        var samples = names.Select((_, c) => Enumerable.Range(0, n).Select(i => MathF.Round(MathF.Sin(i * 0.01f + c) * 2000) / 1000f).ToArray()).ToArray();
        Wfdb.WriteRecord(dir, new Recording
        {
            Name = "s12", SampleRate = 500, Samples = samples,
            Signals = names.Select(s => new SignalInfo { Name = s, AdcGain = 1000 }).ToList(),
        });
        var whole = Wfdb.ReadRecord(Path.Combine(dir, "s12"));
        var streamed = StreamedRecording.OpenWfdb(Path.Combine(dir, "s12"));
        Assert.Equal(n, streamed.Length);
        Assert.Equal(500, streamed.SampleRate);

        var got = names.Select(_ => new List<float>()).ToArray();
        int biggest = 0;
        await RecordingSource.Play(streamed, new ReplayOptions { BlockSeconds = 0.25, Scheduler = System.Reactive.Concurrency.ImmediateScheduler.Instance })
            .Do(b => biggest = Math.Max(biggest, b.Length))
            .ForEachAsync(b => { for (int p = 0; p < b.Leads.Count; p++) got[p].AddRange(b.Plane(p).ToArray()); });
        Assert.Equal(125, biggest);
        // the block's lead order is LeadSet order; map it back to the record's channels by name
        var leads = RecordingLeads.Map("s12", streamed.Signals);
        for (int p = 0; p < leads.Channels.Count; p++)
            Assert.Equal(whole.Samples[leads.Channels[p]], got[p]);
        Assert.Empty(streamed.UncheckedChecksumFiles());   // every checksum was checked on the way
    }

    [Fact]
    public async Task A_checksum_mismatch_ends_the_stream_at_its_last_block_with_the_whole_read_s_error()
    {
        var dir = Directory.CreateTempSubdirectory("ecgstream-streamed-").FullName;
        int n = 500 * 3 + 7;
        var samples = new[] { 0, 1 }.Select(c => Enumerable.Range(0, n).Select(i => MathF.Round(MathF.Sin(i * 0.02f + c) * 1500) / 1000f).ToArray()).ToArray();
        Wfdb.WriteRecord(dir, new Recording
        {
            Name = "bad", SampleRate = 500, Samples = samples,
            Signals = [new SignalInfo { Name = "I", AdcGain = 1000 }, new SignalInfo { Name = "II", AdcGain = 1000 }],
        });
        string hea = Path.Combine(dir, "bad.hea");
        var lines = File.ReadAllLines(hea);
        var f = lines[2].Split(' ');
        f[6] = (short.Parse(f[6]) is var v && v == -1 ? 1 : (short)(v + 1)).ToString();   // never 0 ("not given")
        lines[2] = string.Join(' ', f);
        File.WriteAllLines(hea, lines);
        string expected = Assert.Throws<EcgFormatException>(() => Wfdb.ReadRecord(Path.Combine(dir, "bad"))).Message;

        var streamed = StreamedRecording.OpenWfdb(Path.Combine(dir, "bad"));
        int delivered = 0;
        var e = await Assert.ThrowsAsync<EcgFormatException>(() => RecordingSource.Play(streamed,
                new ReplayOptions { BlockSeconds = 0.25, Scheduler = System.Reactive.Concurrency.ImmediateScheduler.Instance })
            .ForEachAsync(_ => delivered++));
        Assert.Equal(expected, e.Message);
        Assert.Equal(12, delivered);   // the blocks before the last: a stream cannot take back what it has played
    }
}
