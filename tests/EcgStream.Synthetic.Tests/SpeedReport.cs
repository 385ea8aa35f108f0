using System.Diagnostics;
using Xunit.Abstractions;

namespace EcgStream.Synthetic.Tests;

/// <summary>
/// Reports generation speed for one hour of 12-lead 500 Hz ECG (no timed assertion; the numbers go
/// to docs/synthetic.md). Run with -c Release and detailed console logging to see them.
/// </summary>
public class SpeedReport(ITestOutputHelper output)
{
    [Fact]
    public void OneHourOfTwelveLeads()
    {
        var noisy = ScenarioLibrary.Random(5, TimeSpan.FromHours(1));
        Simulator.Run(ScenarioLibrary.Random(1, TimeSpan.FromMinutes(1))); // JIT warm-up
        var clean = noisy with { Noise = new NoiseSpec { BaselineWander = 0, Muscle = 0, Powerline = 0 } };
        foreach (var (name, s) in new[] { ("clean", clean), ("synthetic noise", noisy) })
        {
            var process = Process.GetCurrentProcess();
            var cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var r = Simulator.Run(s);
            sw.Stop();
            process.Refresh();
            // CPU time is the honest number on a shared machine (other tests may run beside this
            // one in the same process, so it is an upper bound); wall time is shown beside it.
            double cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
            output.WriteLine($"1 h, 12 leads, 500 Hz, {name}: CPU ≤ {cpu:F2} s, wall {sw.Elapsed.TotalSeconds:F2} s ({r.BeatSamples.Count} beats)");
            Assert.Equal(1_800_000, r.Length);
        }
    }
}
