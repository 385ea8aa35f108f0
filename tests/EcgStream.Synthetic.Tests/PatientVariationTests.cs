using EcgStream.Core.Leads;
using Xunit.Abstractions;

namespace EcgStream.Synthetic.Tests;

public class PatientVariationTests(ITestOutputHelper output)
{
    [Fact]
    public void QrsAxisAmplitudeAndQtVaryAcrossPatients()
    {
        var axes = new List<double>();
        var amplitudes = new List<double>();
        var qts = new List<double>();
        for (int seed = 100; seed < 130; seed++)
        {
            var r = Simulator.Run(Measure.Clean(seed, new ScenarioSegment("SR", 8, HeartRate: 60)));
            double fs = r.SampleRate;
            var beats = r.BeatSamples.Where(b => b > 0.3 * fs && b < r.Length - 0.5 * fs).ToArray();
            double Net(Lead l) => Measure.Median(beats.Select(b => Enumerable.Range((int)b - (int)(0.06 * fs), (int)(0.12 * fs)).Sum(k => (double)r.Lead(l)[k])));
            // Frontal QRS axis from the net QRS areas of I and aVF (the hexaxial method).
            axes.Add(Math.Atan2(Net(Lead.aVF), Net(Lead.I)) * 180 / Math.PI);
            var ii = r.Lead(Lead.II);
            amplitudes.Add(Measure.Median(beats.Select(b => (double)(Enumerable.Range((int)b - 40, 80).Max(k => ii[k]) - Enumerable.Range((int)b - 40, 80).Min(k => ii[k])))));
            // T peak time in the lead with the largest T (a QT proxy): |signal| maximum 150–450 ms after R in V2..V5.
            qts.Add(Measure.Median(beats.Select(b =>
            {
                var best = new[] { Lead.V2, Lead.V3, Lead.V4, Lead.V5 }.Select(l => r.Lead(l))
                    .MaxBy(x => Enumerable.Range((int)(b + 0.15 * fs), (int)(0.3 * fs)).Max(k => Math.Abs(x[k])))!;
                return (Enumerable.Range((int)(b + 0.15 * fs), (int)(0.3 * fs)).MaxBy(k => Math.Abs(best[k])) - b) * 1000 / fs;
            })));
        }
        double Sd(List<double> x) { double m = x.Average(); return Math.Sqrt(x.Sum(v => (v - m) * (v - m)) / (x.Count - 1)); }
        output.WriteLine($"QRS axis: {axes.Min():F0}°…{axes.Max():F0}°, sd {Sd(axes):F1}°; QRS p-p in II: {amplitudes.Min():F2}…{amplitudes.Max():F2} mV, CV {Sd(amplitudes) / amplitudes.Average():F2}; T peak {qts.Min():F0}…{qts.Max():F0} ms, sd {Sd(qts):F1} ms");
        Assert.True(Sd(axes) > 15, $"axis sd {Sd(axes):F1}°");
        Assert.True(axes.Max() - axes.Min() > 60, "axes span less than 60°");
        Assert.True(axes.Count(a => a is > -40 and < 110) >= 25, "most patients have an axis in or near the normal range");
        Assert.True(Sd(amplitudes) / amplitudes.Average() > 0.15, "QRS amplitude hardly varies");
        Assert.True(Sd(qts) > 8, "T-wave timing hardly varies");
    }

    [Fact]
    public void TWaveFollowsTheQtLawWhenTheRateRises()
    {
        // Same patient at 60 and 120 bpm: QRS unchanged, the T wave comes earlier by (RR ratio)^α.
        foreach (int seed in new[] { 3, 4, 5 })
        {
            double TPeak(double hr)
            {
                var r = Simulator.Run(Measure.Clean(seed, new ScenarioSegment(hr > 100 ? "STACH" : "SR", 12, HeartRate: hr)) with { PatientSeed = 40 + seed });
                double fs = r.SampleRate;
                var v2 = r.Lead(Lead.V2);
                var beats = r.BeatSamples.Where(b => b > fs && b < r.Length - fs).ToArray();
                return Measure.Median(beats.Select(b => (Enumerable.Range((int)(b + 0.12 * fs), (int)(0.3 * fs)).MaxBy(k => Math.Abs(v2[k])) - b) / fs));
            }
            double slow = TPeak(60), fast = TPeak(120);
            output.WriteLine($"patient {40 + seed}: T peak {slow * 1000:F0} ms at 60 bpm, {fast * 1000:F0} ms at 120 bpm, ratio {fast / slow:F2}");
            Assert.InRange(fast / slow, 0.68, 0.86); // 0.5^0.45 … 0.5^0.28, with sampling
        }
    }

    [Fact]
    public void PatientSeedFixesThePatientAcrossRhythmSeeds()
    {
        var a = Simulator.Run(Measure.Clean(1, new ScenarioSegment("SR", 10, HeartRate: 60)) with { PatientSeed = 77 });
        var b = Simulator.Run(Measure.Clean(2, new ScenarioSegment("SR", 10, HeartRate: 60)) with { PatientSeed = 77 });
        var c = Simulator.Run(Measure.Clean(1, new ScenarioSegment("SR", 10, HeartRate: 60)) with { PatientSeed = 78 });
        // The 12-lead amplitude profile (median per-beat peak-to-peak) characterises the patient.
        double[] Profile(SimulatedRecord r) => r.Signals.Select(x => Measure.Median(r.BeatSamples.Where(b => b > 250 && b < r.Length - 400)
            .Select(b => (double)(x.AsSpan((int)b - 250, 650).ToArray().Max() - x.AsSpan((int)b - 250, 650).ToArray().Min())))).ToArray();
        double Distance(double[] u, double[] v) => Math.Sqrt(u.Zip(v, (p, q) => (p - q) * (p - q)).Sum());
        var (pa, pb, pc) = (Profile(a), Profile(b), Profile(c));
        Assert.True(Distance(pa, pb) < 0.25 * Distance(pa, pc), $"same patient differs by {Distance(pa, pb):F3} mV, another patient by {Distance(pa, pc):F3} mV");
    }
}
