using EcgStream.Signal.Qrs;

namespace EcgStream.Signal.Tests.Qrs;

/// <summary><see cref="QrsShapes"/>: the dominant QRS shape of a lead and each beat's correlation with it.</summary>
public class QrsShapesTests
{
    private const double Fs = 250;

    // A snippet with the R peak in the middle: a narrow conducted QRS (q, R, s) or a wide, inverted ventricular one.
    private static float[] Beat(QrsShapes shapes, bool ventricular, double scale = 1, double offset = 0, int shift = 0, double noise = 0, Random? rng = null)
    {
        var x = new float[shapes.SnippetLength];
        int mid = x.Length / 2 + shift;
        for (int i = 0; i < x.Length; i++)
        {
            double t = (i - mid) / Fs;
            double v = ventricular
                ? -1.4 * G(t, 0, 0.035) + 0.5 * G(t, 0.07, 0.03)
                : -0.15 * G(t, -0.025, 0.008) + 1.2 * G(t, 0, 0.010) - 0.3 * G(t, 0.025, 0.010);
            x[i] = (float)(scale * v + offset + (rng is null ? 0 : noise * (2 * rng.NextDouble() - 1)));
        }
        return x;
    }

    /// <summary>A tracker that has seen 20 slightly noisy conducted beats, and the noise source to go on with.</summary>
    private static (QrsShapes Shapes, Random Rng) Learnt(int seed)
    {
        var shapes = new QrsShapes(Fs);
        var rng = new Random(seed);
        for (int b = 0; b < 20; b++) shapes.Correlate(Beat(shapes, false, noise: 0.02, rng: rng));
        return (shapes, rng);
    }

    private static double G(double t, double mu, double sigma) => Math.Exp(-0.5 * (t - mu) * (t - mu) / (sigma * sigma));

    [Fact]
    public void No_correlation_is_reported_until_the_dominant_shape_holds_enough_beats()
    {
        var shapes = new QrsShapes(Fs);
        for (int b = 0; b < QrsShapes.MinBeats; b++) Assert.True(float.IsNaN(shapes.Correlate(Beat(shapes, false))), $"beat {b}");
        Assert.InRange(shapes.Correlate(Beat(shapes, false)), 0.999f, 1.001f);
    }

    [Fact]
    public void Gain_baseline_and_small_misalignment_do_not_change_the_shape()
    {
        var (shapes, rng) = Learnt(3);
        for (int b = 0; b < 50; b++)
        {
            double scale = 0.3 + 2 * rng.NextDouble(), offset = rng.NextDouble() - 0.5;
            int shift = rng.Next(-QrsShapes.MaxLagSamples, QrsShapes.MaxLagSamples + 1);
            float c = shapes.Correlate(Beat(shapes, false, scale, offset, shift, noise: 0.02, rng: rng));
            Assert.True(c > 0.9f, $"beat {b} (scale {scale:F2}, shift {shift}): {c}"); // far above the rules' 0.7
        }
    }

    [Fact]
    public void A_ventricular_beat_reads_as_odd_and_does_not_take_over_the_dominant_shape()
    {
        var (shapes, rng) = Learnt(5);
        // one PVC every three beats: the conducted beats stay dominant
        for (int b = 0; b < 60; b++)
        {
            bool v = b % 3 == 2;
            float c = shapes.Correlate(Beat(shapes, v, noise: 0.02, rng: rng));
            if (v) Assert.True(c < 0.5f, $"PVC {b}: {c}");
            else Assert.True(c > 0.95f, $"conducted {b}: {c}");
        }
    }

    [Fact]
    public void A_lasting_change_of_morphology_becomes_the_dominant_shape()
    {
        // an electrode moved, or a bundle-branch block that stays: after about WeightBeats beats the new shape is the norm
        var shapes = new QrsShapes(Fs);
        for (int b = 0; b < 100; b++) shapes.Correlate(Beat(shapes, false));
        for (int b = 0; b < QrsShapes.WeightBeats; b++) shapes.Correlate(Beat(shapes, true));
        Assert.InRange(shapes.Correlate(Beat(shapes, true)), 0.99f, 1.001f);
        Assert.True(shapes.Correlate(Beat(shapes, false)) < 0.5f);
    }

    [Fact]
    public void A_flat_snippet_has_no_correlation_and_a_wrong_length_is_refused()
    {
        var shapes = new QrsShapes(Fs);
        for (int b = 0; b < 20; b++) shapes.Correlate(Beat(shapes, false));
        Assert.True(float.IsNaN(shapes.Correlate(new float[shapes.SnippetLength])));
        Assert.InRange(shapes.Correlate(Beat(shapes, false)), 0.999f, 1.001f);
        var e = Assert.Throws<ArgumentException>(() => shapes.Correlate(new float[10]));
        Assert.StartsWith($"snippet holds 10 samples, {shapes.SnippetLength} expected", e.Message);
    }
}
