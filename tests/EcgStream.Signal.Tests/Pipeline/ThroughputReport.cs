using System.Diagnostics;
using EcgStream.Core.Samples;
using EcgStream.Signal.Pipeline;
using EcgStream.Signal.Tests.Support;
using Xunit.Abstractions;

namespace EcgStream.Signal.Tests.Pipeline;

/// <summary>
/// Prints how fast the signal chain runs on a 30-minute 2-lead 360 Hz record (MIT-BIH 101): resample + filter +
/// quality + QRS + rules, with and without cutting model windows. A report, not a timed assertion: it checks only
/// that the run did its work. Run: dotnet test tests/EcgStream.Signal.Tests --filter ThroughputReport --logger "console;verbosity=detailed"
/// </summary>
public class ThroughputReport(ITestOutputHelper output)
{
    [EcgStream.Tests.DataFact("mitdb")]
    public void Thirty_minutes_of_two_lead_360_Hz()
    {
        var rec = RealRecords.Load("mitdb", "101");
        var blocks = new List<float[]>();
        const int block = 90; // 250 ms at 360 Hz, a typical device frame batch
        int n = rec.Planes[0].Length;
        for (int s = 0; s + block <= n; s += block) blocks.Add(SyntheticEcg.Planar(rec.Planes, s, block));

        foreach (var windows in new[] { false, true })
        {
            var options = SignalChainOptions.Default with { EmitWindows = windows };
            for (int i = 0; i < 3; i++) Run(rec, blocks, block, options); // warm-up: let tiered JIT reach optimised code
            var process = Process.GetCurrentProcess();
            var cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            long before = GC.GetAllocatedBytesForCurrentThread();
            var cap = Run(rec, blocks, block, options);
            sw.Stop();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            process.Refresh();
            double cpu = (process.TotalProcessorTime - cpu0).TotalMilliseconds;
            double seconds = blocks.Count * block / rec.Rate;
            // Wall time suffers from other processes on a shared machine; process CPU time is the steadier figure.
            output.WriteLine($"{(windows ? "with windows" : "rules only  ")}: {seconds / 60:F1} min of signal, wall {sw.Elapsed.TotalMilliseconds:F0} ms " +
                             $"({seconds / sw.Elapsed.TotalSeconds:F0}× real time), CPU {cpu:F0} ms; {cap.Beats} beats, {cap.Windows} windows; " +
                             $"{allocated} B allocated in the run, chain construction included ({Environment.ProcessorCount} cores, load shared)");
            Assert.True(cap.Beats > 1800 && (!windows || cap.Windows > 1700));
        }
    }

    private sealed class Counter : ISignalChainSink
    {
        public int Beats, Windows;
        public void OnPreprocessed(in SampleBlock block) { }
        public void OnQuality(in EcgStream.Signal.Quality.QualityEpoch epoch) { }
        public void OnBeat(in EcgStream.Signal.Qrs.QrsBeat beat) => Beats++;
        public void OnWindow(in EcgWindow window) => Windows++;
        public void OnScores(in Core.Rhythms.WindowScores scores, double heartRateBpm, in EcgStream.Signal.Rhythms.AfFeatures af) { }
        public void OnAlarm(in EcgStream.Signal.Rhythms.RuleAlarm alarm) { }
    }

    private static Counter Run(RealRecords.Loaded rec, List<float[]> blocks, int block, SignalChainOptions options)
    {
        var chain = new SignalChain("bench", rec.Rate, rec.Leads, options);
        var sink = new Counter();
        for (int k = 0; k < blocks.Count; k++)
            chain.Process(new SampleBlock("bench", (long)k * block, rec.Rate, rec.Leads, block, blocks[k]), sink);
        return sink;
    }
}
