using EcgStream.Signal.Filters;

namespace EcgStream.Signal.Tests.Filters;

public class FilterDesignTests
{
    private const double Fs = 250;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void BandPass_response_equals_the_analytic_Butterworth_magnitude(int order)
    {
        var bp = FilterDesign.ButterworthBandPass(order, 0.67, 40, Fs);
        Assert.Equal(order, bp.Sections.Length);
        foreach (var f in new[] { 0.05, 0.2, 0.5, 0.67, 1, 3, 5, 10, 20, 30, 40, 50, 60, 80, 100, 120 })
        {
            double expected = FilterDesign.ButterworthBandPassMagnitude(order, 0.67, 40, Fs, f);
            Assert.Equal(expected, bp.Magnitude(f), 1e-9);
        }
        // −3 dB exactly at both edges (prewarped), unity at the centre.
        Assert.Equal(1 / Math.Sqrt(2), bp.Magnitude(0.67), 1e-9);
        Assert.Equal(1 / Math.Sqrt(2), bp.Magnitude(40), 1e-9);
        Assert.Equal(1, bp.Magnitude(Fs / Math.PI * Math.Atan(Math.Sqrt(
            2 * Fs * Math.Tan(Math.PI * 0.67 / Fs) * 2 * Fs * Math.Tan(Math.PI * 40 / Fs)) / (2 * Fs))), 1e-12);
    }

    [Fact]
    public void BandPass_blocks_DC_and_Nyquist()
    {
        var bp = FilterDesign.ButterworthBandPass(2, 0.67, 40, Fs);
        Assert.True(bp.Magnitude(0) < 1e-12);
        Assert.True(bp.Magnitude(Fs / 2) < 1e-12);
    }

    [Theory]
    [InlineData(0.67)]
    [InlineData(2.0)]
    [InlineData(10.0)]
    [InlineData(40.0)]
    [InlineData(70.0)]
    public void Filtering_a_sine_gives_the_analytic_steady_state_amplitude(double f)
    {
        var bp = FilterDesign.ButterworthBandPass(2, 0.67, 40, Fs);
        double expected = FilterDesign.ButterworthBandPassMagnitude(2, 0.67, 40, Fs, f);
        double measured = SteadyStateGain(bp, f, settleSeconds: 30);
        Assert.Equal(20 * Math.Log10(expected), 20 * Math.Log10(measured), 0.01);
    }

    [Theory]
    [InlineData(50.0)]
    [InlineData(60.0)]
    public void Notch_removes_mains_and_leaves_the_ECG_band(double mains)
    {
        var notch = FilterDesign.Notch(mains, 30, Fs);
        Assert.True(notch.Magnitude(mains) < 1e-9, "zero on the unit circle at f0");
        foreach (var f in new[] { 0.5, 5, 10, 20, mains - 10, mains + 10 })
            Assert.Equal(FilterDesign.NotchMagnitude(mains, 30, Fs, f), notch.Magnitude(f), 1e-9);
        // −3 dB width ≈ f0/Q: the analytic half-power points Ω where |Ω0² − Ω²| = ΩΩ0/Q.
        Assert.True(notch.Magnitude(mains - 2) > 0.7 && notch.Magnitude(mains + 2) > 0.7);
        Assert.True(notch.Magnitude(20) > 0.999);
        // Simulated: ≥ 40 dB down after settling (2 s at Q 30 is many time constants).
        double depth = -20 * Math.Log10(SteadyStateGain(notch, mains, settleSeconds: 4));
        Assert.True(depth > 40, $"notch depth {depth:F1} dB");
    }

    [Fact]
    public void Prime_starts_in_the_steady_state_of_a_constant()
    {
        var bp = FilterDesign.ButterworthBandPass(2, 0.67, 40, Fs);
        var f = new SosFilter(bp, 1);
        f.Prime(0, 5.0);
        var x = new float[500];
        Array.Fill(x, 5f);
        f.Process(0, x);
        Assert.All(x, v => Assert.True(Math.Abs(v) < 1e-6, $"output {v} after priming with the input level"));

        var lp = new SosDesign("dc pass", Fs, [new Biquad(0.5, 0.5, 0, -0.0, 0)]);
        var g = new SosFilter(lp, 1);
        g.Prime(0, 2.0);
        var y = new float[] { 2, 2, 2 };
        g.Process(0, y);
        Assert.Equal(new float[] { 2, 2, 2 }, y);
    }

    [Fact]
    public void Filtering_in_blocks_equals_filtering_whole()
    {
        var bp = FilterDesign.ButterworthBandPass(2, 0.67, 40, Fs);
        var rng = new Random(3);
        var x = Enumerable.Range(0, 3000).Select(_ => (float)rng.NextDouble()).ToArray();
        var whole = (float[])x.Clone();
        new SosFilter(bp, 1).Process(0, whole);
        var parts = (float[])x.Clone();
        var f = new SosFilter(bp, 1);
        for (int i = 0; i < parts.Length;)
        {
            int n = Math.Min(rng.Next(1, 200), parts.Length - i);
            f.Process(0, parts.AsSpan(i, n));
            i += n;
        }
        Assert.Equal(whole, parts);
    }

    [Fact]
    public void Bad_designs_are_refused_with_a_reason()
    {
        Assert.Contains("band edges", Assert.Throws<ArgumentOutOfRangeException>(() => FilterDesign.ButterworthBandPass(2, 40, 0.67, Fs)).Message);
        Assert.Contains("fs/2", Assert.Throws<ArgumentOutOfRangeException>(() => FilterDesign.ButterworthBandPass(2, 0.67, 130, Fs)).Message);
        Assert.Contains("order", Assert.Throws<ArgumentOutOfRangeException>(() => FilterDesign.ButterworthBandPass(0, 0.67, 40, Fs)).Message);
        Assert.Contains("sample rate", Assert.Throws<ArgumentOutOfRangeException>(() => FilterDesign.Notch(50, 30, 0)).Message);
        Assert.Contains("unstable", Assert.Throws<ArgumentException>(() => new SosDesign("bad", Fs, [new Biquad(1, 0, 0, 0, 1.0)])).Message);
    }

    // Amplitude of the filter's output for a unit sine, by projection on sin/cos over whole cycles after settling.
    private static double SteadyStateGain(SosDesign design, double f, double settleSeconds)
    {
        int settle = (int)(settleSeconds * Fs);
        int cycles = Math.Max(4, (int)Math.Ceiling(4 * f));
        int measure = (int)Math.Round(cycles * Fs / f);
        var x = new float[settle + measure];
        for (int i = 0; i < x.Length; i++) x[i] = (float)Math.Sin(2 * Math.PI * f * i / Fs);
        new SosFilter(design, 1).Process(0, x);
        double s = 0, c = 0;
        for (int i = settle; i < x.Length; i++)
        {
            double w = 2 * Math.PI * f * i / Fs;
            s += x[i] * Math.Sin(w);
            c += x[i] * Math.Cos(w);
        }
        return 2 * Math.Sqrt(s * s + c * c) / measure;
    }
}
