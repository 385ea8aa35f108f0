using EcgStream.Core.Leads;
using EcgStream.Formats.Wfdb;
using EcgStream.Tests;
using Xunit.Abstractions;

namespace EcgStream.Synthetic.Tests;

/// <summary>Synthetic patients against real ones: PTB-XL records labelled NORM with likelihood 100.</summary>
public class RealismTests(ITestOutputHelper output)
{
    /// <summary>Robust amplitude: 99.5th − 0.5th percentile after removing a 0.6 s moving average (baseline).</summary>
    private static double Amplitude(float[] x, double fs)
    {
        int w = (int)(0.6 * fs);
        var y = new double[x.Length - w];
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += x[i];
            if (i >= w) { s -= x[i - w]; y[i - w] = x[i] - s / w; }
        }
        Array.Sort(y);
        return y[(int)(0.995 * (y.Length - 1))] - y[(int)(0.005 * (y.Length - 1))];
    }

    [DataFact("ptbxl")]
    public void LeadAmplitudesMatchNormalPtbXlRecords()
    {
        var root = TestData.PathOf("ptbxl");
        var files = File.ReadLines(Path.Combine(root, "ptbxl_database.csv")).Skip(1)
            .Where(l => l.Contains("'NORM': 100.0")).Select(l => l.Split(',')[^1]).Take(100).ToList();
        Assert.True(files.Count >= 50, $"only {files.Count} NORM records");
        var real = files.Select(f =>
        {
            var rec = Wfdb.ReadRecord(Path.Combine(root, f));
            return Enumerable.Range(0, Leads.Count).Select(l => Amplitude(rec.Samples[rec.ChannelOf((Lead)l)], rec.SampleRate)).ToArray();
        }).ToList();
        var synthetic = Enumerable.Range(0, 100).Select(seed =>
        {
            var r = Simulator.Run(Measure.Clean(seed, new ScenarioSegment("SR", 10)));
            return Enumerable.Range(0, Leads.Count).Select(l => Amplitude(r.Signals[l], r.SampleRate)).ToArray();
        }).ToList();
        for (int l = 0; l < Leads.Count; l++)
        {
            double a = Measure.Median(real.Select(x => x[l])), b = Measure.Median(synthetic.Select(x => x[l]));
            output.WriteLine($"{Leads.Name((Lead)l),-4} median amplitude: PTB-XL NORM {a:F2} mV, synthetic {b:F2} mV (ratio {b / a:F2})");
            Assert.InRange(b / a, 1 / 1.4, 1.4);
        }
    }
}
