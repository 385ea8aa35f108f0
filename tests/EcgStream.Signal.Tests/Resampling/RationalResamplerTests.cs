using EcgStream.Signal.Resampling;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace EcgStream.Signal.Tests.Resampling;

public class RationalResamplerTests
{
    public static TheoryData<int> Rates => new() { 500, 360, 300, 257, 200, 128, 1000, 250 };

    [Theory]
    [MemberData(nameof(Rates))]
    public void Factors_come_from_the_gcd(int fin)
    {
        var d = new ResamplerDesign(fin, 250);
        int g = Gcd(fin, 250);
        Assert.Equal(250 / g, d.Up);
        Assert.Equal(fin / g, d.Down);
    }

    [Theory]
    [MemberData(nameof(Rates))]
    public void DC_passes_with_gain_one(int fin)
    {
        var y = Resample(fin, Enumerable.Repeat(0.75f, fin * 3).ToArray(), out var d);
        int settled = (int)Math.Ceiling(d.TapsPerPhase * 250.0 / fin) + 2;
        for (int i = settled; i < y.Length; i++) Assert.Equal(0.75, y[i], 1e-5);
    }

    [Theory]
    [InlineData(500, 1.0)]
    [InlineData(500, 10.0)]
    [InlineData(500, 40.0)]
    [InlineData(500, 100.0)]
    [InlineData(360, 0.5)]
    [InlineData(360, 17.0)]
    [InlineData(360, 40.0)]
    [InlineData(360, 99.0)]
    [InlineData(300, 33.0)]
    [InlineData(257, 25.0)]
    [InlineData(257, 100.0)]
    [InlineData(200, 40.0)]
    [InlineData(200, 79.0)]
    [InlineData(128, 10.0)]
    [InlineData(128, 40.0)]
    [InlineData(128, 51.0)]
    public void A_sine_in_the_pass_band_keeps_frequency_and_amplitude(int fin, double f)
    {
        // Pass band: up to 0.4·min(fin, 250). Amplitude within 0.1 dB; the tone is still at f
        // (its projection at f holds all the power: nothing leaked to other frequencies).
        var x = Sine(fin, f, seconds: 8, amplitude: 1);
        var y = Resample(fin, x, out var d);
        int skip = (int)Math.Ceiling(d.GroupDelayOutputSamples * 2) + 10;
        var seg = y.AsSpan(skip, (y.Length - skip) / 250 * 250 - 250);
        double amp = Amplitude(seg, 250, f, skip);
        Assert.InRange(20 * Math.Log10(amp), -0.1, 0.1);
        double rms = Math.Sqrt(seg.ToArray().Sum(v => (double)v * v) / seg.Length);
        Assert.Equal(amp / Math.Sqrt(2), rms, 0.01);
    }

    [Theory]
    [InlineData(500, 150.0)]
    [InlineData(500, 240.0)]
    [InlineData(360, 140.0)]
    [InlineData(360, 175.0)]
    [InlineData(300, 140.0)]
    [InlineData(257, 127.0)]
    public void Tones_above_the_output_Nyquist_are_suppressed_by_60_dB(int fin, double f)
    {
        var y = Resample(fin, Sine(fin, f, 8, 1), out var d);
        int skip = (int)Math.Ceiling(d.GroupDelayOutputSamples * 2) + 10;
        var seg = y.AsSpan(skip);
        double rms = Math.Sqrt(seg.ToArray().Sum(v => (double)v * v) / seg.Length) * Math.Sqrt(2);
        Assert.True(20 * Math.Log10(rms) < -60, $"{f} Hz at {fin} Hz leaks {20 * Math.Log10(rms):F1} dB");
    }

    [Theory]
    [InlineData(128, 20.0)]
    [InlineData(200, 30.0)]
    public void Upsampling_images_are_suppressed_by_60_dB(int fin, double f)
    {
        // A tone f at fin has images at fin − f (and fin + f) inside the 250 Hz output band.
        var y = Resample(fin, Sine(fin, f, 8, 1), out var d);
        int skip = (int)Math.Ceiling(d.GroupDelayOutputSamples * 2) + 10;
        var seg = y.AsSpan(skip, (y.Length - skip) / 250 * 250 - 250);
        double image = Amplitude(seg, 250, fin - f, skip);
        Assert.True(20 * Math.Log10(image) < -60, $"image at {fin - f} Hz: {20 * Math.Log10(image):F1} dB");
        Assert.InRange(20 * Math.Log10(Amplitude(seg, 250, f, skip)), -0.1, 0.1);
    }

