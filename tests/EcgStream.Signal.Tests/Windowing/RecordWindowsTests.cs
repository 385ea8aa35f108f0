using EcgStream.Core.Leads;
using EcgStream.Core.Models;
using EcgStream.Core.Samples;
using EcgStream.Signal.Preprocessing;
using EcgStream.Signal.Windowing;

namespace EcgStream.Signal.Tests.Windowing;

public class RecordWindowsTests
{
    private static float[] Channel(int length, double rate, double hz, double offset) =>
        Enumerable.Range(0, length).Select(i => (float)(offset + Math.Sin(2 * Math.PI * hz * i / rate))).ToArray();

    [Fact]
    public void Windows_are_the_preprocessed_record_cut_after_the_warm_up_every_hop_and_standardised()
    {
        const double rate = 500;
        var leads = LeadSet.Of(Lead.II, Lead.V2);
        var channels = new[] { Channel(30_000, rate, 1.3, 0.5), Channel(30_000, rate, 7, -2) };  // 60 s
        var windows = RecordWindows.Cut(channels, rate, leads, hopSeconds: 4, warmupSeconds: 1);
        var planes = EcgPreprocessor.ProcessRecord(channels, rate, leads);

        Assert.Equal(leads, windows.Leads);
        Assert.Equal((planes[0].Length - 250 - ModelContract.WindowSamples) / 1000 + 1, windows.Count);
        Assert.Equal(250 + 3 * 1000, windows.Start(3));
        Assert.Equal(13.0 - new EcgPreprocessor(rate, leads).DelaySeconds, windows.StartSeconds(3), 9);
        Assert.Throws<ArgumentOutOfRangeException>(() => windows.Start(windows.Count));

        var window = new float[RecordWindows.WindowValues];
        Assert.True(windows.TryCopy(3, window, out var usable3));
        Assert.Equal(leads, usable3);
        var expected = new float[RecordWindows.WindowValues];
        planes[0].AsSpan(3250, ModelContract.WindowSamples).CopyTo(expected.AsSpan((int)Lead.II * ModelContract.WindowSamples));
        planes[1].AsSpan(3250, ModelContract.WindowSamples).CopyTo(expected.AsSpan((int)Lead.V2 * ModelContract.WindowSamples));
        WindowStandardiser.Standardise(expected, ModelContract.WindowSamples, leads);
        Assert.Equal(expected, window);
        Assert.All(window.AsSpan(0, ModelContract.WindowSamples).ToArray(), v => Assert.Equal(0f, v)); // lead I absent
    }

    [Fact]
    public void A_record_shorter_than_warm_up_plus_one_window_has_none_and_bad_arguments_are_refused()
    {
        var leads = LeadSet.Of(Lead.I);
        Assert.Equal(10.0, RecordWindows.MinimumSeconds(1));
        Assert.Equal(0, RecordWindows.Cut([Channel(2_250, 250, 1, 0)], 250, leads).Count);
        Assert.Equal(1, RecordWindows.Cut([Channel(2_600, 250, 1, 0)], 250, leads).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => RecordWindows.Cut([Channel(2_600, 250, 1, 0)], 250, leads, hopSeconds: 0));
        Assert.Throws<ArgumentException>(() => RecordWindows.Cut([], 250, LeadSet.None));
    }

    [Fact]
    public void Non_finite_input_is_held_by_the_preprocessor_so_its_windows_are_finite()
    {
        var leads = LeadSet.Of(Lead.I);
        var window = new float[RecordWindows.WindowValues];
        var holed = Channel(40 * 250, 250, 1.1, 0);
        for (int i = 3000; i < 3100; i++) holed[i] = i % 2 == 0 ? float.NaN : float.PositiveInfinity;
        var held = RecordWindows.Cut([holed], 250, leads);
        Assert.Equal(4, held.Count);
        Assert.All(Enumerable.Range(0, held.Count), i => Assert.True(held.TryCopy(i, window, out _)));
        Assert.Throws<ArgumentException>(() => held.TryCopy(0, new float[10], out _));
    }

