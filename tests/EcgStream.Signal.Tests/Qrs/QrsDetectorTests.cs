using EcgStream.Core.Leads;
using EcgStream.Signal.Pipeline;
using EcgStream.Signal.Preprocessing;
using EcgStream.Signal.Qrs;
using EcgStream.Signal.Tests.Support;

namespace EcgStream.Signal.Tests.Qrs;

public class QrsDetectorTests
{
    private static readonly LeadSet TwoLeads = LeadSet.Of(Lead.II, Lead.V1);
    private static readonly SignalChainOptions RulesOnly = SignalChainOptions.Default with { EmitWindows = false };

    private static BeatScore Score(SyntheticEcg.Signal sig, ChainCapture cap, SignalChain chain)
    {
        var dets = cap.Beats.Select(b => b.Sample / 250.0 - chain.DelaySeconds).ToList();
        return BeatScore.Compare(sig.RPeakSeconds, dets, 0.15, QrsDetector.LearningSeconds + 0.5, double.MaxValue);
    }

    [Theory]
    [InlineData(40, 0.03, 360, 0.02)]
    [InlineData(72, 0.05, 500, 0.05)]
    [InlineData(120, 0.03, 250, 0.05)]
    [InlineData(180, 0.02, 200, 0.03)]
    [InlineData(220, 0.02, 128, 0.02)]
    public void Synthetic_sinus_rhythms_are_detected_at_every_rate(double bpm, double hrv, int fs, double noise)
    {
        var sig = SyntheticEcg.Generate(SyntheticEcg.RegularRr((int)(bpm * 2), bpm, hrv, 7), fs, seed: 7, noiseMv: noise);
        var (chain, cap) = ChainCapture.Run(sig.Channels, fs, TwoLeads, [fs / 4], RulesOnly);
        var score = Score(sig, cap, chain);
        Assert.True(score.Sensitivity >= 0.99 && score.PositivePredictivity >= 0.99, $"{bpm} bpm at {fs} Hz: {score}");
    }

    [Fact]
    public void Irregular_rhythm_with_baseline_wander_and_noise_is_detected()
    {
        var sig = SyntheticEcg.Generate(SyntheticEcg.IrregularRr(300, 95, 0.35, 11), 360, seed: 11, noiseMv: 0.06, wanderMv: 0.5);
        var (chain, cap) = ChainCapture.Run(sig.Channels, 360, TwoLeads, [97], RulesOnly);
        var score = Score(sig, cap, chain);
        Assert.True(score.Sensitivity >= 0.99 && score.PositivePredictivity >= 0.99, score.ToString());
    }

    [Fact]
    public void Detection_resumes_after_a_tenfold_amplitude_drop()
    {
        // Levels learnt on 1.2 mV beats; the gain then drops ×10. Search-back and re-learning must recover.
        var sig = SyntheticEcg.Generate(SyntheticEcg.RegularRr(120, 70, 0.03, 5), 250, seed: 5, noiseMv: 0.005, wanderMv: 0.02);
        int cut = 250 * 40;
        foreach (var ch in sig.Channels) for (int i = cut; i < ch.Length; i++) ch[i] *= 0.1f;
        var (chain, cap) = ChainCapture.Run(sig.Channels, 250, TwoLeads, [250], RulesOnly);
        var dets = cap.Beats.Select(b => b.Sample / 250.0 - chain.DelaySeconds).ToList();
        var late = BeatScore.Compare(sig.RPeakSeconds, dets, 0.15, 60, double.MaxValue);
        Assert.True(late.Sensitivity >= 0.99 && late.PositivePredictivity >= 0.99, late.ToString());
    }

    [Fact]
    public void Beats_are_reported_with_their_R_peak_and_a_bounded_decision_delay()
    {
        var sig = SyntheticEcg.Generate(SyntheticEcg.RegularRr(60, 75, 0.02, 3), 500, seed: 3);
        var (chain, cap) = ChainCapture.Run(sig.Channels, 500, TwoLeads, [50], RulesOnly);
        var beats = cap.Beats.Where(b => !b.SearchBack).ToList();
        Assert.NotEmpty(beats);
        foreach (var b in beats)
        {
            double t = b.Sample / 250.0 - chain.DelaySeconds;
            double nearest = sig.RPeakSeconds.MinBy(r => Math.Abs(r - t));
            Assert.InRange(t - nearest, -0.012, 0.012);
            Assert.InRange((b.DetectedAt - b.Sample) / 250.0, 0.2, 0.5);
        }
        Assert.True(Enumerable.Range(1, cap.Beats.Count - 1).All(i => cap.Beats[i].Sample > cap.Beats[i - 1].Sample));
    }

    [Fact]
    public void Flat_signal_yields_no_beats_and_a_gap_in_the_stream_is_refused()
    {
        var det = new QrsDetector(250);
        var beats = new List<QrsBeat>();
        det.Process(new float[250 * 30], 0, beats);
        Assert.Empty(beats);
        Assert.Contains("expected 7500", Assert.Throws<ArgumentException>(() => det.Process(new float[10], 8000, beats)).Message);
        Assert.Contains("100..2000", Assert.Throws<ArgumentOutOfRangeException>(() => new QrsDetector(50)).Message);
    }
}
