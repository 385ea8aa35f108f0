using System.CommandLine;
using System.Text.Json;
using EcgStream.Inference;

namespace EcgStream.Cli.Commands;

/// <summary>
/// `ecgstream bench models --model A.onnx --model B.onnx … --leads 12,1 --batch 1,16`: several models
/// (e.g. fp32 teacher, fp32 student, int8 QDQ student, dynamic int8 student) in one process, one
/// intra-op thread each, measured in alternating rounds (A, B, C, A, B, C, …) so a loaded shared machine
/// disturbs them alike. Prints JSON: per model, leads and batch, the median over rounds of process CPU ms
/// per window and of wall p50/p99 per run, each relative to the first model.
/// </summary>
internal static class BenchModelsCommand
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model") { Description = "ONNX models to compare (repeat); the first is the reference.", Required = true, AllowMultipleArgumentsPerToken = true };
        var leads = new Option<string>("--leads") { Description = "Comma-separated lead counts present per window.", DefaultValueFactory = _ => "12,1" };
        var batches = new Option<string>("--batch") { Description = "Comma-separated batch sizes (windows per run).", DefaultValueFactory = _ => "1" };
        var rounds = new Option<int>("--rounds") { Description = "Alternating rounds.", DefaultValueFactory = _ => 3 };
        var runs = new Option<int>("--runs") { Description = "Timed runs per model per round.", DefaultValueFactory = _ => 100 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs before each measurement.", DefaultValueFactory = _ => 10 };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads per session.", DefaultValueFactory = _ => 1 };
        var optimized = new Option<string?>("--save-optimized") { Description = "Folder to write each model as ONNX Runtime optimised it (which int8 kernels it fused)." };

        var cmd = new Command("models", "Compare the CPU cost of several ONNX models in one run, alternating (1 thread); prints JSON.")
        {
            models, leads, batches, rounds, runs, warmup, threads, optimized,
        };
        cmd.SetAction(parse => CliErrors.Guard(() =>
        {
            var paths = parse.GetValue(models)!;
            var leadCounts = ParseList(parse.GetValue(leads)!, "--leads", Core.Models.ModelContract.LeadCount);
            var batchSizes = ParseList(parse.GetValue(batches)!, "--batch", CliLimits.MaxBatch);
            int r = parse.GetValue(rounds), n = parse.GetValue(runs), w = parse.GetValue(warmup), t = parse.GetValue(threads);
            if (r < 1 || n < 1 || w < 0) throw new ArgumentException("--rounds and --runs must be ≥ 1, --warmup ≥ 0");
            CliLimits.Threads(t);
            var options = new InferenceOptions { IntraOpThreads = t, InterOpThreads = 1 };
            var saveDir = parse.GetValue(optimized);
            if (saveDir is not null) CliPaths.OutputFolder(saveDir, "--save-optimized");
            var sessions = paths.Select((p, i) => InferenceSession.Load(p, saveDir is null ? options
                : options with { OptimizedModelPath = Path.Combine(saveDir, $"{i}-{Path.GetFileName(p)}") })).ToList();
            try
            {
                var results = new List<object>();
                foreach (var l in leadCounts)
                    foreach (var b in batchSizes)
                    {
                        var cpu = new List<double>[sessions.Count];
                        var p50 = new List<double>[sessions.Count];
                        var p99 = new List<double>[sessions.Count];
                        for (int m = 0; m < sessions.Count; m++) (cpu[m], p50[m], p99[m]) = ([], [], []);
                        for (int round = 0; round < r; round++)
                            for (int m = 0; m < sessions.Count; m++)
                            {
                                var result = BenchInferenceCommand.Measure(sessions[m], b, n, w, l);
                                var sorted = result.LatencyMs.Order().ToArray();
                                cpu[m].Add(result.CpuSeconds * 1000 / n / b);
                                p50[m].Add(BenchInferenceCommand.Percentile(sorted, 50));
                                p99[m].Add(BenchInferenceCommand.Percentile(sorted, 99));
                            }
                        double reference = Median(cpu[0]);
                        for (int m = 0; m < sessions.Count; m++)
                            results.Add(new
                            {
                                model = paths[m], model_id = sessions[m].Metadata["ecgstream.model_id"] ?? "", leads = l, batch = b,
                                cpu_ms_per_window = Math.Round(Median(cpu[m]), 4), cpu_ms_per_window_rounds = cpu[m].Select(v => Math.Round(v, 4)),
                                relative_to_first = Math.Round(Median(cpu[m]) / reference, 4),
                                wall_ms_per_run_p50 = Math.Round(Median(p50[m]), 4), wall_ms_per_run_p99 = Math.Round(Median(p99[m]), 4),
                                windows_per_cpu_second = Math.Round(1000 / Median(cpu[m]), 1),
                            });
                    }
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    onnxruntime = sessions[0].Library.Version, threads = t, rounds = r, runs = n, warmup = w,
                    machine = $"{Environment.ProcessorCount} logical CPUs, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at start",
                    results,
                }, new JsonSerializerOptions { WriteIndented = true }));
            }
            finally { foreach (var s in sessions) s.Dispose(); }
            return Task.FromResult(0);
        }));
        return cmd;
    }

    private static int[] ParseList(string text, string option, int max) =>
        [.. text.Split(',').Select(s => int.TryParse(s, out var v) && v >= 1 && v <= max ? v
            : throw new ArgumentException($"{option} '{text}': expected comma-separated whole numbers from 1 to {max}"))];

    private static double Median(List<double> values)
    {
        var s = values.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }
}
