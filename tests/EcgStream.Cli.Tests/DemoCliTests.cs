using System.Diagnostics;
using EcgStream.Tests;
using System.Text.RegularExpressions;
using EcgStream.Daemon.Demo;

namespace EcgStream.Cli.Tests;

/// <summary>A fact that needs firmware-bridge/build/vdev (tools/setup/bridge.sh); skipped with a message without it.</summary>
public sealed class VdevFactAttribute : FactAttribute
{
    public VdevFactAttribute()
    {
        if (DemoRunner.FindVdev() is null) Skip = "firmware-bridge/build/vdev not built (run tools/setup/bridge.sh)";
    }
}

public class DemoCliTests
{
    [VdevFact]
    public async Task A_demo_killed_with_SIGKILL_leaves_no_vdev_running()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "ecgstream.dll"), "demo", "--port", "0", "--model", "none" })
            psi.ArgumentList.Add(a);
        using var demo = Process.Start(psi)!;
        int vdev = 0;
        try
        {
            _ = demo.StandardOutput.ReadToEndAsync(); // the events: not looked at, but the pipe must not fill
            // "demo: virtual device: …/vdev (pid N) on 127.0.0.1:PORT, fed raw samples on stdin"
            using (var started = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
                while (vdev == 0 && await demo.StandardError.ReadLineAsync(started.Token) is { } line)
                    if (Regex.Match(line, @"^demo: virtual device: .*/vdev \(pid (\d+)\)") is { Success: true } m) vdev = int.Parse(m.Groups[1].Value);
            Assert.True(vdev > 0, "the demo did not say it started vdev");
            Assert.True(ProcessTable.Running(vdev));

            demo.Kill(); // SIGKILL: nothing of the demo runs any more, its Dispose included
            await ChildProcesses.WaitForExitAsync(demo, TimeSpan.FromSeconds(15), "demo killed with SIGKILL");
            var killed = Stopwatch.StartNew();
            while (ProcessTable.Running(vdev) && killed.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
            // vdev looks once a second; the rest is a loaded machine's scheduling
            Assert.False(ProcessTable.Running(vdev), "vdev is still running 10 s after its demo was killed");
            Assert.True(killed.Elapsed < TimeSpan.FromSeconds(3), $"vdev took {killed.Elapsed.TotalSeconds:F1} s to stop");
        }
        finally
        {
            if (!demo.HasExited) demo.Kill(entireProcessTree: true);
            if (vdev > 0 && ProcessTable.Running(vdev)) Process.GetProcessById(vdev).Kill();
        }
    }
}
