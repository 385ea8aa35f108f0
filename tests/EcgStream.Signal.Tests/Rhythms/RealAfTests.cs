using EcgStream.Core.Rhythms;
using EcgStream.Signal.Pipeline;
using EcgStream.Signal.Tests.Support;
using EcgStream.Tests;
using Xunit.Abstractions;

namespace EcgStream.Signal.Tests.Rhythms;

/// <summary>
/// Window-level AF decisions of the rule detector (the product path: SignalChain on the raw record) against the
/// (AFIB rhythm annotations: each 1 s decision is labelled by the annotation at its time; a decision without an AF
/// opinion (NaN: too few beats yet, or noise) counts as "not AF". Episode-level metrics come after the tracker.
/// </summary>
public class RealAfTests(ITestOutputHelper output)
{
    internal readonly record struct WindowCounts(int Tp, int Fn, int Fp, int Tn)
    {
        public double Sensitivity => Tp / (double)Math.Max(1, Tp + Fn);
        public double Specificity => Tn / (double)Math.Max(1, Tn + Fp);
        public static WindowCounts operator +(WindowCounts a, WindowCounts b) => new(a.Tp + b.Tp, a.Fn + b.Fn, a.Fp + b.Fp, a.Tn + b.Tn);
        public override string ToString() => $"TP {Tp} FN {Fn} FP {Fp} TN {Tn} Se {Sensitivity:P1} Sp {Specificity:P1}";
    }

    internal static WindowCounts Evaluate(string folder, string record)
    {
        var rec = RealRecords.Load(folder, record);
        var (_, cap) = ChainCapture.Run(rec.Planes, rec.Rate, rec.Leads, [(int)rec.Rate / 2], SignalChainOptions.Default with { EmitWindows = false });
        var af = RealRecords.RhythmIntervals(rec, "AFIB");
        int tp = 0, fn = 0, fp = 0, tn = 0;
        foreach (var s in cap.Scores)
        {
            bool truth = af.Any(i => s.End >= i.Start && s.End < i.End);
            bool said = s.P[(int)RhythmClass.AF] >= 0.5; // NaN compares false
            if (truth) { if (said) tp++; else fn++; }
            else if (said) fp++;
            else tn++;
        }
        return new WindowCounts(tp, fn, fp, tn);
    }

    [DataFact("mitdb")]
    public void MIT_BIH_201_and_203()
    {
        var r201 = Evaluate("mitdb", "201");
        var r203 = Evaluate("mitdb", "203");
        output.WriteLine($"201: {r201}");
        output.WriteLine($"203: {r203}");
        // Regression guards a little under the measured values (see the report): both records are the hard
        // cases of MIT-BIH (201: trigeminy and nodal rhythm; 203: multiform PVCs, flutter, VT).
        Assert.True(r201.Sensitivity > 0.85 && r203.Sensitivity > 0.85, $"201 {r201}; 203 {r203}");
        Assert.True(r201.Specificity > 0.4, $"201 {r201}");
    }

    [DataFact("cpsc2021")]
    public void CPSC_2021()
    {
        var total = new WindowCounts();
        foreach (var file in Directory.GetFiles(TestData.PathOf("cpsc2021"), "*.hea").Order())
        {
            var name = Path.GetFileNameWithoutExtension(file);
            var c = Evaluate("cpsc2021", name);
            output.WriteLine($"{name}: {c}");
            total += c;
        }
        output.WriteLine($"CPSC 2021 total: {total}");
        Assert.True(total.Sensitivity > 0.8, total.ToString());
        Assert.True(total.Specificity > 0.9, total.ToString());
    }
}
