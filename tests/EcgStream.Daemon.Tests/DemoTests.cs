using System.Diagnostics;
using EcgStream.Tests;
using System.Text.Json;
using EcgStream.Daemon.Demo;

namespace EcgStream.Daemon.Tests;

/// <summary>A fact that needs firmware-bridge/build/vdev (tools/setup/bridge.sh); skipped with a message without it.</summary>
public sealed class VdevFactAttribute : FactAttribute
{
    public VdevFactAttribute()
    {
        if (DemoRunner.FindVdev() is null) Skip = "firmware-bridge/build/vdev not built (run tools/setup/bridge.sh)";
    }
}

public class DemoTests
{
    private static async Task<(DemoResult Result, List<JsonElement> Lines, string Notes)> Run(bool useVdev)
    {
        var stdout = new MemoryStream();
        var notes = new StringWriter();
        var result = await DemoRunner.RunAsync(new DemoOptions
        {
            DurationSeconds = 60, Speed = 12, Port = 0, UseVdev = useVdev, Stdout = stdout, Notes = notes,
        }).WaitAsync(TimeSpan.FromSeconds(60));
        var lines = System.Text.Encoding.UTF8.GetString(stdout.ToArray())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        return (result, lines, notes.ToString());
    }

    private static void AssertAfDetected(DemoResult result, List<JsonElement> lines, string notes)
    {
        Assert.Equal(result.Events, lines.Count);
        // the default scenario: AF from 20 s to 80 s; the rules report it within the first minute
        // (their onset estimate reaches back over the analysis window, so it may precede 20 s)
        Assert.Contains(lines, l => l.GetProperty("rhythm").GetString() == "AF" && l.GetProperty("kind").GetString() == "onset"
                                    && l.GetProperty("start_s").GetDouble() is > 5 and < 40 && l.GetProperty("detected_s").GetDouble() < 60);
        Assert.All(lines, l => Assert.Equal(DemoRunner.BedId, l.GetProperty("stream").GetString()));
        Assert.Contains($"live view at {result.LiveView}", notes);
        Assert.Contains("rule-based detectors", notes);
        Assert.InRange(result.SignalSeconds, 55, 75);
    }

    [Fact]
    public async Task The_demo_runs_end_to_end_with_the_in_process_device()
    {
        var (result, lines, notes) = await Run(useVdev: false);
        Assert.StartsWith("in-process C# virtual device", result.Device);
        AssertAfDetected(result, lines, notes);
    }

    [VdevFact]
    public async Task Vdev_exits_within_a_second_or_two_of_the_process_named_by_parent_pid_ending()
    {
        // the stand-in parent, killed with SIGKILL as a demo may be
        // its output redirected: a child holding the test host's own output would keep `dotnet test` waiting if left behind
        using var parent = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true })!;
        var psi = new ProcessStartInfo(DemoRunner.FindVdev()!)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        // as the demo runs it: a TCP listener fed on stdin; without a client it waits in accept() for ever
        foreach (var a in new[] { "--tcp-listen", "0", "--raw", "/dev/stdin", "--leads", "1", "--parent-pid", parent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        using var vdev = Process.Start(psi)!;
        try
        {
            var stderr = vdev.StandardError.ReadToEndAsync();
            string? listening = await vdev.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(listening?.StartsWith("tcp 127.0.0.1:", StringComparison.Ordinal) == true,
                $"vdev did not start listening: {listening}; {(vdev.HasExited ? await stderr : "")}");
            Assert.False(vdev.HasExited);

            parent.Kill();
            await ChildProcesses.WaitForExitAsync(parent, TimeSpan.FromSeconds(15), "sleep killed with SIGKILL");
            var killed = Stopwatch.StartNew();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)); // a bound for the failure case only
            try { await vdev.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { Assert.Fail("vdev was still running 10 s after the process named by --parent-pid was killed"); }
            // polled once a second: 1 s at most, and a loaded machine's scheduling
            Assert.True(killed.Elapsed < TimeSpan.FromSeconds(3), $"vdev took {killed.Elapsed.TotalSeconds:F1} s to notice");
            Assert.Equal(0, vdev.ExitCode);
            Assert.Equal($"vdev: parent process {parent.Id} has ended; exiting", (await stderr).Trim());
        }
        finally
        {
            if (!vdev.HasExited) vdev.Kill();
            if (!parent.HasExited) parent.Kill();
        }
    }

    [VdevFact]
    public async Task The_demo_runs_end_to_end_with_the_C_virtual_device()
    {
        var (result, lines, notes) = await Run(useVdev: true);
        Assert.Contains("firmware-bridge/build/vdev", result.Device);
        AssertAfDetected(result, lines, notes);
    }
}
