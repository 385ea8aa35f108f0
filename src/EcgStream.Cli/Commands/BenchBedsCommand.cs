using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using EcgStream.Core.Leads;
using EcgStream.Ingest.Replay;
using EcgStream.Runtime.Inference;
using EcgStream.Runtime.Replay;
using EcgStream.Synthetic;

namespace EcgStream.Cli.Commands;

/// <summary>
/// `ecgstream bench beds`: how many 12-lead beds one process carries. N beds play the same synthetic 12-lead 500 Hz
/// record at real-time pace (or <c>--speed</c> times it), concurrently, through the full bed pipeline (signal chain,
/// tracker, fusion; bed starts spread over one hop unless <c>--aligned</c>) and ONE shared inference scheduler that batches windows across beds under the live policy (a full
/// queue drops the oldest window and counts it). Reported: the process's CPU seconds per bed-second, which gives beds per
/// core at this hop, whether every bed kept pace, and the windows scored and dropped.
/// </summary>
internal static class BenchBedsCommand
{
    public static Command Create()
    {
        var beds = new Option<int>("--beds") { Description = $"Concurrent beds (12 leads, 500 Hz), 1..{CliLimits.MaxBeds}.", DefaultValueFactory = _ => 50 };
        var seconds = new Option<double>("--seconds") { Description = "Seconds of signal per bed.", DefaultValueFactory = _ => 60 };
        var speed = new Option<double>("--speed") { Description = "Times real time for every bed (1: live pace).", DefaultValueFactory = _ => 1 };
        var aligned = new Option<bool>("--aligned") { Description = "Start every bed at once (windows of all beds due in the same instant: the worst burst). Default: starts spread over one hop, as beds that connected at different times." };
        var common = PipelineOptions.Create();
        var cmd = new Command("beds", "Concurrent paced 12-lead beds through one process and one batching scheduler: CPU per bed-second, beds per core, dropped windows (JSON).")
        {
            beds, seconds, speed, aligned,
        };
        common.AddTo(cmd);
        cmd.SetAction((parse, cancel) => CliErrors.Guard(async () =>
        {
            int n = CliLimits.Beds(parse.GetValue(beds));
            double s = parse.GetValue(seconds), pace = parse.GetValue(speed);
            if (!(s >= 10 && s <= 3600)) throw new ArgumentException($"--seconds {s}: expected 10 to 3600");
            if (!(pace > 0 && pace <= 1000)) throw new ArgumentException($"--speed {pace}: expected a positive number up to 1000");
            var settings = common.Read(parse);
            using var setup = settings.BuildModel(QueueFullPolicy.DropOldest);
            var record = Simulator.Run(ScenarioLibrary.Random(7, TimeSpan.FromSeconds(s), 500, LeadSet.All)).Recording;

            var process = Process.GetCurrentProcess();
            var cpu0 = process.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            double hop = settings.Bed.Signal.WindowHop / 250.0;
            bool together = parse.GetValue(aligned);
            var results = await Task.WhenAll(Enumerable.Range(0, n).Select(i => Task.Run(async () =>
            {
                if (!together) await Task.Delay(TimeSpan.FromSeconds(hop / pace * i / n), cancel);
                return await ReplayRunner.RunAsync(record, _ => { }, new ReplayOptions { StreamId = $"bed-{i:D3}", Speed = pace },
                    settings.Bed, setup.Scheduler, settings.LeadOverrides, cancel);
            })));
            wall.Stop();
            process.Refresh();
            double cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
            double bedSeconds = n * record.DurationSeconds;
            // a bed kept pace when its replay took no longer than its signal (at this speed), with 5 % slack for start-up
            int lagging = results.Count(r => r.Wall.TotalSeconds > 1.05 * r.DurationSeconds / pace + 1);
            var scheduler = setup.Scheduler;
            var report = new
            {
                beds = n,
                leads = 12,
                sample_rate = 500,
                hop_s = hop,
                starts = together ? "aligned" : "spread over one hop",
                signal_s = Math.Round(record.DurationSeconds, 1),
                speed = pace,
                model = scheduler?.ModelId,
                wall_s = Math.Round(wall.Elapsed.TotalSeconds, 2),
                cpu_s = Math.Round(cpu, 2),
                cores_busy = Math.Round(cpu / wall.Elapsed.TotalSeconds, 3),
                cpu_ms_per_bed_second = Math.Round(1000 * cpu / bedSeconds, 4),
                beds_per_core_at_this_hop = Math.Round(bedSeconds / cpu, 1),   // a live bed needs one bed-second per second
                beds_lagging = lagging,
                windows_scored = scheduler?.WindowsScored,
                windows_unreadable = scheduler?.WindowsUnreadable,
                windows_dropped = scheduler?.WindowsDropped,
                batches = scheduler?.Batches,
                mean_batch = scheduler is { Batches: > 0 } sc ? Math.Round((double)sc.WindowsScored / sc.Batches, 2) : (double?)null,
                window_to_scores_p50_ms = scheduler is null ? (double?)null : Math.Round(scheduler.EndToEnd.Percentile(0.5).TotalMilliseconds, 3),
                window_to_scores_p99_ms = scheduler is null ? (double?)null : Math.Round(scheduler.EndToEnd.Percentile(0.99).TotalMilliseconds, 3),
                processor_count = Environment.ProcessorCount,
            };
            Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }));
        return cmd;
    }
}
