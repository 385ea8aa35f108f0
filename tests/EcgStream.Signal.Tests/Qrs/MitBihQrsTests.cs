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
