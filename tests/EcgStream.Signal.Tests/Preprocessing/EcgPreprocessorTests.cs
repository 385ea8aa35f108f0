using EcgStream.Core.Leads;
using EcgStream.Core.Samples;
using EcgStream.Signal.Preprocessing;
using EcgStream.Signal.Tests.Support;

namespace EcgStream.Signal.Tests.Preprocessing;

public class EcgPreprocessorTests
{
    private static readonly LeadSet TwoLeads = LeadSet.Of(Lead.II, Lead.V1);

    [Fact]
    public void Whole_record_path_equals_streaming_path_bit_for_bit()
    {
        var sig = SyntheticEcg.Generate(SyntheticEcg.RegularRr(30, 70, 0.05, 1), 360, seed: 1);
        var whole = EcgPreprocessor.ProcessRecord(sig.Channels, 360, TwoLeads);

        var pre = new EcgPreprocessor(360, TwoLeads);
        var rng = new Random(9);
        var streamed = new List<float>[] { new(), new() };
        int n = sig.Channels[0].Length;
        for (int s = 0; s < n;)
        {
            int len = Math.Min(rng.Next(1, 900), n - s);
            var o = pre.Process(new SampleBlock("t", s, 360, TwoLeads, len, SyntheticEcg.Planar(sig.Channels, s, len)));
            Assert.Equal(PreprocessorOptions.ContractSampleRate, o.SampleRate);
            Assert.Equal(streamed[0].Count, o.StartSample);
            streamed[0].AddRange(o.Plane(0).ToArray());
            streamed[1].AddRange(o.Plane(1).ToArray());
            s += len;
        }
        Assert.Equal(whole[0], streamed[0]);
        Assert.Equal(whole[1], streamed[1]);
        Assert.InRange(whole[0].Length, n * 250 / 360 - 1, n * 250 / 360 + 1);
    }

    [Fact]
    public void A_large_DC_offset_does_not_ring_at_the_start()
    {
        // CPSC 2021 records sit ~5 mV off zero: the filters start in that level's steady state.
        var sig = SyntheticEcg.Generate(SyntheticEcg.RegularRr(5, 60, 0, 1), 200, seed: 2, noiseMv: 0, wanderMv: 0, offsetMv: 5.4);
        var y = EcgPreprocessor.ProcessRecord(sig.Channels, 200, TwoLeads);
        double firstHalfSecond = y[0].Take(125).Max(v => Math.Abs(v));
        Assert.True(firstHalfSecond < 0.05, $"start transient {firstHalfSecond:F3} mV");
    }

    [Fact]
    public void Non_finite_samples_are_held_and_counted_and_do_not_poison_the_filters()
    {
        var sig = SyntheticEcg.Generate(SyntheticEcg.RegularRr(10, 60, 0, 1), 500, seed: 3);
        sig.Channels[0][1000] = float.NaN;
        sig.Channels[0][1001] = float.PositiveInfinity;
        var pre = new EcgPreprocessor(500, TwoLeads);
        int n = sig.Channels[0].Length;
        var o = pre.Process(new SampleBlock("t", 0, 500, TwoLeads, n, SyntheticEcg.Planar(sig.Channels, 0, n)));
        Assert.Equal(2, pre.NonFiniteSamples);
        foreach (var v in o.Samples.Span) Assert.True(float.IsFinite(v));
    }

    [Fact]
    public void The_notch_removes_mains_hum()
    {
        var sig = SyntheticEcg.Generate(SyntheticEcg.RegularRr(20, 60, 0, 1), 500, seed: 4, noiseMv: 0, wanderMv: 0, mainsMv: 0.5, mainsHz: 60);
        var plain = EcgPreprocessor.ProcessRecord(sig.Channels, 500, TwoLeads);
        var notched = EcgPreprocessor.ProcessRecord(sig.Channels, 500, TwoLeads, PreprocessorOptions.Contract with { Notch = MainsNotch.Hz60 });
        double Hum(float[] y)
        {
            double s = 0, c = 0;
            int from = 1000, len = 2500;
            for (int i = from; i < from + len; i++) { s += y[i] * Math.Sin(2 * Math.PI * 60 * i / 250); c += y[i] * Math.Cos(2 * Math.PI * 60 * i / 250); }
            return 2 * Math.Sqrt(s * s + c * c) / len;
        }
        // The band-pass alone leaves ~0.5·|H(60 Hz)| ≈ 0.15 mV of hum; the notch takes it under 0.01 mV.
        Assert.True(Hum(plain[0]) > 0.1, $"hum without notch {Hum(plain[0]):F3}");
        Assert.True(Hum(notched[0]) < 0.01, $"hum with notch {Hum(notched[0]):F4}");
    }

    [Fact]
    public void Blocks_that_do_not_fit_the_stream_are_refused_with_the_reason()
    {
        var pre = new EcgPreprocessor(360, TwoLeads);
        var buf = new float[20];
        pre.Process(new SampleBlock("t", 0, 360, TwoLeads, 10, buf));
        Assert.Contains("expected 10", Assert.Throws<ArgumentException>(() => pre.Process(new SampleBlock("t", 15, 360, TwoLeads, 10, buf))).Message);
        Assert.Contains("leads", Assert.Throws<ArgumentException>(() => pre.Process(new SampleBlock("t", 10, 360, LeadSet.Of(Lead.I, Lead.II), 10, buf))).Message);
        Assert.Contains("360 Hz", Assert.Throws<ArgumentException>(() => pre.Process(new SampleBlock("t", 10, 500, TwoLeads, 10, buf))).Message);
        Assert.Contains("whole number", Assert.Throws<ArgumentOutOfRangeException>(() => new EcgPreprocessor(360.5, TwoLeads)).Message);
        Assert.Contains("whole number", Assert.Throws<ArgumentOutOfRangeException>(() => new EcgPreprocessor(0, TwoLeads)).Message);
        Assert.Contains("at least one lead", Assert.Throws<ArgumentException>(() => new EcgPreprocessor(360, LeadSet.None)).Message);
    }

    [Fact]
    public void The_reported_delay_aligns_output_with_input()
    {
        // R peaks in the output appear DelaySeconds after they were in the input (within a sample).
        var sig = SyntheticEcg.Generate(SyntheticEcg.RegularRr(10, 60, 0, 1), 360, seed: 5, noiseMv: 0, wanderMv: 0);
        var pre = new EcgPreprocessor(360, TwoLeads);
        var y = EcgPreprocessor.ProcessRecord(sig.Channels, 360, TwoLeads);
        foreach (var r in sig.RPeakSeconds.Skip(2).Take(5))
        {
            int centre = (int)Math.Round((r + pre.DelaySeconds) * 250);
            int best = centre - 10;
            for (int i = centre - 10; i <= centre + 10; i++) if (y[0][i] > y[0][best]) best = i;
            Assert.InRange(best / 250.0 - pre.DelaySeconds - r, -0.008, 0.008);
        }
    }
}
