using System.Diagnostics;
using Xunit.Abstractions;

namespace EcgStream.Synthetic.Tests;

/// <summary>Reports generation speed (no timed assertion; the numbers go to docs/synthetic.md).</summary>
public class SpeedReport(ITestOutputHelper output)
{
    [Fact]
    public void TenMinutesOfTwelveLeads()
    {
        var noisy = ScenarioLibrary.Random(5, TimeSpan.FromMinutes(10));
        Simulator.Run(noisy with { Segments = [new ScenarioSegment("AF", 5)] }); // JIT warm-up
        foreach (var (name, s) in new[] { ("clean", noisy with { Noise = NoiseSpec.None }), ("noise", noisy), ("clean", noisy with { Noise = NoiseSpec.None }), ("noise", noisy) })
        {
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var r = Simulator.Run(s);
            sw.Stop();
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            // CPU time is the honest number on a shared machine; wall time is shown beside it.
            output.WriteLine($"10 min, 12 leads, 500 Hz, {name}: CPU {cpu:F2} s ({r.DurationSeconds / cpu:F0}× real time; 1 h ≈ {cpu * 6:F1} s CPU), wall {sw.Elapsed.TotalSeconds:F2} s");
            Assert.Equal(300_000, r.Length);
        }
    }
}