    [Theory]
    [InlineData(360)]
    [InlineData(500)]
    [InlineData(257)]
    public void The_reported_group_delay_is_the_phase_lag(int fin)
    {
        const double f = 5;
        var y = Resample(fin, Sine(fin, f, 6, 1), out var d);
        int skip = 500;
        var seg = y.AsSpan(skip, 1000);
        double s = 0, c = 0;
        for (int i = 0; i < seg.Length; i++)
        {
            double w = 2 * Math.PI * f * (i + skip) / 250;
            s += seg[i] * Math.Sin(w);
            c += seg[i] * Math.Cos(w);
        }
        double lagSeconds = Math.Atan2(-c, s) / (2 * Math.PI * f);
        Assert.Equal(d.GroupDelaySeconds, lagSeconds, 1e-4);
    }

    [Property]
    public Property Blocks_of_any_size_give_the_same_output_as_one_block() =>
        Prop.ForAll(Gen.Choose(1, 700).ListOf().Where(l => l.Count > 0).ToArbitrary(), Gen.Elements(500, 360, 257, 128).ToArbitrary(), (sizes, fin) =>
        {
            var rng = new Random(fin);
            var x = new float[2 * 3000];
            for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() - 0.5);
            var whole = RunBlocks(fin, x, 3000, [3000]);
            var parts = RunBlocks(fin, x, 3000, sizes);
            return whole.SequenceEqual(parts);
        });

    [Fact]
    public void Bad_arguments_say_what_is_wrong()
    {
        Assert.Contains("input rate", Assert.Throws<ArgumentOutOfRangeException>(() => new ResamplerDesign(0, 250)).Message);
        var r = new RationalResampler(360, 250, 2);
        Assert.Contains("2 channels", Assert.Throws<ArgumentException>(() => r.Process(new float[10], 10, new float[100], 50)).Message);
        Assert.Contains("stride", Assert.Throws<ArgumentException>(() => r.Process(new float[20], 10, new float[100], 2)).Message);
    }

    private static float[] RunBlocks(int fin, float[] planar, int length, IEnumerable<int> sizes)
    {
        var r = new RationalResampler(fin, 250, 2);
        var outs = new List<float>[] { new(), new() };
        int pos = 0;
        using var e = sizes.GetEnumerator();
        while (pos < length)
        {
            int n = e.MoveNext() ? Math.Min(e.Current, length - pos) : length - pos;
            var block = new float[2 * n];
            planar.AsSpan(pos, n).CopyTo(block);
            planar.AsSpan(length + pos, n).CopyTo(block.AsSpan(n));
            int stride = r.MaxOutputLength(n);
            var o = new float[2 * stride];
            int m = r.Process(block, n, o, stride);
            outs[0].AddRange(o.AsSpan(0, m).ToArray());
            outs[1].AddRange(o.AsSpan(stride, m).ToArray());
            pos += n;
        }
        return [.. outs[0], .. outs[1]];
    }

    private static float[] Sine(int fs, double f, double seconds, double amplitude) =>
        Enumerable.Range(0, (int)(fs * seconds)).Select(i => (float)(amplitude * Math.Sin(2 * Math.PI * f * i / fs))).ToArray();

    private static float[] Resample(int fin, float[] x, out ResamplerDesign design)
    {
        design = new ResamplerDesign(fin, 250);
        var r = new RationalResampler(design, 1);
        int stride = r.MaxOutputLength(x.Length);
        var y = new float[stride];
        int n = r.Process(x, x.Length, y, stride);
        return y[..n];
    }

    // Amplitude of the component at f (Hz) of a segment whose first sample is output index `offset`.
    private static double Amplitude(ReadOnlySpan<float> seg, double fs, double f, int offset)
    {
        double s = 0, c = 0;
        for (int i = 0; i < seg.Length; i++)
        {
            double w = 2 * Math.PI * f * (i + offset) / fs;
            s += seg[i] * Math.Sin(w);
            c += seg[i] * Math.Cos(w);
        }
        return 2 * Math.Sqrt(s * s + c * c) / seg.Length;
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
