using System.Diagnostics;
using EcgStream.Tests;
using Xunit.Abstractions;
using W = EcgStream.Formats.Wfdb.Wfdb;

namespace EcgStream.Formats.Tests;

/// <summary>
/// Prints how long reading a 30-minute 2-channel format-212 record takes and what it allocates
/// (a report, not a timed test: it asserts only what was read). Run with
/// <c>dotnet test tests/EcgStream.Formats.Tests -c Release --filter ReadSpeedReport --logger "console;verbosity=detailed"</c>.
/// </summary>
public sealed class ReadSpeedReport(ITestOutputHelper output)
{
    [DataFact("mitdb")]
    public void Mitdb_30_minute_212_record()
    {
        string path = TestData.PathOf("mitdb", "208");
        W.ReadRecord(path);                     // warm up: JIT, file cache, pools
        const int runs = 10;
        long bytes = GC.GetAllocatedBytesForCurrentThread();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        Recording? rec = null;
        for (int i = 0; i < runs; i++) rec = W.ReadRecord(path);
        sw.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        bytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
        Assert.Equal(650_000, rec!.Length);
        Assert.Equal(2, rec.Signals.Count);
        output.WriteLine($"ReadRecord mitdb/208 (650000 frames × 2, format 212, checksums verified): {sw.Elapsed.TotalMilliseconds / runs:F1} ms wall, {cpu.TotalMilliseconds / runs:F1} ms CPU, {bytes / runs / 1e6:F2} MB allocated per read (output arrays: {2 * 650_000 * 4 / 1e6:F2} MB)");
        cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var swd = Stopwatch.StartNew();
        for (int i = 0; i < runs; i++) W.ReadDigital(path);
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        output.WriteLine($"ReadDigital mitdb/208: {swd.Elapsed.TotalMilliseconds / runs:F1} ms wall, {cpu.TotalMilliseconds / runs:F1} ms CPU");
    }
}
