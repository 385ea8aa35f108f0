using EcgStream.Signal.Pipeline;
using EcgStream.Signal.Tests.Support;
using EcgStream.Tests;
using Xunit.Abstractions;

namespace EcgStream.Signal.Tests.Qrs;

/// <summary>
/// QRS detection on the non-paced MIT-BIH records through the product path (360 → 250 Hz, band-pass,
/// multi-lead detector, all in the SignalChain). Scoring as ANSI/AAMI EC57: beat annotations only
/// (WFDB isqrs codes), 150 ms match window, from 5:00 (the standard's learning period) to the end,
/// ventricular flutter episodes ([ … ], record 207) excluded.
/// </summary>
public class MitBihQrsTests(ITestOutputHelper output)
{
    internal static readonly string[] Records =
        ["101", "106", "108", "109", "112", "114", "115", "116", "118", "119", "122", "124",
         "201", "203", "205", "207", "208", "209", "215", "220", "223", "230"];

    internal static BeatScore ScoreRecord(string name)
    {
        var rec = RealRecords.Load("mitdb", name);
        var (chain, cap) = ChainCapture.Run(rec.Planes, rec.Rate, rec.Leads, [360], SignalChainOptions.Default with { EmitWindows = false });
        var refs = rec.Annotations.Where(a => a.IsBeat).Select(a => a.Sample / rec.Rate).ToList();
        var dets = cap.Beats.Select(b => b.Sample / 250.0 - chain.DelaySeconds).ToList();
        return BeatScore.Compare(refs, dets, 0.15, 300, double.MaxValue, RealRecords.VfIntervals(rec));
    }

    [DataFact("mitdb")]
    public void Gross_sensitivity_and_positive_predictivity_are_at_least_99_percent()
    {
        var total = new BeatScore();
        foreach (var name in Records)
        {
            var s = ScoreRecord(name);
            output.WriteLine($"{name}: {s}");
            total += s;
            // Per record, even the hardest (201: AF with aberrant low beats; 203: multiform PVCs, noise) stay above 96%.
            Assert.True(s.Sensitivity >= 0.96 && s.PositivePredictivity >= 0.96, $"record {name}: {s}");
        }
        output.WriteLine($"gross: {total}");
        Assert.True(total.Sensitivity >= 0.99, $"gross {total}");
        Assert.True(total.PositivePredictivity >= 0.99, $"gross {total}");
    }
}

/// <summary>
/// <see cref="QrsBeat.Shape"/> on MIT-BIH records with the beat labels as truth: ventricular beats ('V') must read as odd
/// (below the rules' <see cref="EcgStream.Signal.Rhythms.RuleOptions.OddShapeCorrelation"/>), normal and AF-conducted beats ('N') must not.
/// Each detected beat is matched to the nearest reference beat within 150 ms; the first 5 minutes are skipped (the
/// dominant shape and the detector's levels settle, as in EC57's learning period).
/// </summary>
public class MitBihShapeTests(ITestOutputHelper output)
{
    private static (int V, int VOdd, int N, int NOdd) Count(string name, double threshold)
    {
        var rec = RealRecords.Load("mitdb", name);
        var (chain, cap) = ChainCapture.Run(rec.Planes, rec.Rate, rec.Leads, [360], SignalChainOptions.Default with { EmitWindows = false });
        var refs = rec.Annotations.Where(a => a.IsBeat).Select(a => (T: a.Sample / rec.Rate, a.Code)).ToArray();
        var times = refs.Select(r => r.T).ToArray();
        int v = 0, vOdd = 0, n = 0, nOdd = 0;
        foreach (var b in cap.Beats)
        {
            double t = b.Sample / 250.0 - chain.DelaySeconds;
            if (t < 300 || float.IsNaN(b.Shape)) continue;
            int i = Array.BinarySearch(times, t);
            if (i < 0) i = ~i;
            int best = i < times.Length && (i == 0 || times[i] - t < t - times[i - 1]) ? i : i - 1;
            if (best < 0 || Math.Abs(times[best] - t) > 0.15) continue;
            bool odd = b.Shape < threshold;
            if (refs[best].Code == Formats.Wfdb.AnnotationCode.Pvc) { v++; if (odd) vOdd++; }
            else if (refs[best].Code == Formats.Wfdb.AnnotationCode.Normal) { n++; if (odd) nOdd++; }
        }
        return (v, vOdd, n, nOdd);
    }

    // Measured 2026-12-04 (share of V beats odd, share of N beats odd): 106 23.5 % / 0.0 %, 119 98.9 / 0.0, 208 72.3 / 15.7,
    // 215 49.6 / 0.0, 223 17.4 / 0.1, 201 (AF) 10.7 / 0.0, 203 (AF, multiform PVCs) 87.9 / 5.0. The bounds leave a margin.
    // Conducted beats, AF's included, seldom read as odd; 208 is the exception (PVCs and fusion beats are 45 % of its beats),
    // harmless to the rules' veto, which fires only when what is left is regular. Many PVCs of 106 and 223 correlate with
    // the normal beat in the detection lead: the veto misses those, it does not misfire.
    [DataTheory("mitdb")]
    [InlineData("119", 0.95, 0.01)]
    [InlineData("208", 0.65, 0.20)]
    [InlineData("203", 0.75, 0.08)]
    [InlineData("215", 0.40, 0.01)]
    [InlineData("106", 0.15, 0.01)]
    [InlineData("223", 0.08, 0.01)]
    [InlineData("201", 0.0, 0.01)]
    public void Ventricular_beats_read_as_odd_shapes_and_conducted_beats_do_not(string name, double minVOdd, double maxNOdd)
    {
        var (v, vOdd, n, nOdd) = Count(name, EcgStream.Signal.Rhythms.RuleOptions.Default.OddShapeCorrelation);
        output.WriteLine($"{name}: V {vOdd}/{v} odd, N {nOdd}/{n} odd");
        Assert.True(v > 0 && n > 500, $"{name}: {v} V and {n} N beats matched");
        Assert.True((double)vOdd / v >= minVOdd, $"{name}: {vOdd} of {v} V beats odd, expected ≥ {minVOdd:P0}");
        Assert.True((double)nOdd / n <= maxNOdd, $"{name}: {nOdd} of {n} N beats odd, expected ≤ {maxNOdd:P0}");
    }
}