    [Fact]
    public void A_window_mostly_of_invalid_input_is_not_given_out()
    {
        // 40 s at 250 Hz: lead II invalid (WFDB's marker, a lead-off) in seconds 0–20 while lead I reads, then both in 20–40
        var leads = LeadSet.Of(Lead.I, Lead.II);
        var one = Channel(40 * 250, 250, 1.1, 0);
        var two = Channel(40 * 250, 250, 0.7, 0);
        for (int i = 0; i < 20 * 250; i++) two[i] = float.NaN;
        for (int i = 20 * 250; i < 40 * 250; i++) one[i] = two[i] = float.NaN;
        var windows = RecordWindows.Cut([one, two], 250, leads, hopSeconds: 9, warmupSeconds: 1);
        var window = new float[RecordWindows.WindowValues];
        // windows start at 1, 10, 19, 28 s (less the filter delay): two in the half with one readable lead, then
        // 19–28 s is 8 of 9 s invalid in every channel, 28–37 s all of it
        Assert.Equal(4, windows.Count);
        Assert.Equal([true, true, false, false], Enumerable.Range(0, 4).Select(i => windows.TryCopy(i, window, out _)));
        // the two given out read lead I only: II's missing seconds leave it out of their mask, as the stream does
        Assert.True(windows.TryCopy(1, window, out var readable));
        Assert.Equal(LeadSet.Of(Lead.I), readable);

        // a record too short for a window, all invalid: its padded window is refused too
        var shortRecord = RecordWindows.Cut([Enumerable.Repeat(float.NaN, 6 * 250).ToArray()], 250, LeadSet.Of(Lead.I));
        Assert.Equal(0, shortRecord.Count);
        Assert.False(shortRecord.TryCopyPadded(window, out _));
    }

