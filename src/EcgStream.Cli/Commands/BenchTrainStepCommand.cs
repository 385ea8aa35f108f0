using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using TorchSharp;
using EcgStream.Training;
using EcgStream.Training.Modules;
using static TorchSharp.torch;

namespace EcgStream.Cli.Commands;

/// <summary>
/// `ecgstream bench train-step`: the median wall time of one training step — forward, backward
/// and AdamW update — of a stack of pre-norm transformer blocks (MLP ratio 4, GELU) on random
/// input, printed as JSON. tools/bench/train_step.py runs the same model and step in PyTorch.
/// With many steps (e.g. --steps 20000 on a small model) it doubles as the memory-flatness
/// run: the JSON carries resident memory after warm-up and at the end.
/// </summary>
internal static class BenchTrainStepCommand
{
    public static Command Create()
    {
        var width = new Option<int>("--width") { Description = "Model width (embedding size).", DefaultValueFactory = _ => 192 };
        var depth = new Option<int>("--depth") { Description = "Number of transformer blocks.", DefaultValueFactory = _ => 8 };
        var heads = new Option<int>("--heads") { Description = "Attention heads per block.", DefaultValueFactory = _ => 6 };
        var tokens = new Option<int>("--tokens") { Description = "Sequence length.", DefaultValueFactory = _ => 108 };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 64 };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads.", DefaultValueFactory = _ => Math.Min(Environment.ProcessorCount, 2) };
        var steps = new Option<int>("--steps") { Description = "Timed steps.", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps first.", DefaultValueFactory = _ => 3 };
        var seed = new Option<ulong>("--seed") { Description = "libtorch RNG seed.", DefaultValueFactory = _ => 0 };
        var attention = new Option<AttentionKernel>("--attention") { Description = "fused (scaled_dot_product_attention, the default) or explicit (matmul + softmax + matmul).", DefaultValueFactory = _ => AttentionKernel.Fused };

        var cmd = new Command("train-step", "Time forward + backward + AdamW of D pre-norm transformer blocks; prints JSON.")
        {
            width, depth, heads, tokens, batch, threads, steps, warmup, seed, attention,
        };
        cmd.SetAction(parse => CliErrors.Guard(() =>
        {
            var options = new Options(parse.GetValue(width), parse.GetValue(depth), parse.GetValue(heads), parse.GetValue(tokens),
                parse.GetValue(batch), parse.GetValue(threads), parse.GetValue(steps), parse.GetValue(warmup), parse.GetValue(seed), parse.GetValue(attention));
            options.Validate();
            if (!TorchRuntime.TryInitialize(out var reason))
            {
                Console.Error.WriteLine($"error: libtorch unavailable: {reason}");
                return Task.FromResult(3);
            }
            Console.WriteLine(JsonSerializer.Serialize(Run(options)));
            return Task.FromResult(0);
        }));
        return cmd;
    }

    private sealed record Options(int Width, int Depth, int Heads, int Tokens, int Batch, int Threads, int Steps, int Warmup, ulong Seed, AttentionKernel Attention)
    {
        /// <summary>
        /// Each option within a bound, and one activation (batch × tokens × width floats) at most <see cref="MaxActivation"/>:
        /// the step keeps a dozen of them per block for the backward pass, so the bound keeps a typo from taking the machine's memory.
        /// </summary>
        public void Validate()
        {
            CliLimits.InRange(Width, 1, 4096, "--width");
            CliLimits.InRange(Depth, 1, 64, "--depth");
            CliLimits.InRange(Heads, 1, Width, "--heads");
            if (Width % Heads != 0) throw new ArgumentException($"--width {Width} is not a multiple of --heads {Heads}");
            CliLimits.InRange(Tokens, 1, 4096, "--tokens");
            CliLimits.Batch(Batch, "--batch");
            CliLimits.Threads(Threads);
            CliLimits.InRange(Steps, 1, 1_000_000, "--steps");
            CliLimits.InRange(Warmup, 0, 1_000_000, "--warmup");
            long activation = (long)Batch * Tokens * Width;
            if (activation > MaxActivation)
                throw new ArgumentException($"--batch {Batch} × --tokens {Tokens} × --width {Width} = {activation} values per activation: expected at most {MaxActivation}");
        }

        public const long MaxActivation = 1L << 24;   // 64 MB of float32; the default (64 × 108 × 192) is 1.3 M
    }

