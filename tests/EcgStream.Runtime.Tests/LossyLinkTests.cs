using System.Reactive.Subjects;
using EcgStream.Core.Events;
using EcgStream.Core.Leads;
using EcgStream.Core.Samples;
using EcgStream.Runtime.Pipeline;
using EcgStream.Synthetic;

namespace EcgStream.Runtime.Tests;

/// <summary>A lossy link is a gap in the data, not a lead coming off.</summary>
public class LossyLinkTests
{
    [Fact]
    public void One_percent_dropped_frames_over_10_minutes_raise_no_LEAD_OFF_and_every_gap_is_reported_exactly()
    {
        const double fs = 500;
        const int spf = 10;                     // 20 ms frames, as the wire protocol's default
        var leads = LeadSet.Of(Lead.I, Lead.II, Lead.V1);
        var source = new SyntheticEcgStream(new Scenario
        {
            Seed = 23, SampleRate = fs, Leads = leads, Noise = new NoiseSpec { Snr = 24 },
            Segments = [new ScenarioSegment("SR", 600, HeartRate: 72)],
        });
        var events = new List<RhythmEvent>();
        var input = new Subject<SampleBlock>();
        using var _ = BedPipeline.Events(input).Subscribe(events.Add);

        var rng = new Random(1313);
        var planar = new float[leads.Count * spf];
        var expected = new List<(long Start, long End)>(); // missing [Start, End) in samples
        long position = 0, dropped = 0, frames = 0;
        ushort deviceLeadOff = 0;
        while (source.Read(planar, spf) == spf)
        {
            frames++;
            deviceLeadOff |= source.LastLeadOff.Mask;
            if (rng.NextDouble() < 0.01)
            {
                dropped++;
                if (expected.Count > 0 && expected[^1].End == position) expected[^1] = (expected[^1].Start, position + spf);
                else expected.Add((position, position + spf));
            }
            else input.OnNext(new SampleBlock("lossy", position, fs, leads, spf, planar, source.LastLeadOff));
            position += spf;
        }
        input.OnCompleted();

        Assert.Equal(30_000, frames);
        Assert.InRange(dropped, 250, 350);             // ≈ 1 % of 30 000 frames
        Assert.Equal(0, deviceLeadOff);               // the device never reported a lead off ...
        Assert.DoesNotContain(events, e => e.Rhythm == "LEAD_OFF"); // ... so neither does the pipeline
        // a gap that ends the stream is never reported (no block follows it)
        if (expected[^1].End == position) expected.RemoveAt(expected.Count - 1);
        var gaps = events.Where(e => e.Rhythm == "GAP" && e.Kind == EventKind.Offset).ToList();
        Assert.Equal(expected.Count, gaps.Count);
        for (int i = 0; i < gaps.Count; i++)
        {
            Assert.Equal(expected[i].Start / fs, gaps[i].StartSeconds, 9);
            Assert.Equal(expected[i].End / fs, gaps[i].EndSeconds!.Value, 9);
        }
        Assert.Equal(gaps.Count, events.Count(e => e.Rhythm == "GAP" && e.Kind == EventKind.Onset));
        Assert.DoesNotContain(events, e => e.Rhythm == "STREAM_RESTART");
    }

    [Fact]
    public void A_gap_beyond_the_fill_bound_restarts_the_signal_chain_instead_of_synthesising_it()
    {
        var leads = LeadSet.Of(Lead.II);
        var events = new List<RhythmEvent>();
        var input = new Subject<SampleBlock>();
        using var _ = BedPipeline.Events(input, BedOptions.Default with { MaxGapFillSeconds = 5 }).Subscribe(events.Add);
        var samples = new float[250];
        for (int i = 0; i < samples.Length; i++) samples[i] = (float)Math.Sin(i * 0.1);
        input.OnNext(new SampleBlock("b", 0, 250, leads, 250, samples));
        // a jump of 4e12 samples (≈ 507 years at 250 Hz): reported, not filled
        input.OnNext(new SampleBlock("b", 4_000_000_000_000, 250, leads, 250, samples));
        input.OnNext(new SampleBlock("b", 4_000_000_000_250, 250, leads, 250, samples));
        var gap = Assert.Single(events, e => e.Rhythm == "GAP" && e.Kind == EventKind.Offset);
        Assert.Equal(1.0, gap.StartSeconds);
        Assert.Equal(16_000_000_000.0, gap.EndSeconds);
        var restart = Assert.Single(events, e => e.Rhythm == "STREAM_RESTART" && e.Kind == EventKind.Onset);
        Assert.Equal(16_000_000_000.0, restart.StartSeconds);
        Assert.DoesNotContain(events, e => e.Rhythm == "LEAD_OFF");
    }
}
