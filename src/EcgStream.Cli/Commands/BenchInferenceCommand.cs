using EcgStream.Core.Models;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EcgStream.Inference;
using EcgStream.Onnx.Contract;
using EcgStream.Onnx.Graph;

namespace EcgStream.Cli.Commands;

/// <summary>
/// `ecgstream bench inference --model M.onnx --batch B --threads T`: runs one ONNX Runtime session
/// over zero-filled pre-bound tensors (dynamic dimensions set to the batch size) and prints JSON with
/// per-run latency percentiles and windows per second. Without --model it builds a model with the
/// ONNX writer (--builtin encoder|rule-like|tiny); --save-model writes that model for other front ends.
/// </summary>
internal static class BenchInferenceCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo?>("--model") { Description = "ONNX model to run (default: a built-in model, see --builtin)" };
        var builtin = new Option<string>("--builtin") { Description = "built-in model when --model is absent: encoder (contract-sized, d128 depth4), rule-like, tiny", DefaultValueFactory = _ => "encoder" };
        var saveModel = new Option<FileInfo?>("--save-model") { Description = "write the built-in model to this file before benchmarking" };
        var batch = new Option<int>("--batch") { Description = "windows per run (the dynamic batch axis)", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "intra-op threads", DefaultValueFactory = _ => 1 };
        var runs = new Option<int>("--runs") { Description = "timed runs", DefaultValueFactory = _ => 1000 };
        var warmup = new Option<int>("--warmup") { Description = "untimed runs first", DefaultValueFactory = _ => 50 };
        var provider = new Option<string>("--provider") { Description = "first execution provider to try: cpu, cuda, tensorrt (falls back to CPU)", DefaultValueFactory = _ => "cpu" };
        var ortLibrary = new Option<string?>("--ort-library") { Description = OrtLibraryOption.Description };
        var leads = new Option<int>("--leads") { Description = "leads present in each window of a contract model (lead_mask: the first N leads; a model may skip absent leads)", DefaultValueFactory = _ => 12 };

        var cmd = new Command("inference", "Latency and throughput of one model on ONNX Runtime (Microsoft.ML.OnnxRuntime's managed API).")
        {
            model, builtin, saveModel, batch, threads, runs, warmup, provider, leads, ortLibrary,
        };
        cmd.SetAction(parse => CliErrors.Guard(() =>
        {
            // every option is checked before a model is built, written or loaded
            int b = CliLimits.Batch(parse.GetValue(batch), "--batch");
            int t = CliLimits.InRange(parse.GetValue(threads), 0, CliLimits.MaxThreads, "--threads");   // 0: ONNX Runtime's default
            int n = CliLimits.InRange(parse.GetValue(runs), 1, MaxRuns, "--runs");
            int w = CliLimits.InRange(parse.GetValue(warmup), 0, MaxRuns, "--warmup");
            int present = CliLimits.InRange(parse.GetValue(leads), 1, ModelContract.LeadCount, "--leads");
            var providers = parse.GetValue(provider)?.ToLowerInvariant() switch
            {
                "cuda" => new[] { ExecutionProvider.Cuda, ExecutionProvider.Cpu },
                "tensorrt" or "trt" => [.. InferenceOptions.GpuFirst],
                "cpu" or null => [ExecutionProvider.Cpu],
                var other => throw new ArgumentException($"--provider '{other}': expected cpu, cuda or tensorrt"),
            };
            var library = OrtLibraryOption.Read(parse.GetValue(ortLibrary));
            var path = parse.GetValue(model);
            var save = parse.GetValue(saveModel);
            string source;
            byte[]? bytes = null;
            if (path is null)
            {
                var name = parse.GetValue(builtin) ?? "encoder";
                var graph = BuiltinGraph(name);
                if (save is not null) CliPaths.OutputFile(save.FullName, "--save-model");
                bytes = graph().ToBytes();
                source = $"builtin:{name}";
                if (save is not null) File.WriteAllBytes(save.FullName, bytes);
            }
            else
            {
                // the built-in model's options would be ignored beside --model: refused, not ignored
                if (save is not null || parse.GetResult(builtin) is { Implicit: false }) throw new ArgumentException("--builtin and --save-model choose and write a built-in model: leave them out with --model");
                if (!path.Exists) throw new FileNotFoundException($"--model '{path}': no such file");
                source = path.FullName;
            }

            var options = new InferenceOptions { IntraOpThreads = t, InterOpThreads = 1, Providers = providers, Library = library };
            using var session = bytes is null ? InferenceSession.Load(source, options) : InferenceSession.Load(bytes, options, source);
            var result = Measure(session, b, n, w, present);
            WriteJson(Console.OpenStandardOutput(), session, source, b, t, n, w, result);
            return Task.FromResult(0);
        }));
        return cmd;
    }

    /// <summary>Most timed (or warm-up) runs: the latencies are kept, one per run.</summary>
    private const int MaxRuns = 1_000_000;

    private static Func<GraphBuilder> BuiltinGraph(string name) => name switch
    {
        "encoder" => () => ContractModels.EncoderGraph(),
        "rule-like" => () => ContractModels.RuleLikeGraph(),
        "tiny" => () => TinyGraph(),
        _ => throw new ArgumentException($"--builtin '{name}': expected encoder, rule-like or tiny"),
    };

    /// <summary>Almost no compute (x + b over [N, 16]): what is left is the per-run cost of the front end.</summary>
    private static GraphBuilder TinyGraph()
    {
        var g = new GraphBuilder("tiny");
        var x = g.Input("x", ElementType.Float, "N", 16);
        g.Node("Add", [x, g.Initializer("b", new float[16], 16)], ["y"]);
        g.Output("y", ElementType.Float, "N", 16);
        return g;
    }

    internal sealed record Result(double[] LatencyMs, double WallSeconds, double CpuSeconds, long RssAfterWarmupKiB, long RssEndKiB, long AllocatedBytes);

    internal static Result Measure(InferenceSession session, int batch, int runs, int warmup, int leads)
    {
        static long[] Shape(TensorInfo info, int batch) => info.Shape.Select(d => d < 0 ? batch : d).ToArray();
        var inputs = session.Inputs.Select(i => OrtTensor.Create(Shape(i, batch), session.Library)).ToArray();
        // Inputs a model would see: a signal, and a lead_mask naming `leads` leads (all zeros would let a
        // model that computes only present leads skip all work).
        for (int k = 0; k < inputs.Length; k++)
        {
            var span = inputs[k].Span;
            if (session.Inputs[k].Name == ModelContract.LeadMaskInput)
                for (int i = 0; i < span.Length; i++) span[i] = i % ModelContract.LeadCount < leads ? 1f : 0f;
            else
                for (int i = 0; i < span.Length; i++) span[i] = MathF.Sin(i * 0.05f);
        }
        var outputs = session.Outputs.Select(o => OrtTensor.Create(Shape(o, batch), session.Library)).ToArray();
        try
        {
            for (int i = 0; i < warmup; i++) session.Run(inputs, outputs);
            var ticks = new long[runs];
            Array.Fill(ticks, 1L);   // touch every page now, so the timing array does not show up as RSS growth
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            long rssAfterWarmup = ResidentKiB();
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < runs; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                session.Run(inputs, outputs);
                ticks[i] = Stopwatch.GetTimestamp() - t0;
            }
            double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            long rssEnd = ResidentKiB();
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            var ms = ticks.Select(t => t * 1000.0 / Stopwatch.Frequency).ToArray();
            return new Result(ms, wall, cpu, rssAfterWarmup, rssEnd, allocated);
        }
        finally
        {
            foreach (var t in inputs) t.Dispose();
            foreach (var t in outputs) t.Dispose();
        }
    }

    private static long ResidentKiB() =>
        long.Parse(File.ReadAllText("/proc/self/statm").Split(' ')[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize / 1024;

    internal static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static void WriteJson(Stream stream, InferenceSession session, string model, int batch, int threads, int runs, int warmup, Result r)
    {
        var sorted = (double[])r.LatencyMs.Clone();
        Array.Sort(sorted);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("model", model);
        json.WriteString("model_id", session.Metadata["ecgstream.model_id"] ?? "");
        json.WriteString("onnxruntime", session.Library.Version);
        json.WriteString("onnxruntime_library", session.Library.Path);
        json.WriteString("provider", session.Providers.Active.ToString());
        json.WriteString("providers", session.Providers.Summary);
        json.WriteNumber("batch", batch);
        json.WriteNumber("threads", threads);
        json.WriteNumber("runs", runs);
        json.WriteNumber("warmup", warmup);
        json.WriteStartObject("latency_ms");
        json.WriteNumber("p50", Math.Round(Percentile(sorted, 50), 4));
        json.WriteNumber("p90", Math.Round(Percentile(sorted, 90), 4));
        json.WriteNumber("p99", Math.Round(Percentile(sorted, 99), 4));
        json.WriteNumber("max", Math.Round(sorted[^1], 4));
        json.WriteNumber("mean", Math.Round(sorted.Average(), 4));
        json.WriteEndObject();
        // Process CPU time per run: on a loaded shared machine it varies far less than wall-clock latency.
        json.WriteNumber("cpu_ms_per_run", Math.Round(r.CpuSeconds * 1000 / runs, 4));
        json.WriteNumber("runs_per_second", Math.Round(runs / r.WallSeconds, 1));
        json.WriteNumber("windows_per_second", Math.Round(runs * (double)batch / r.WallSeconds, 1));
        json.WriteNumber("managed_bytes_allocated_in_timed_runs", r.AllocatedBytes);
        json.WriteNumber("rss_kib_after_warmup", r.RssAfterWarmupKiB);
        json.WriteNumber("rss_kib_end", r.RssEndKiB);
        json.WriteEndObject();
        json.Flush();
        stream.Write("\n"u8);
    }
}
