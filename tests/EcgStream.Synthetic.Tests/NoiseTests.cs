using EcgStream.Core.Leads;
using EcgStream.Tests;
using Xunit.Abstractions;

namespace EcgStream.Synthetic.Tests;

public class NoiseTests(ITestOutputHelper output)
{
    private static readonly Lead[] Independent = [Lead.I, Lead.II, Lead.V1, Lead.V2, Lead.V3, Lead.V4, Lead.V5, Lead.V6];

    /// <summary>
    /// SNR measured the NSTDB way from the clean and the noisy record: S = (median per-beat
    /// peak-to-peak)² / 8 averaged over the independent leads, N = mean square of (noisy − clean).
    /// </summary>
    private static double MeasuredSnr(SimulatedRecord clean, SimulatedRecord noisy, double from, double to)
    {
        double fs = clean.SampleRate, s = 0, n = 0;
        foreach (var l in Independent)
        {
            var c = clean.Lead(l);
            var x = noisy.Lead(l);
            var beats = clean.BeatSamples.Where(b => b / fs > from + 0.5 && b / fs < to - 0.8).ToArray();
            double pp = Measure.Median(beats.Select(b =>
            {
                var w = c.AsSpan((int)(b - 0.3 * fs), (int)(0.8 * fs));
                float lo = float.MaxValue, hi = float.MinValue;
                foreach (var v in w) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
                return (double)(hi - lo);
            }));
            s += pp * pp / 8;
            double e = 0;
            int a = (int)(from * fs), b2 = (int)(to * fs);
            for (int i = a; i < b2; i++) { double d = x[i] - c[i]; e += d * d; }
            n += e / (b2 - a);
        }
        return 10 * Math.Log10(s / n);
    }

    public static TheoryData<double, string> Mixes => new()
    {
        { 20, "default" }, { 6, "default" }, { 0, "muscle" }, { 12, "wander" }, { 30, "powerline" }, { 10, "all-synthetic" },
    };

    private static NoiseSpec Mix(string name, double snr) => name switch
    {
        "muscle" => new NoiseSpec { Snr = snr, BaselineWander = 0, Powerline = 0 },
        "wander" => new NoiseSpec { Snr = snr, Muscle = 0, Powerline = 0 },
        "powerline" => new NoiseSpec { Snr = snr, Muscle = 0, BaselineWander = 0, Powerline = 1, PowerlineHz = 60 },
        "all-synthetic" => new NoiseSpec { Snr = snr, BaselineWander = 1, Muscle = 1, Powerline = 0.5 },
        _ => new NoiseSpec { Snr = snr },
    };

    [Theory]
    [MemberData(nameof(Mixes))]
    public void NoiseMeasuresToTheRequestedSnr(double snr, string mix)
    {
        var clean = Measure.Clean(17, new ScenarioSegment("SR", 120, HeartRate: 70));
        var a = Simulator.Run(clean);
        var b = Simulator.Run(clean with { Noise = Mix(mix, snr) });
        double measured = MeasuredSnr(a, b, 1, 119);
        output.WriteLine($"{mix} at {snr} dB: measured {measured:F2} dB");
        Assert.InRange(measured, snr - 1, snr + 1);
    }

    [Fact]
    public void SegmentSnrOverridesTheScenarioAndLowSnrIsLabelledNoise()
    {
        var clean = Measure.Clean(18, new ScenarioSegment("SR", 60, HeartRate: 70), new ScenarioSegment("SR", 60, HeartRate: 70));
        var a = Simulator.Run(clean);
        Assert.DoesNotContain(a.Truth, e => e.Rhythm == "NOISE");
        // A segment's SNR applies even where the scenario sets none; here it overrides 24 dB.
        var b = Simulator.Run(clean with
        {
            Noise = new NoiseSpec { Snr = 24 },
            Segments = [clean.Segments[0], clean.Segments[1] with { Snr = -2 }],
        });
        double first = MeasuredSnr(a, b, 1, 59), second = MeasuredSnr(a, b, 61, 119);
        output.WriteLine($"segment SNRs measured {first:F2} dB and {second:F2} dB");
        Assert.InRange(first, 23, 25);
        Assert.InRange(second, -3, -1);
        var noise = Assert.Single(b.Truth, e => e.Rhythm == "NOISE");
        Assert.Equal(60, noise.StartSeconds, 9);
        Assert.Equal(120, noise.EndSeconds, 9);
    }

    [DataFact("nstdb-noise")]
    public void RealNstdbNoiseMixesAtTheRequestedSnr()
    {
        var dir = TestData.PathOf("nstdb-noise");
        var clean = Measure.Clean(19, new ScenarioSegment("SR", 120, HeartRate: 75));
        var a = Simulator.Run(clean);
        foreach (var (bw, ma, snr) in new[] { (1.0, 0.0, 12.0), (0.0, 1.0, 6.0), (1.0, 1.0, 18.0) })
        {
            var spec = new NoiseSpec { Snr = snr, BaselineWander = 0, Muscle = 0, Powerline = 0, NstdbBaselineWander = bw, NstdbMuscle = ma, NstdbDirectory = dir };
            var b = Simulator.Run(clean with { Noise = spec });
            double measured = MeasuredSnr(a, b, 1, 119);
            output.WriteLine($"NSTDB bw {bw} ma {ma} at {snr} dB: measured {measured:F2} dB");
            Assert.InRange(measured, snr - 1, snr + 1);
        }
    }

    [Fact]
    public void MissingNstdbFolderIsAClearError()
    {
        var s = Measure.Clean(1, new ScenarioSegment("SR", 5)) with
        {
            Noise = new NoiseSpec { Snr = 10, NstdbMuscle = 1, NstdbDirectory = "/nonexistent/nstdb" },
        };
        var e = Assert.Throws<FileNotFoundException>(() => Simulator.Run(s));
        Assert.Contains("/nonexistent/nstdb/ma.hea", e.Message);
    }

    [Fact]
    public void PowerlineSitsAtTheMainsFrequency()
    {
        var clean = Measure.Clean(20, new ScenarioSegment("SR", 20));
        var a = Simulator.Run(clean);
        var b = Simulator.Run(clean with { Noise = new NoiseSpec { Snr = 20, Muscle = 0, BaselineWander = 0, Powerline = 1, PowerlineHz = 60 } });
        var d = new double[a.Length];
        for (int i = 0; i < d.Length; i++) d[i] = b.Lead(Lead.V1)[i] - a.Lead(Lead.V1)[i];
        double f = Measure.DominantFrequency([d], a.SampleRate, 40, 70);
        Assert.InRange(f, 59.9, 60.1);
    }
}
