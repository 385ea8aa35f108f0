using System.Diagnostics;
using Xunit.Abstractions;

namespace EcgStream.Synthetic.Tests;

/// <summary>Reports generation speed (no timed assertion; the number goes to docs/synthetic.md).</summary>
public class SpeedReport(ITestOutputHelper output)
{
    [Fact]
    public void TenMinutesOfTwelveLeadsWithNoise()
    {
        var s = ScenarioLibrary.Random(5, TimeSpan.FromMinutes(10));
        var sw = Stopwatch.StartNew();
        var r = Simulator.Run(s);
        sw.Stop();
        double x = r.DurationSeconds / sw.Elapsed.TotalSeconds;
        output.WriteLine($"10 min, 12 leads, 500 Hz, noise: {sw.Elapsed.TotalSeconds:F2} s ({x:F0}× real time; 1 h ≈ {3600 / x:F1} s)");
        Assert.Equal(300_000, r.Length);
    }
}
