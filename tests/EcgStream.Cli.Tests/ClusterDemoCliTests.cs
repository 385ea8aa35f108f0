using System.Diagnostics;
using EcgStream.Tests;
using EcgStream.Cluster;

namespace EcgStream.Cli.Tests;

/// <summary>A fact that needs nats-server (tools/setup.sh installs it); skipped with a message without it.</summary>
public sealed class NatsServerFactAttribute : FactAttribute
{
    public NatsServerFactAttribute()
    {
        if (LoopbackNatsCluster.FindServer() is null) Skip = "nats-server not found (tools/setup.sh installs it, or set NATS_SERVER)";
    }
}

public class ClusterDemoCliTests
{
    /// <summary>
    /// `cluster-demo` killed with SIGKILL (its Dispose never runs) leaves nothing behind: its workers (`worker --parent-pid`)
    /// and its nats-server nodes (each under a watch) stop by themselves, and the nodes' temporary store goes. Before,
    /// all of them ran on, orphaned, holding their ports.
    /// </summary>
    [NatsServerFact]
    public async Task A_cluster_demo_killed_with_SIGKILL_leaves_no_worker_node_or_store_behind()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "ecgstream.dll"), "cluster-demo", "--beds", "2", "--workers", "2", "--seconds", "120",
                     "--leads", "3", "--no-faults", "--no-replay", "--model", "none" })
            psi.ArgumentList.Add(a);
        using var demo = Process.Start(psi)!;
        List<(int Pid, string Command)> children = [];
        var said = new List<string>();
        string? store = null;
        try
        {
            _ = demo.StandardOutput.ReadToEndAsync();
            using (var started = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
                while (await demo.StandardError.ReadLineAsync(started.Token) is { } line && !line.Contains("took bed", StringComparison.Ordinal)) said.Add(line);
            children = ProcessTable.Children(demo.Id);
            Assert.True(children.Count(c => c.Command.Contains(" worker ", StringComparison.Ordinal)) == 2,
                $"workers: {string.Join("; ", children.Select(c => c.Command))}; the demo said: {string.Join(" | ", said.TakeLast(10))}");
            var nodes = children.Where(c => c.Command.Contains("nats-server", StringComparison.Ordinal) && !c.Command.StartsWith("/bin/sh", StringComparison.Ordinal)).ToList();
            Assert.Equal(3, nodes.Count);
            // "…/nats-server -c ROOT/n1/server.conf"
            store = Path.GetDirectoryName(Path.GetDirectoryName(nodes[0].Command.Split(' ')[^1])!)!;
            Assert.True(Directory.Exists(store), store);

            demo.Kill(); // SIGKILL: nothing of the demo runs any more, its Dispose included
            await ChildProcesses.WaitForExitAsync(demo, TimeSpan.FromSeconds(15), "cluster-demo killed with SIGKILL");
            var killed = Stopwatch.StartNew();
            while (children.Any(c => ProcessTable.Running(c.Pid)) && killed.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(100);
            Assert.True(!children.Any(c => ProcessTable.Running(c.Pid)),
                $"still running 30 s after the demo was killed: {string.Join("; ", children.Where(c => ProcessTable.Running(c.Pid)).Select(c => c.Command))}");
            // the workers hand their beds back or, their cluster gone, give up after 15 s; the nodes go within about a second
            Assert.True(killed.Elapsed < TimeSpan.FromSeconds(25), $"took {killed.Elapsed.TotalSeconds:F1} s");
            var deadline = Stopwatch.StartNew();
            while (Directory.Exists(store) && deadline.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(100);
            Assert.False(Directory.Exists(store), $"{store} is left behind");
        }
        finally
        {
            if (!demo.HasExited) demo.Kill(entireProcessTree: true);
            // only processes still running the command they ran (an id may have gone to another process since)
            foreach (var (pid, command) in children)
                if (ProcessTable.Running(pid) && ProcessTable.CommandOf(pid) == command)
                    try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { }
            if (store is not null && Directory.Exists(store)) try { Directory.Delete(store, recursive: true); } catch (IOException) { }
        }
    }

    [Theory]
    [InlineData("2147483646", "no such process")]
    [InlineData("0", "expected a positive process id")]
    public async Task A_worker_whose_parent_pid_names_no_process_is_refused(string pid, string problem)
    {
        var env = new Dictionary<string, string?> { ["ECGSTREAM_NATS_PASSWORD"] = "secret" };
        var r = await CliRunner.RunWithEnvironmentAsync(env, "worker", "--nats-url", "nats://127.0.0.1:1", "--nats-user", "u", "--parent-pid", pid);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"error: --parent-pid {pid}: {problem}", r.Stderr.Trim());
    }
}
