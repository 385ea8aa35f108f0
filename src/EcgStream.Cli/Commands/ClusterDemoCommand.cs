using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using EcgStream.Cluster;
using EcgStream.Core.Leads;
using EcgStream.Inference;
using EcgStream.Inference.Contract;
using EcgStream.Runtime.Inference;

namespace EcgStream.Cli.Commands;

/// <summary>
/// `ecgstream cluster-demo`: a 3-node NATS cluster on loopback, simulated beds, `ecgstream worker` child processes;
/// midway one worker and one NATS node are killed. Prints a JSON summary (docs/scale-out.md explains each field).
/// </summary>
internal static class ClusterDemoCommand
{
    public static Command Create()
    {
        var beds = new Option<int>("--beds") { Description = "Simulated beds.", DefaultValueFactory = _ => 64 };
        var workers = new Option<int>("--workers") { Description = "Worker processes.", DefaultValueFactory = _ => 3 };
        var seconds = new Option<double>("--seconds") { Description = "Seconds of signal (wall time).", DefaultValueFactory = _ => 120 };
        var leads = new Option<int>("--leads") { Description = "Leads per bed: 12, or 3 (I, II, V1).", DefaultValueFactory = _ => 12 };
        var noFaults = new Option<bool>("--no-faults") { Description = "Kill nothing (a throughput run)." };
        var stall = new Option<double>("--stall-worker") { Description = "SIGSTOP the last worker for this many seconds from a fifth of the run (a network cut).", DefaultValueFactory = _ => 0 };
        var killLeader = new Option<bool>("--kill-leader") { Description = "Kill the NATS node that leads the most streams and buckets (the worst case) instead of the last node." };
        var noReplay = new Option<bool>("--no-replay") { Description = "Skip the single-process replay comparison." };
        var model = new Option<string?>("--model") { Description = $"ONNX model, contract v1 or v2 ('none': rules only). Default: {BundledModel.FileName} when present." };
        var cmd = new Command("cluster-demo", "Beds on a 3-node NATS JetStream cluster, workers that fail over; JSON summary.") { beds, workers, seconds, leads, noFaults, killLeader, stall, noReplay, model };
        cmd.SetAction((parse, cancel) => CliErrors.Guard(async () =>
        {
            int b = parse.GetValue(beds), w = parse.GetValue(workers), l = parse.GetValue(leads);
            double s = parse.GetValue(seconds), st = parse.GetValue(stall);
            if (b is < 1 or > 2000) throw new ArgumentException($"--beds {b}: expected 1..2000");
            if (w is < 1 or > 16) throw new ArgumentException($"--workers {w}: expected 1..16");
            if (!(s >= 20)) throw new ArgumentException($"--seconds {s}: expected at least 20");
            if (l is not (12 or 3)) throw new ArgumentException($"--leads {l}: expected 12 or 3");
            if (!(st >= 0 && st < s)) throw new ArgumentException($"--stall-worker {st}: expected 0 up to --seconds");
            string? path = BundledModel.Resolve(parse.GetValue(model));
            string? modelId = null;
            if (path is not null) using (var probe = RhythmModel.Load(path, new InferenceOptions())) modelId = probe.ModelId;
            var options = new ClusterDemoOptions
            {
                Beds = b, Workers = w, Seconds = s, Faults = !parse.GetValue(noFaults), KillLeader = parse.GetValue(killLeader), StallSeconds = st,
                Leads = l == 12 ? LeadSet.All : LeadSet.Of(Lead.I, Lead.II, Lead.V1),
                Reference = !parse.GetValue(noReplay),
            };
            Func<InferenceScheduler?>? reference = path is null ? () => null : () =>
            {
                var classifier = RhythmModel.Load(path, new InferenceOptions());
                return new InferenceScheduler(classifier, new SchedulerOptions { Policy = QueueFullPolicy.Wait });
            };
            void Log(string line) => Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
            var summary = await ClusterDemo.RunAsync(options, (id, settings) => ProcessWorker.Start(id, settings, path, Log), reference, modelId, Log, cancel);
            Console.WriteLine(JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
            return 0;
        }));
        return cmd;
    }

    /// <summary>An `ecgstream worker` child process; the password reaches it through the environment, not argv.</summary>
    private sealed class ProcessWorker : IWorkerHandle
    {
        private readonly Process _process;
        private TimeSpan _lastCpu;

        private ProcessWorker(string id, Process process) { Id = id; _process = process; }

        public string Id { get; }

        public static ProcessWorker Start(string id, ClusterSettings s, string? model, Action<string> log)
        {
            string exe = Environment.ProcessPath!;
            var psi = new ProcessStartInfo(exe) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            if (Path.GetFileNameWithoutExtension(exe) == "dotnet") psi.ArgumentList.Add(typeof(ClusterDemoCommand).Assembly.Location);
            foreach (var a in new[] { "worker", "--id", id, "--nats-user", s.User, "--site", s.Site, "--replicas", s.Replicas.ToString(System.Globalization.CultureInfo.InvariantCulture),
                         "--lease-ttl", s.LeaseTtl.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--model", model ?? "none",
                         "--parent-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) })
                psi.ArgumentList.Add(a);
            foreach (var u in s.Urls) { psi.ArgumentList.Add("--nats-url"); psi.ArgumentList.Add(u); }
            psi.Environment[ClusterOptions.PasswordVariable] = s.Password;
            var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {exe} worker");
            p.ErrorDataReceived += (_, e) => { if (e.Data is { } line) log($"[{id}] {line}"); };
            p.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) log($"[{id}] stats {line}"); };
            p.BeginErrorReadLine();
            p.BeginOutputReadLine();
            return new ProcessWorker(id, p);
        }

        public TimeSpan CpuTime
        {
            get
            {
                try { _process.Refresh(); if (!_process.HasExited) _lastCpu = _process.TotalProcessorTime; }
                catch (InvalidOperationException) { }
                return _lastCpu;
            }
        }

        public void Kill() { _ = CpuTime; _process.Kill(); _process.WaitForExit(5000); }
        public void Suspend() => PosixSignals.Send(_process.Id, PosixSignals.SIGSTOP);
        public void Resume() => PosixSignals.Send(_process.Id, PosixSignals.SIGCONT);

        public async Task StopAsync(TimeSpan timeout)
        {
            if (_process.HasExited) return;
            _ = CpuTime;
            PosixSignals.Send(_process.Id, PosixSignals.SIGTERM);
            using var cts = new CancellationTokenSource(timeout);
            try { await _process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException) { _process.Kill(); }
        }

        public ValueTask DisposeAsync()
        {
            if (!_process.HasExited) { _process.Kill(); _process.WaitForExit(5000); }
            _process.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
