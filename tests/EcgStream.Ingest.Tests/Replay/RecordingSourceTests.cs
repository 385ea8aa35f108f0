using System.Reactive.Concurrency;
using System.Reactive.Linq;
using EcgStream.Core.Leads;
using EcgStream.Ingest.Replay;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Reactive.Testing;

namespace EcgStream.Ingest.Tests.Replay;

public class RecordingSourceTests
{
    private static float[][] Ramp(int leads, int length) =>
        Enumerable.Range(0, leads).Select(l => Enumerable.Range(0, length).Select(i => l * 10_000f + i).ToArray()).ToArray();

    [Fact]
    public void Paced_replay_delivers_each_block_when_its_last_sample_is_due()
    {
        // Virtual time (TestScheduler ticks are TimeSpan ticks): at speed 2 the block that ends at
        // second k of the recording is due at k/2 s, and the stream completes after the last block.
        var scheduler = new TestScheduler();
        var planes = Ramp(2, 1000); // 10 s at 100 Hz
        var blocks = scheduler.CreateObserver<(long Start, int Length)>();
        RecordingSource.Play(100, LeadSet.Of(Lead.I, Lead.II), planes,
                new ReplayOptions { Speed = 2, BlockSeconds = 1, Scheduler = scheduler, StreamId = "bed3" })
            .Select(b => (b.StartSample, b.Length))   // the block buffer is reused: record its fields, not the block
            .Subscribe(blocks);

        scheduler.AdvanceBy(Ticks(2.6));
        Assert.Equal(5, blocks.Messages.Count);      // blocks ending at 1..5 s of stream time, due at 0.5..2.5 s
        scheduler.Start();
        var expected = Enumerable.Range(1, 10)
            .Select(k => ReactiveTest.OnNext(Ticks(k / 2.0), (100L * (k - 1), 100)))
            // Completion is scheduled "now" after the last block; TestScheduler runs such work one tick later.
            .Append(ReactiveTest.OnCompleted<(long, int)>(Ticks(5) + 1));
        Assert.Equal(expected, blocks.Messages);
    }

    private static long Ticks(double seconds) => TimeSpan.FromSeconds(seconds).Ticks;

    /// <summary>Whatever the block duration, concatenating the blocks gives back the recording, lead by lead.</summary>
    [Property]
    public Property Blocks_concatenate_to_the_recording_for_any_block_duration() =>
        Prop.ForAll(Gen.Choose(1, 500).ToArbitrary(), Gen.Choose(1, 3000).ToArbitrary(), (blockMs, length) =>
        {
            var planes = Ramp(3, length);
            var leads = LeadSet.Of(Lead.I, Lead.V1, Lead.V6);
            var got = Enumerable.Range(0, 3).Select(_ => new List<float>()).ToArray();
            long expectedStart = 0;
            bool contiguous = true;
            RecordingSource.Play(360, leads, planes, new ReplayOptions { BlockSeconds = blockMs / 1000.0, Scheduler = ImmediateScheduler.Instance })
                .ForEachAsync(b =>
                {
                    contiguous &= b.StartSample == expectedStart && b.Leads == leads && b.SampleRate == 360;
                    expectedStart = b.EndSample;
                    for (int p = 0; p < 3; p++) got[p].AddRange(b.Plane(p).ToArray());
                }).Wait();
            return contiguous && Enumerable.Range(0, 3).All(p => got[p].SequenceEqual(planes[p]));
        });

    [Fact]
    public void Dropped_blocks_show_as_gaps_in_sample_index_and_sequence_number()
    {
        var blocks = RecordingSource.Play(100, LeadSet.Of(Lead.II), Ramp(1, 100_000),
                new ReplayOptions { BlockSeconds = 1, DropProbability = 0.1, FaultSeed = 7, Scheduler = ImmediateScheduler.Instance })
            .Select(b => (b.StartSample, b.Sequence, First: b.Plane(0)[0])).ToList().Wait();
        Assert.InRange(blocks.Count, 850, 950);
        Assert.All(blocks, b => Assert.Equal(b.Sequence * 100, b.StartSample));
        Assert.All(blocks, b => Assert.Equal(b.StartSample, (long)b.First)); // data belong to their position
        var again = RecordingSource.Play(100, LeadSet.Of(Lead.II), Ramp(1, 100_000),
                new ReplayOptions { BlockSeconds = 1, DropProbability = 0.1, FaultSeed = 7, Scheduler = ImmediateScheduler.Instance })
            .Select(b => b.Sequence).ToList().Wait();
        Assert.Equal(blocks.Select(b => b.Sequence), again); // reproducible
    }

    [Fact]
    public void A_consumer_exception_stops_the_replay_without_escaping_into_the_scheduler()
    {
        int calls = 0;
        var ex = Record.Exception(() => RecordingSource.Play(100, LeadSet.Of(Lead.II), Ramp(1, 1000), new ReplayOptions { Scheduler = ImmediateScheduler.Instance })
            .Subscribe(_ => { calls++; throw new InvalidOperationException("sink failed"); }));
        Assert.Null(ex);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void Invalid_arguments_name_what_is_wrong()
    {
        var planes = Ramp(2, 10);
        Assert.Contains("2 sample arrays for 1 leads", Assert.Throws<ArgumentException>(() => RecordingSource.Play(100, LeadSet.Of(Lead.I), planes)).Message);
        Assert.Equal("sampleRate", Assert.Throws<ArgumentOutOfRangeException>(() => RecordingSource.Play(0, LeadSet.Of(Lead.I, Lead.II), planes)).ParamName);
        Assert.Equal("Speed", Assert.Throws<ArgumentOutOfRangeException>(() => RecordingSource.Play(100, LeadSet.Of(Lead.I, Lead.II), planes, new ReplayOptions { Speed = 0 })).ParamName);
    }
}