    [Fact]
    public void A_lead_the_streams_raw_checks_call_disconnected_is_left_out_of_the_windows_it_touches_and_zeroed()
    {
        // 40 s at 250 Hz, windows at 1, 10, 19, 28 s (less the filter delay). II: an electrode off (a flat line) in
        // 12–14 s; V1: railed at +0.4 mV for 30–31 s; I reads throughout.
        const int rate = 250;
        var leads = LeadSet.Of(Lead.I, Lead.II, Lead.V1);
        var one = Channel(40 * rate, rate, 1.1, 0);
        var two = Channel(40 * rate, rate, 0.7, 0);
        var six = Channel(40 * rate, rate, 1.3, 0);
        for (int i = 12 * rate; i < 14 * rate; i++) two[i] = 0.31f;
        for (int i = 30 * rate; i < 31 * rate; i++) six[i] = Math.Min(six[i] * 3, 0.4f);
        var windows = RecordWindows.Cut([one, two, six], rate, leads, hopSeconds: 9, warmupSeconds: 1);
        Assert.Equal(4, windows.Count);
        var window = new float[RecordWindows.WindowValues];
        var usable = new LeadSet[4];
        for (int i = 0; i < 4; i++)
        {
            Assert.True(windows.TryCopy(i, window, out usable[i]));
            foreach (var lead in leads)
            {
                var plane = window.AsSpan((int)lead * ModelContract.WindowSamples, ModelContract.WindowSamples).ToArray();
                if (usable[i].Contains(lead)) Assert.Contains(plane, v => v != 0);
                else Assert.All(plane, v => Assert.Equal(0f, v));
            }
        }
        Assert.Equal([leads, LeadSet.Of(Lead.I, Lead.V1), leads, LeadSet.Of(Lead.I, Lead.II)], usable);

        // every lead flat over a window: it is still given out, with no lead to read (the stream has no opinion on it)
        var flat = Enumerable.Repeat(0.2f, 20 * rate).ToArray();
        var none = RecordWindows.Cut([flat], rate, LeadSet.Of(Lead.I));
        Assert.True(none.TryCopy(0, window, out var noLead));
        Assert.Equal(LeadSet.None, noLead);
        Assert.All(window, v => Assert.Equal(0f, v));

        // a record shorter than a window: its padded window leaves the flat lead out the same way
        var shortTwo = two[(11 * rate)..(17 * rate)];
        var shortRecord = RecordWindows.Cut([one[..(6 * rate)], shortTwo], rate, LeadSet.Of(Lead.I, Lead.II));
        Assert.Equal(0, shortRecord.Count);
        Assert.True(shortRecord.TryCopyPadded(window, out var shortUsable));
        Assert.Equal(LeadSet.Of(Lead.I), shortUsable);
        Assert.All(window.AsSpan((int)Lead.II * ModelContract.WindowSamples, ModelContract.WindowSamples).ToArray(), v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(250)]
    [InlineData(360)]
    [InlineData(500)]
    public void Record_windows_leave_out_the_leads_the_streams_window_ring_leaves_out(int rate)
    {
        // The same two-lead record as a stream (the chain, 0.04 s blocks, a window every second) and as record windows
        // (9 s hop): with lead II flat for one second at a time anywhere in it, every record window's leads equal those
        // of the stream's window that ends at the same sample.
        var leads = LeadSet.Of(Lead.II, Lead.V1);
        foreach (int flatSecond in new[] { 7, 9, 10, 18, 19, 27, 28, 35 })
        {
            var sig = Support.SyntheticEcg.Generate(Support.SyntheticEcg.RegularRr(52, 70, 0.05, 5), rate, seed: 5);
            for (int i = flatSecond * rate; i < (flatSecond + 1) * rate; i++) sig.Channels[0][i] = 0.25f;
            var windows = RecordWindows.Cut(sig.Channels, rate, leads, hopSeconds: 9, warmupSeconds: 1);
            var stream = new Dictionary<long, LeadSet>();
            var chain = new EcgStream.Signal.Pipeline.SignalChain("r", rate, leads);
            var sink = new WindowLeads(stream);
            int block = rate / 25;
            for (int s0 = 0; s0 < sig.Channels[0].Length; s0 += block)
            {
                int n = Math.Min(block, sig.Channels[0].Length - s0);
                var b = new SampleBlock("r", s0, rate, leads, n, Support.SyntheticEcg.Planar(sig.Channels, s0, n));
                chain.Process(b, sink);
            }
            var window = new float[RecordWindows.WindowValues];
            for (int i = 0; i < windows.Count; i++)
            {
                Assert.True(windows.TryCopy(i, window, out var usable));
                long end = windows.Start(i) + ModelContract.WindowSamples;
                Assert.True(stream[end] == usable, $"flat second {flatSecond}, window {i} (ends {end}): record {usable}, stream {stream[end]}");
            }
            Assert.Contains(Enumerable.Range(0, windows.Count), i => { windows.TryCopy(i, window, out var u); return !u.Contains(Lead.II); });
        }
    }

    [Theory]
    [InlineData(360, 550)]
    [InlineData(250, 550)]
    [InlineData(500, 1125)]
    public void The_streams_window_leads_do_not_depend_on_how_the_stream_is_cut_into_blocks(int rate, int hop)
    {
        // Windows every 2.2 s (4.5 s) end inside quality epochs; an epoch judged before or after its window is cut must
        // not decide the window's leads. II is flat for one second at a time, at several offsets.
        var leads = LeadSet.Of(Lead.II, Lead.V1);
        var sig = Support.SyntheticEcg.Generate(Support.SyntheticEcg.RegularRr(52, 70, 0.05, 6), rate, seed: 6);
        foreach (int flatSecond in new[] { 8, 13, 21, 30 })
            for (int i = flatSecond * rate; i < (flatSecond + 1) * rate; i++) sig.Channels[0][i] = 0.25f;
        Dictionary<long, LeadSet> Run(int block)
        {
            var byEnd = new Dictionary<long, LeadSet>();
            var chain = new EcgStream.Signal.Pipeline.SignalChain("r", rate, leads, EcgStream.Signal.Pipeline.SignalChainOptions.Default with { WindowHop = hop });
            var sink = new WindowLeads(byEnd);
            for (int s0 = 0; s0 < sig.Channels[0].Length; s0 += block)
            {
                int n = Math.Min(block, sig.Channels[0].Length - s0);
                chain.Process(new SampleBlock("r", s0, rate, leads, n, Support.SyntheticEcg.Planar(sig.Channels, s0, n)), sink);
            }
            return byEnd;
        }
        var reference = Run(rate / 25);
        Assert.Contains(reference.Values, l => !l.Contains(Lead.II));
        foreach (int block in new[] { 7, rate / 2, rate, 3 * rate + 11, 10 * rate })
        {
            var other = Run(block);
            foreach (var (end, l) in reference)
                if (other.TryGetValue(end, out var o)) Assert.True(o == l, $"block {block}, window ending {end}: {o}, with 0.04 s blocks {l}");
            Assert.True(other.Count >= reference.Count - 1, $"block {block}: {other.Count} windows, {reference.Count} with 0.04 s blocks");
        }
    }

    private sealed class WindowLeads(Dictionary<long, LeadSet> byEnd) : EcgStream.Signal.Pipeline.ISignalChainSink
    {
        public void OnWindow(in EcgWindow window) => byEnd[window.EndSample] = window.Leads;
        public void OnPreprocessed(in SampleBlock block) { }
        public void OnBeat(in EcgStream.Signal.Qrs.QrsBeat beat) { }
        public void OnQuality(in EcgStream.Signal.Quality.QualityEpoch epoch) { }
        public void OnScores(in EcgStream.Core.Rhythms.WindowScores scores, double heartRateBpm, in EcgStream.Signal.Rhythms.AfFeatures af) { }
        public void OnAlarm(in EcgStream.Signal.Rhythms.RuleAlarm alarm) { }
    }

    [Theory]
    [InlineData(250, 4.9, true)]
    [InlineData(250, 4.6, true)]
    [InlineData(250, 4.4, false)]
    [InlineData(360, 4.6, true)]
    [InlineData(360, 4.4, false)]
    public void More_than_half_a_window_of_invalid_input_skips_it_wherever_the_window_starts(int rate, double invalidSeconds, bool skipped)
    {
        var leads = LeadSet.Of(Lead.I);
        var clean = Channel(40 * rate, rate, 1.1, 0);
        var layout = RecordWindows.Cut([clean], rate, leads, hopSeconds: 9, warmupSeconds: 1);
        // invalid input from 2.3 s into window 1 (windows start off whole seconds: the filter delay), invalidSeconds long
        double from = layout.StartSeconds(1) + 2.3;
        var holed = (float[])clean.Clone();
        for (int i = (int)Math.Round(from * rate); i < (int)Math.Round((from + invalidSeconds) * rate); i++) holed[i] = float.NaN;
        var windows = RecordWindows.Cut([holed], rate, leads, hopSeconds: 9, warmupSeconds: 1);
        var window = new float[RecordWindows.WindowValues];
        Assert.Equal(!skipped, windows.TryCopy(1, window, out var usable));
        // given out, the window still has seconds with no finite sample: the stream would read no lead in it
        if (!skipped) Assert.Equal(LeadSet.None, usable);
        Assert.True(windows.TryCopy(0, window, out _));
    }

    [Fact]
    public void A_record_without_beats_has_no_heart_rate_and_one_cut_without_beats_refuses_to_give_one()
    {
        var leads = LeadSet.Of(Lead.I);
        var flat = new float[30 * 250];
        Assert.True(double.IsNaN(RecordWindows.Cut([flat], 250, leads, detectBeats: true).HeartRateBpm()));
        Assert.Contains("the heart rate needs the record's beats", Assert.Throws<InvalidOperationException>(() => RecordWindows.Cut([flat], 250, leads).HeartRateBpm()).Message);
    }

    [Fact]
    public void A_records_rate_is_the_median_RR_of_the_intervals_the_signal_vouches_for()
    {
        const double fs = 250;
        long[] Beats(params double[] seconds) => [.. seconds.Select(t => (long)Math.Round(t * fs))];
        double Bpm(long[] peaks, (long, long)[] unreadable, double recordSeconds) =>
            EcgStream.Signal.Rhythms.RecordHeartRate.Bpm(peaks, unreadable, (long)(recordSeconds * fs), fs, pauseSeconds: 3);

        Assert.Equal(75, Bpm(Beats(1, 1.8, 2.6, 3.4, 4.2, 5.0, 5.8, 6.6, 7.4, 8.2, 9.0), [], 10), 9);
        // Even count: the mean of the middle two (0.8 and 1.0 s: 0.9 s, 66.7/min).
        Assert.Equal(60 / 0.9, Bpm(Beats(1, 1.6, 2.4, 3.4, 4.6, 5.3, 6.1, 7.1, 8.1), [], 9), 9);
        // A pause (over 3 s) is left out, and so is every interval touching an unreadable stretch.
        Assert.Equal(75, Bpm(Beats(1, 1.8, 2.6, 3.4, 4.2, 8.0, 8.8, 9.6, 10.4, 11.2, 12.0), [], 13), 9);
        var noisy = (Start: (long)(5 * fs), End: (long)(7 * fs));
        Assert.Equal(75, Bpm(Beats(1, 1.8, 2.6, 3.4, 4.2, 5.0, 5.3, 5.6, 5.9, 6.2, 6.5, 6.8, 7.6, 8.4, 9.2, 10.0), [noisy], 10), 9);
        // Two stretches: the intervals between them still count (1.0 s ones), those touching either do not (0.3 s noise).
        var early = (Start: (long)(2 * fs), End: (long)(3 * fs));
        var late = (Start: (long)(9 * fs), End: (long)(10 * fs));
        Assert.Equal(60, Bpm(Beats(1, 2.2, 2.5, 2.8, 3.1, 4.1, 5.1, 6.1, 7.1, 8.1, 9.2, 9.5, 9.8, 10.1, 11.1, 12.1), [early, late], 12), 9);
        // Intervals covering under half the record: no rate; fewer than two: none either.
        Assert.True(double.IsNaN(Bpm(Beats(1, 1.8, 2.6, 3.4), [], 10)));
        Assert.True(double.IsNaN(Bpm(Beats(1, 1.8), [], 1.5)));
    }
}
