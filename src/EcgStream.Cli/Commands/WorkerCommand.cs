using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using EcgStream.Cluster;
using EcgStream.Inference;
using EcgStream.Inference.Contract;
using EcgStream.Runtime.Inference;

namespace EcgStream.Cli.Commands;

/// <summary>
/// `ecgstream worker`: an analysis worker of the scale-out cluster (docs/scale-out.md). It takes its share of the
/// beds, analyses them with the bed pipeline and the model, publishes events; SIGTERM or Ctrl-C hands its beds back
/// and prints its counters as JSON on stdout. Log lines go to stderr.
/// </summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var nats = new ClusterOptions();
        var id = new Option<string>("--id") { Description = "Worker id, unique among live workers (default: host name and process id)." };
        var model = new Option<string?>("--model") { Description = $"ONNX model, contract v1 or v2 ('none': rules only). Default: {BundledModel.FileName} when present." };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of history replayed before a taken-over bed's last checkpoint.", DefaultValueFactory = _ => 70 };
        var parentPid = new Option<int?>("--parent-pid") { Description = "Stop (hand the beds back, exit 0) within about a second of this process ending: for a worker started by another program, which SIGKILL cannot let stop it." };
        var cmd = new Command("worker", "Analyse beds from a NATS JetStream cluster and publish their events (scale-out).") { id, model, warmup, parentPid };
        nats.AddTo(cmd);
        cmd.SetAction((parse, cancel) => CliErrors.Guard(async () =>
        {
            var settings = nats.Read(parse);
            string workerId = parse.GetValue(id) ?? $"{Environment.MachineName}-{Environment.ProcessId}";
            double w = parse.GetValue(warmup);
            if (!(w >= 10 && w <= 600)) throw new ArgumentException($"--warmup {w}: expected 10..600 seconds");
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            // Watched from before the model loads (seconds), so that a parent ending meanwhile is seen as ended.
            using var watch = parse.GetValue(parentPid) is { } p ? WatchParent(p, workerId, stop) : null;
            string? path = BundledModel.Resolve(parse.GetValue(model));
            using var classifier = path is null ? null : RhythmModel.Load(path, new InferenceOptions());
            // Wait, not drop: a worker behind the stream catches up from it; dropping windows would lose analysis.
            using var scheduler = classifier is null ? null : new InferenceScheduler(classifier, new SchedulerOptions { Policy = QueueFullPolicy.Wait });
            await using var worker = new AnalysisWorker(settings, new WorkerOptions { WorkerId = workerId, Warmup = TimeSpan.FromSeconds(w) }, scheduler,
                line => Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}"));
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            await worker.RunAsync(stop.Token);
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                worker = worker.Id,
                model = classifier?.ModelId,
                takeovers = worker.Takeovers,
                handbacks = worker.Handbacks,
                beds_lost = worker.BedsLost,
                events_discarded_with_lost_beds = worker.EventsDiscarded,
                samples_analysed = worker.SamplesAnalysed,
                samples_replayed = worker.SamplesReplayed,
                checkpoints = worker.Checkpoints,
                events_published = worker.EventsPublished,
                events_suppressed_in_warmup = worker.EventsSuppressed,
                event_duplicates_dropped_by_jetstream = worker.EventDuplicates,
                windows_scored = scheduler?.WindowsScored,
                windows_unreadable = scheduler?.WindowsUnreadable,
            }));
            return 0;
        }));
        return cmd;
    }

    /// <summary>Exit status of a worker that stopped because its parent ended but could not hand its beds back in time.</summary>
    public const int ParentGoneUnfinished = 3;

    /// <summary>
    /// `--parent-pid`: when the parent ends, stop as on SIGTERM (hand the beds back, print the counters, exit 0). Its
    /// cluster may have gone with it (the demo's nodes), and hand-backs that cannot reach it must not keep the worker:
    /// after 15 s it exits with <see cref="ParentGoneUnfinished"/> and says so.
    /// </summary>
    private static IDisposable WatchParent(int pid, string workerId, CancellationTokenSource stop)
    {
        // a PID that names no process (a typo, another PID namespace) is a usage error, not a parent that has ended
        if (pid <= 0) throw new ArgumentException($"--parent-pid {pid}: expected a positive process id");
        if (!ParentProcess.Exists(pid)) throw new ArgumentException($"--parent-pid {pid}: no such process");
        return ParentProcess.Watch(pid, () =>
        {
            Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} worker {workerId}: parent process {pid} has ended; stopping");
            try { stop.Cancel(); } catch (ObjectDisposedException) { return; }   // the worker is already past its run
            _ = Task.Delay(TimeSpan.FromSeconds(15)).ContinueWith(_ =>
            {
                Console.Error.WriteLine($"error: worker {workerId}: its beds were not handed back within 15 s of parent process {pid} ending (its cluster gone too?); exiting");
                Environment.Exit(ParentGoneUnfinished);
            }, TaskScheduler.Default);
        });
    }
}
