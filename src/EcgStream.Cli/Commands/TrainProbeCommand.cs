using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EcgStream.Core.Rhythms;
using EcgStream.Training.Data;
using EcgStream.Training.Evaluation;
using EcgStream.Training.Heads;
using EcgStream.Training.Model;
using EcgStream.Training.Runs;
using Spectre.Console;

namespace EcgStream.Cli.Commands;

/// <summary>`ecgstream train probe --encoder E --head pma --out DIR`: trains a rhythm head (frozen encoder unless --fine-tune).</summary>
internal static class TrainProbeCommand
{
    public static Command Create()
    {
        var encoderPath = new Option<string>("--encoder") { Description = "encoder.safetensors from train pretrain.", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for head.safetensors (and encoder.safetensors when fine-tuned), metrics.json, splits.json.", Required = true };
        var kind = new Option<string>("--head") { Description = "last, probe, ppa or pma.", DefaultValueFactory = _ => "pma" };
        var gate = new Option<string>("--gate") { Description = "PMA gate: per-layer (default) or joint.", DefaultValueFactory = _ => "per-layer" };
        var layer = new Option<int>("--layer") { Description = "Layer for --head probe (0-based).", DefaultValueFactory = _ => 0 };
        var data = new Option<string>("--data") { Description = "synthetic, real or real+synthetic (heads are scored on each held-out part apart).", DefaultValueFactory = _ => "synthetic" };
        var dataRoot = new Option<string>("--data-root") { Description = "Real records folder.", DefaultValueFactory = _ => TrainCommand.DefaultDataRoot };
        var windows = new Option<int>("--windows") { Description = "Synthetic windows to generate.", DefaultValueFactory = _ => 256 };
        var steps = new Option<int>("--steps") { Description = "Optimiser steps.", DefaultValueFactory = _ => 500 };
        var warmup = new Option<int?>("--warmup") { Description = "Steps of linear learning-rate warm-up before the cosine decay, 0 to --steps − 1 (default: 20, or --steps − 1 if fewer)." };
        var batch = new Option<int>("--batch") { Description = "Windows per step.", DefaultValueFactory = _ => 32 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => 1e-3 };
        var fineTune = new Option<bool>("--fine-tune") { Description = "Train the encoder too." };
        var rhythmPath = new Option<bool>("--rhythm-path") { Description = "PMA head with the rhythm path (RR features of the last 60 s; exports as model contract v2)." };
        var encoderLrScale = new Option<double>("--encoder-lr-scale") { Description = "With --fine-tune: the encoder's learning rate as a fraction of --lr (the head's).", DefaultValueFactory = _ => 1.0 };
        var leadSetBatches = new Option<bool>("--lead-set-batches") { Description = "With --fine-tune: each batch from one lead set (the 2026-11-21 recipe), not mixed." };
        var unmaskedLabels = new Option<bool>("--unmasked-labels") { Description = "Train on labels as before per-class masks (2026-11-21): windows without a positive class left out, every other class a negative." };
        var initHead = new Option<string?>("--init-head") { Description = "Start from this head.safetensors (same kind, sizes and rhythm path) instead of a new one." };
        var seed = new Option<int>("--seed") { Description = "Seed.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "libtorch threads.", DefaultValueFactory = _ => Math.Min(Environment.ProcessorCount, 2) };

        var cmd = new Command("probe", "Train a rhythm head (last layer, layer probe, PPA or PMA) on an encoder.")
        {
            encoderPath, output, kind, gate, layer, data, dataRoot, windows, steps, warmup, batch, lr, fineTune, rhythmPath, encoderLrScale, leadSetBatches, unmaskedLabels, initHead, seed, threads,
        };
        cmd.SetAction((parse, cancel) => CliErrors.Guard(() =>
        {
            var outDir = parse.GetValue(output)!;
            var headKind = parse.GetValue(kind) switch
            {
                "last" => HeadKind.LastLayer, "probe" => HeadKind.LayerProbe, "ppa" => HeadKind.Ppa, "pma" => HeadKind.Pma,
                var k => throw new ArgumentException($"--head '{k}': expected last, probe, ppa or pma"),
            };
            var options = new HeadTrainOptions
            {
                Steps = parse.GetValue(steps), BatchSize = parse.GetValue(batch), LearningRate = parse.GetValue(lr),
                WarmupSteps = parse.GetValue(warmup) ?? Math.Min(20, parse.GetValue(steps) - 1), Seed = (ulong)parse.GetValue(seed), FreezeEncoder = !parse.GetValue(fineTune),
                EncoderLearningRateScale = parse.GetValue(encoderLrScale), LeadSetBatches = parse.GetValue(leadSetBatches),
            };
            if (options.FreezeEncoder && parse.GetValue(encoderLrScale) != 1.0) throw new ArgumentException("--encoder-lr-scale needs --fine-tune");
            if (options.FreezeEncoder && options.LeadSetBatches) throw new ArgumentException("--lead-set-batches needs --fine-tune");
            TrainCommand.Validate(options.Validate, options.BatchSize);   // before libtorch starts
            if (!TrainCommand.StartTorch(parse.GetValue(threads))) return Task.FromResult(3);
            using var encoder = EncoderFile.Load(parse.GetValue(encoderPath)!);
            HeadTrainer.SeedInitialWeights(options);
            var pmaGate = parse.GetValue(gate) switch
            {
                "joint" => PmaGate.Joint, "per-layer" => PmaGate.PerLayer,
                var g => throw new ArgumentException($"--gate '{g}': expected joint or per-layer"),
            };
            if (parse.GetValue(rhythmPath) && headKind != HeadKind.Pma) throw new ArgumentException("--rhythm-path needs --head pma");
            int rhythmFeatures = parse.GetValue(rhythmPath) ? EcgStream.Signal.Rhythms.RhythmFeatures.Count : 0;
            using var head = parse.GetValue(initHead) is { } initPath
                ? StartingHead(initPath, headKind, encoder, rhythmFeatures)
                : RhythmHeads.Create(headKind, encoder.Config.Dim, encoder.Depth, RhythmClasses.Count, parse.GetValue(layer), gate: pmaGate, rhythmFeatures: rhythmFeatures);
            // the windows after the head: a head that does not fit is refused before minutes of reading records
            var set = TrainCommand.LoadWindows(parse.GetValue(data)!, parse.GetValue(dataRoot)!, parse.GetValue(windows), parse.GetValue(seed), outDir);
            if (parse.GetValue(unmaskedLabels))
            {
                var all = set;
                set = all.WithEveryLabelKnown();
                AnsiConsole.MarkupLine($"[grey]unmasked labels: {set.Count} of {all.Count} training windows name a class; every other class is a negative[/]");
            }
            IReadOnlyList<double> losses = [];
            AnsiConsole.Progress().Start(ctx =>
            {
                var task = ctx.AddTask($"{headKind}", maxValue: options.Steps);
                losses = HeadTrainer.Train(encoder, head, set, options, (s, loss) =>
                {
                    task.Value = s + 1;
                    task.Description = $"{headKind} BCE {loss:F4}";
                }, cancel);
            });
            HeadFile.Save(head, Path.Combine(outDir, "head.safetensors"));
            if (!options.FreezeEncoder) EncoderFile.Save(encoder, Path.Combine(outDir, "encoder.safetensors"));
            AnsiConsole.MarkupLineInterpolated($"done: {losses.Count} steps, last BCE {(losses.Count > 0 ? losses[^1] : double.NaN):F4}; {Path.Combine(outDir, "head.safetensors")}");

            var source = parse.GetValue(data)!;
            var parts = source.Split('+');
            int heldOutWindows = Math.Max(64, parse.GetValue(windows) / 4);
            var thresholds = TrainCommand.ValidationThresholds(source, parse.GetValue(dataRoot)!, parse.GetValue(windows), parse.GetValue(seed), outDir,
                validation => Probabilities(encoder, head, validation), cancel);
            File.WriteAllText(Path.Combine(outDir, ThresholdsFile), JsonSerializer.Serialize(thresholds.Select(t => new { @class = t.Class, threshold = t.Threshold, f1 = Finite(t.F1), positives = t.Positives }), new JsonSerializerOptions { WriteIndented = true }));
            double afThreshold = thresholds[(int)RhythmClass.AF].Threshold;

            // Held-out scores, real and synthetic apart: the real test split, and synthetic patients never trained on.
            var heldOut = new List<(string Data, int Windows, int[] Classes, HeadScore Score, double AfF1Tuned)>();
            foreach (var part in parts)
            {
                cancel.ThrowIfCancellationRequested();
                var test = TrainCommand.LoadWindows(part, parse.GetValue(dataRoot)!, heldOutWindows, parse.GetValue(seed), outDir, Split.Test);
                var masks = Enumerable.Range(0, test.Count).Select(test.ClassMask).ToArray();
                var probabilities = Probabilities(encoder, head, test);
                var score = LayerAnalysis.Score(probabilities, masks, $"{headKind}");
                double afTuned = Auroc.F1(probabilities, masks, RhythmClasses.Count, (int)RhythmClass.AF, afThreshold);
                heldOut.Add((part, test.Count, test.ClassCounts(), score, afTuned));
                AnsiConsole.MarkupLineInterpolated($"held-out {part} ({test.Count} windows): macro AUROC {score.MacroAuroc:F4}, AF AUROC {score.PerClassAuroc[(int)RhythmClass.AF]:F4}, AF F1 {score.AfF1:F4} at 0.5, {afTuned:F4} at {afThreshold:F3}");
                var (recordRows, recordMasks, recordKnown, units) = RecordLevel.Fold(probabilities, test);
                foreach (var group in Enumerable.Range(0, units.Length).Where(r => RecordLevel.IsRecordLabelled(units[r])).GroupBy(r => units[r][..units[r].IndexOf('/')]))
                {
                    var idx = group.ToArray();
                    var p = idx.SelectMany(r => recordRows.AsSpan(r * RhythmClasses.Count, RhythmClasses.Count).ToArray()).ToArray();
                    double f1 = Auroc.F1(p, idx.Select(r => recordMasks[r]).ToArray(), RhythmClasses.Count, (int)RhythmClass.AF, afThreshold, idx.Select(r => recordKnown[r]).ToArray());
                    AnsiConsole.MarkupLineInterpolated($"held-out {group.Key} records ({idx.Length}): AF F1 {f1:F4} at {afThreshold:F3} (median over each record's windows)");
                }
            }

            var metrics = new RunMetrics
            {
                Kind = "probe",
                Config = RunMetrics.ToElement(new { encoder = parse.GetValue(encoderPath), head = headKind.ToString(), gate = pmaGate.ToString(), data = source, unmaskedLabels = parse.GetValue(unmaskedLabels) }),
                Options = RunMetrics.ToElement(options),
                Steps = [.. losses.Select((l, i) => new StepMetrics(i, l, double.NaN, double.NaN))],
                Completed = losses.Count == options.Steps,
            };
            var json = JsonSerializer.Serialize(new
            {
                kind = "probe", head = headKind.ToString(), gate = pmaGate.ToString(), data = source, trainWindows = set.Count, trainClasses = set.ClassCounts(),
                classes = RhythmClasses.Names, options, losses,
                thresholds = thresholds.Select(t => t.Threshold),
                heldOut = heldOut.Select(h => new { data = h.Data, windows = h.Windows, classes = h.Classes, macroAuroc = Finite(h.Score.MacroAuroc), perClass = h.Score.PerClassAuroc.Select(Finite), afF1 = Finite(h.Score.AfF1), afF1AtThreshold = Finite(h.AfF1Tuned) }),
            }, new JsonSerializerOptions { WriteIndented = true });
            File.WriteAllText(Path.Combine(outDir, "metrics.json"), json);
            var report = RunReport.Build($"Head training ({headKind}{(headKind == HeadKind.Pma ? $", {pmaGate} gate" : "")}, {source}): {Path.GetFileName(Path.GetFullPath(outDir))}", metrics);
            report.Heading("Held-out scores (real and synthetic apart)")
                .Table(["data", "windows", "macro AUROC", "AF F1 at 0.5", $"AF F1 at {afThreshold:F3}", .. RhythmClasses.Names.Select(n => $"AUROC {n}")],
                    heldOut.Select(h => (IReadOnlyList<string>)[h.Data, h.Windows.ToString(CultureInfo.InvariantCulture), HtmlReport.Number(h.Score.MacroAuroc), HtmlReport.Number(h.Score.AfF1), HtmlReport.Number(h.AfF1Tuned), .. h.Score.PerClassAuroc.Select(v => HtmlReport.Number(v))]))
                .Paragraph("Windows per class in each held-out set:")
                .Table(["data", .. RhythmClasses.Names], heldOut.Select(h => (IReadOnlyList<string>)[h.Data, .. h.Classes.Select(c => c.ToString(CultureInfo.InvariantCulture))]));
            report.Heading("Decision thresholds (best F1 on the validation windows; exported with the model)")
                .Table(["class", "threshold", "validation F1", "validation positives"],
                    thresholds.Select(t => (IReadOnlyList<string>)[t.Class, HtmlReport.Number(t.Threshold, "F3"), HtmlReport.Number(t.F1), t.Positives.ToString(CultureInfo.InvariantCulture)]));
            report.Save(Path.Combine(outDir, RunReport.FileName));
            return Task.FromResult(0);
        }));
        return cmd;
    }

    /// <summary>Per-class thresholds beside head.safetensors; `train export` puts them in the model's metadata.</summary>
    public const string ThresholdsFile = "thresholds.json";

    /// <summary>A head from an earlier run to continue from (e.g. a frozen-encoder head, then fine-tuned with its encoder); refused unless it fits.</summary>
    private static RhythmHead StartingHead(string path, HeadKind kind, StMemEncoder encoder, int rhythmFeatures)
    {
        var head = HeadFile.Load(path);
        string? misfit =
            head.Kind != kind ? $"is a {head.Kind} head, --head asks for {kind}"
            : head.Dim != encoder.Config.Dim || head.Layers != encoder.Depth ? $"reads {head.Layers} layers of {head.Dim}; the encoder has {encoder.Depth} of {encoder.Config.Dim}"
            : head.Classes != RhythmClasses.Count ? $"has {head.Classes} classes, class set v1 has {RhythmClasses.Count}"
            : head.RhythmFeatures != rhythmFeatures ? $"has {head.RhythmFeatures} rhythm features, this run {rhythmFeatures} ({(rhythmFeatures > 0 ? "--rhythm-path" : "no --rhythm-path")})"
            : null;
        if (misfit is null) return head;
        head.Dispose();
        throw new ArgumentException($"--init-head {path} {misfit}");
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    /// <summary>Sigmoid probabilities [N × C] of the head on the (trained) encoder's features of <paramref name="windows"/>.</summary>
    private static float[] Probabilities(StMemEncoder encoder, RhythmHead head, WindowSet windows)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        return LayerAnalysis.Probabilities(head, HeadTrainer.ExtractFeatures(encoder, windows), head.RhythmFeatures > 0 ? HeadTrainer.RhythmInputs(windows) : null);
    }
}
