using EcgStream.Core.Leads;
using EcgStream.Signal.Pipeline;
using EcgStream.Signal.Rhythms;
using EcgStream.Signal.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace EcgStream.Signal.Tests.Rhythms;

/// <summary>The rhythm path's input (contract v2 <c>rhythm</c>): values on hand-made RR series, and no train/serve skew.</summary>
public class RhythmFeaturesTests
{
    private static float[] Features(double[] rr, double span = 60)
    {
        var f = new float[RhythmFeatures.Count];
        RhythmFeatures.Compute(rr, span, f, new double[3 * Math.Max(1, rr.Length)]);
        return f;
    }

    [Fact]
    public void A_regular_rhythm_has_no_irregularity()
    {
        var f = Features(Enumerable.Repeat(0.8, 60).ToArray(), 48);
        Assert.Equal(1f, f[0]);                       // valid
        Assert.Equal(0.8f, f[1], 6);                  // 48 s of 60
        Assert.Equal(0.75f, f[2], 6);                 // 75 bpm / 100
        foreach (int k in new[] { 3, 4, 5, 6, 10, 11, 12, 13 }) Assert.Equal(0f, f[k], 6);
        Assert.Equal(1f, f[9]);                       // lag ratio undefined without variation: 1, "no periodic ectopy"
    }

    [Fact]
    public void Too_few_intervals_give_all_zeros()
    {
        Assert.All(Features([0.8, 0.7, 0.9, 0.8, 0.75]), v => Assert.Equal(0f, v));
        Assert.All(Features([]), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Bigeminy_reads_as_premature_pairs_repeating_with_period_two()
    {
        var rr = Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? 0.5 : 1.1).ToArray();
        var f = Features(rr);
        Assert.Equal(0.5f, f[10], 6);                 // 20 premature/compensatory pairs in 40 intervals
        Assert.Equal(0f, f[9]);                       // RR[i] = RR[i−2]: lag ratio 0
        Assert.Equal(0f, f[13]);                      // nothing left once the pairs are removed
        Assert.True(f[4] > 0.5f);                     // yet raw RMSSD is large: what used to read as AF
    }

    [Fact]
    public void Random_intervals_read_as_irregular_without_periodicity()
    {
        var rng = new Random(7);
        var rr = Enumerable.Range(0, 80).Select(_ => 0.4 + 0.8 * rng.NextDouble()).ToArray();
        var f = Features(rr);
        Assert.True(f[3] > 0.15f, $"cv {f[3]}");
        Assert.True(f[7] > 0.7f, $"entropy {f[7]}");
        Assert.True(f[9] > 0.7f, $"lag ratio {f[9]}");
        Assert.True(f[13] > 0.2f, $"cleaned RMSSD {f[13]}");
    }

    [Property(MaxTest = 200)]
    public Property Every_feature_is_finite_and_bounded_for_any_intervals() =>
        Prop.ForAll(Gen.Choose(0, 320).SelectMany(n => Gen.Choose(50, 3000).ArrayOf(n)).ToArbitrary(), ms =>
        {
            var f = Features(ms.Select(v => v / 1000.0).ToArray());
            Assert.All(f, v => Assert.True(float.IsFinite(v) && v >= -3 && v <= 4, $"{v}"));
            Assert.True(f[0] is 0f or 1f);
            return true;
        });

    [Fact]
    public void The_context_keeps_only_the_last_sixty_seconds()
    {
        var context = new RhythmContext(250);
        for (long b = 0; b <= 250L * 120; b += 200) context.Add(b);           // 0.8 s beats for 120 s
        var f = new float[RhythmFeatures.Count];
        context.Compute(250L * 120, f);
        Assert.Equal(0.75f, f[2], 6);
        Assert.InRange(f[1], 0.98f, 1f);                                         // ≈ 59.2 s of beats in the last 60 s
        context.Add(100);                                                        // older than the last beat: ignored
        context.Compute(250L * 120, f);
        Assert.Equal(0.75f, f[2], 6);
    }

    [Fact]
    public void Training_computes_the_same_features_the_stream_attaches_to_its_windows()
    {
        // 2 minutes: regular, then irregular, at 360 Hz, played through the chain in uneven blocks.
        var rr = SyntheticEcg.RegularRr(60, 72, 0.02, 1).Concat(SyntheticEcg.IrregularRr(80, 100, 0.3, 2)).ToArray();
        var sig = SyntheticEcg.Generate(rr, 360, seed: 5, noiseMv: 0.02);
        var leads = LeadSet.Of(Lead.II, Lead.V1);
        var (_, stream) = ChainCapture.Run(sig.Channels, 360, leads, [97, 1000, 333]);
        Assert.True(stream.Windows.Count > 60);

        var beats = RecordBeats.Detect(sig.Channels, 360, leads);
        Assert.Equal(stream.Beats, beats);
        var ends = stream.Windows.Select(w => w.End).ToArray();
        var features = new float[ends.Length * RhythmFeatures.Count];
        RhythmContext.ComputeForWindows(beats, ends, features);
        for (int i = 0; i < ends.Length; i++)
            Assert.Equal(stream.WindowRhythm[i], features.AsSpan(i * RhythmFeatures.Count, RhythmFeatures.Count).ToArray());
        // The irregular part is seen as such by the end.
        Assert.True(stream.WindowRhythm[^1][3] > 0.1f && stream.WindowRhythm[0][3] < 0.1f);
    }

    [Fact]
    public void Cutting_a_record_with_its_beats_gives_the_same_windows_as_the_preprocessor_alone()
    {
        var rr = SyntheticEcg.IrregularRr(40, 90, 0.3, 3);
        var sig = SyntheticEcg.Generate(rr, 360, seed: 6, noiseMv: 0.02);
        var leads = LeadSet.Of(Lead.II, Lead.V1);
        var plain = EcgStream.Signal.Windowing.RecordWindows.Cut(sig.Channels, 360, leads, 4.5, 1);
        var withBeats = EcgStream.Signal.Windowing.RecordWindows.Cut(sig.Channels, 360, leads, 4.5, 1, detectBeats: true);
        Assert.Null(plain.Beats);
        Assert.Equal(RecordBeats.Detect(sig.Channels, 360, leads), withBeats.Beats);
        Assert.Equal(plain.Count, withBeats.Count);
        Assert.Equal(plain.SamplesAfterWarmup, withBeats.SamplesAfterWarmup);
        var a = new float[EcgStream.Signal.Windowing.RecordWindows.WindowValues];
        var b = new float[a.Length];
        for (int i = 0; i < plain.Count; i++)
        {
            Assert.True(plain.TryCopy(i, a, out _) && withBeats.TryCopy(i, b, out _));
            Assert.Equal(a, b);                                                  // bit-exact
        }
        Assert.Equal(plain.Count * RhythmFeatures.Count, withBeats.RhythmFeatures().Length);
        Assert.Throws<InvalidOperationException>(() => plain.RhythmFeatures());
    }
}