    private static Dictionary<string, object> Run(Options o)
    {
        set_num_threads(o.Threads);
        manual_seed((long)o.Seed);
        var blocks = Enumerable.Range(0, o.Depth).Select(_ => new TransformerBlock(o.Width, o.Heads, attention: o.Attention)).ToArray();
        var parameters = blocks.SelectMany(b => b.parameters()).ToList();
        var parameterCount = parameters.Sum(p => p.numel());
        using var opt = optim.AdamW(parameters, lr: 1e-4, weight_decay: 0.01);   // PyTorch's AdamW default decay, as train_step.py
        using var input = randn([o.Batch, o.Tokens, o.Width]).DetachFromDisposeScope();

        var times = new double[o.Steps];
        // CPU seconds per step as well as wall seconds: on a shared machine the wall time
        // mostly measures the neighbours, the CPU time much less so.
        var cpu = new double[o.Steps];
        using var self = Process.GetCurrentProcess();
        long rssAfterWarmup = 0, rssMax = 0;
        // ~20 evenly spaced RSS samples show whether memory plateaus or climbs.
        var traceEvery = Math.Max(1, o.Steps / 20);
        var rssTrace = new List<double>();
        var handlesAfterWarmup = 0L;
        for (var i = -o.Warmup; i < o.Steps; i++)
        {
            if (i == 0)
            {
                rssAfterWarmup = ResidentBytes();
                handlesAfterWarmup = LiveTensors();
            }
            self.Refresh();
            var cpuStart = self.TotalProcessorTime;
            var start = Stopwatch.GetTimestamp();
            using (var scope = NewDisposeScope())
            {
                var h = input;
                foreach (var b in blocks) h = b.forward(h, null);
                var loss = h.square().mean();
                opt.zero_grad();
                loss.backward();
                opt.step();
            }
            if (i >= 0)
            {
                times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
                self.Refresh();
                cpu[i] = (self.TotalProcessorTime - cpuStart).TotalSeconds;
                // Reading /proc costs microseconds; sampling every traceEvery steps keeps it out of the timings.
                if (i % traceEvery == traceEvery - 1)
                {
                    var rss = ResidentBytes();
                    rssMax = Math.Max(rssMax, rss);
                    rssTrace.Add(Math.Round(rss / 1048576.0, 1));
                }
            }
        }
        var rssEnd = ResidentBytes();
        var handlesEnd = LiveTensors();
        var gen0 = GC.CollectionCount(0);
        var managedHeap = GC.GetTotalMemory(forceFullCollection: false);
        foreach (var b in blocks) b.Dispose();

        Array.Sort(times);
        Array.Sort(cpu);
        return new Dictionary<string, object>
        {
            ["benchmark"] = "train-step",
            ["engine"] = "ecgstream",
            ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "?",
            ["libtorch"] = __version__,
            ["width"] = o.Width,
            ["depth"] = o.Depth,
            ["heads"] = o.Heads,
            ["tokens"] = o.Tokens,
            ["batch"] = o.Batch,
            ["threads"] = o.Threads,
            ["attention"] = o.Attention.ToString().ToLowerInvariant(),
            ["steps"] = o.Steps,
            ["warmup"] = o.Warmup,
            ["parameters"] = parameterCount,
            ["median_s"] = Math.Round(Quantile(times, 0.5), 6),
            ["min_s"] = Math.Round(times[0], 6),
            ["p90_s"] = Math.Round(Quantile(times, 0.9), 6),
            ["median_cpu_s"] = Math.Round(Quantile(cpu, 0.5), 6),
            ["rss_mb_after_warmup"] = Math.Round(rssAfterWarmup / 1048576.0, 1),
            ["rss_mb_max"] = Math.Round(Math.Max(rssMax, rssEnd) / 1048576.0, 1),
            ["rss_mb_end"] = Math.Round(rssEnd / 1048576.0, 1),
            ["rss_mb_trace"] = rssTrace,
            ["live_tensor_handles_growth"] = handlesEnd - handlesAfterWarmup,
            ["gc_gen0_collections"] = gen0,
            ["gc_heap_mb_end"] = Math.Round(managedHeap / 1048576.0, 1),
        };
    }

    /// <summary>Tensors alive on this thread (TorchSharp's dispose-scope statistics): flat after warm-up means no leak.</summary>
    private static long LiveTensors() => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    private static double Quantile(double[] sorted, double q)
    {
        var pos = q * (sorted.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    private static long ResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture) * 1024;
        return 0;
    }
}
