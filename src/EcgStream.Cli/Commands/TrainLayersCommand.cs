using System.CommandLine;
using System.Text.Json;
using EcgStream.Core.Rhythms;
using EcgStream.Training.Data;
using EcgStream.Training.Evaluation;
using EcgStream.Training.Heads;
using EcgStream.Training.Model;
using EcgStream.Training.Runs;
using System.Globalization;
using Spectre.Console;

namespace EcgStream.Cli.Commands;

/// <summary>
/// `ecgstream train layers --encoder E --out DIR`: on a frozen encoder, a linear probe per layer plus
/// the last-layer, PPA and PMA (both gates) heads, trained on the train split and scored on the test
/// split (macro AUROC per class set v1, AF F1); writes DIR/layers.json, DIR/layers.svg and the report DIR/layers.html.
/// </summary>
internal static class TrainLayersCommand
{
    public static Command Create()
    {
        var encoderPath = new Option<string>("--encoder") { Description = "encoder.safetensors.", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for layers.json, layers.svg, splits.json.", Required = true };
        var data = new Option<string>("--data") { Description = "synthetic, real or real+synthetic.", DefaultValueFactory = _ => "real" };
        var dataRoot = new Option<string>("--data-root") { Description = "Real records folder.", DefaultValueFactory = _ => TrainCommand.DefaultDataRoot };
        var windows = new Option<int>("--windows") { Description = "Synthetic windows (train and test each).", DefaultValueFactory = _ => 256 };
        var steps = new Option<int>("--steps") { Description = "Optimiser steps per head.", DefaultValueFactory = _ => 300 };
        var batch = new Option<int>("--batch") { Description = "Windows per step.", DefaultValueFactory = _ => 64 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => 3e-3 };
        var seed = new Option<int>("--seed") { Description = "Seed.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "libtorch threads.", DefaultValueFactory = _ => Math.Min(Environment.ProcessorCount, 2) };
        var cmd = new Command("layers", "Probe every encoder layer and compare last-layer, PPA and PMA heads on held-out windows.")
        {
            encoderPath, output, data, dataRoot, windows, steps, batch, lr, seed, threads,
        };
        cmd.SetAction((parse, cancel) => CliErrors.Guard(() =>
        {
            var outDir = parse.GetValue(output)!;
            var options = new HeadTrainOptions
            {
                Steps = parse.GetValue(steps), BatchSize = parse.GetValue(batch), LearningRate = parse.GetValue(lr),
                WarmupSteps = Math.Min(20, parse.GetValue(steps) - 1), Seed = (ulong)parse.GetValue(seed),
            };
            TrainCommand.Validate(options.Validate, options.BatchSize);   // before libtorch starts and data loads
            if (!TrainCommand.StartTorch(parse.GetValue(threads))) return Task.FromResult(3);
            using var encoder = EncoderFile.Load(parse.GetValue(encoderPath)!);
            var source = parse.GetValue(data)!;
            var train = TrainCommand.LoadWindows(source, parse.GetValue(dataRoot)!, parse.GetValue(windows), parse.GetValue(seed), outDir, Split.Train);
            var test = TrainCommand.LoadWindows(source, parse.GetValue(dataRoot)!, parse.GetValue(windows), parse.GetValue(seed), outDir, Split.Test);
            var scores = new List<HeadScore>();
            AnsiConsole.Status().Start("probing layers", ctx =>
            {
                ctx.Status("encoding windows");
                using var features = LayerAnalysis.Features.Of(encoder, train, test);
                cancel.ThrowIfCancellationRequested();
                ctx.Status("probing layers");
                scores.AddRange(LayerAnalysis.ProbeEveryLayer(encoder, features, options));
                foreach (var (name, make) in new (string, Func<RhythmHead>)[]
                {
                    ("ppa", () => new PpaHead(encoder.Config.Dim, encoder.Depth, RhythmClasses.Count)),
                    ("pma-joint", () => new PmaHead(encoder.Config.Dim, encoder.Depth, RhythmClasses.Count, gate: PmaGate.Joint)),
                    ("pma-per-layer", () => new PmaHead(encoder.Config.Dim, encoder.Depth, RhythmClasses.Count, gate: PmaGate.PerLayer)),
                })
                {
                    cancel.ThrowIfCancellationRequested();
                    ctx.Status($"training {name}");
                    TorchSharp.torch.manual_seed((long)options.Seed);
                    using var head = make();
                    scores.Add(LayerAnalysis.Score(head, features, options, name));
                }
            });
            var layers = scores.Where(s => s.Layer >= 0).ToList();
            var svg = SvgLinePlot.Render(
                $"Linear probe per layer ({source}, {test.Count} test windows)", "layer", "macro AUROC",
                layers.Select(s => (double)s.Layer).ToList(), layers.Select(s => s.MacroAuroc).ToList());
            File.WriteAllText(Path.Combine(outDir, "layers.svg"), svg);
            WriteReport(Path.Combine(outDir, "layers.html"), parse.GetValue(encoderPath)!, source, train, test, options, scores, svg);
            var table = new Table().AddColumns("head", "macro AUROC", "AF AUROC", "AF F1");
            foreach (var s in scores)
                table.AddRow(s.Head, $"{s.MacroAuroc:F4}", $"{s.PerClassAuroc[(int)RhythmClass.AF]:F4}", $"{s.AfF1:F4}");
            AnsiConsole.Write(table);
            var json = JsonSerializer.Serialize(new
            {
                encoder = parse.GetValue(encoderPath), data = source, train = train.Count, test = test.Count,
                trainClasses = train.ClassCounts(), testClasses = test.ClassCounts(), classes = RhythmClasses.Names, options,
                scores = scores.Select(s => new { s.Head, s.Layer, macroAuroc = Finite(s.MacroAuroc), perClass = s.PerClassAuroc.Select(Finite), afF1 = Finite(s.AfF1) }),
            }, new JsonSerializerOptions { WriteIndented = true });
            File.WriteAllText(Path.Combine(outDir, "layers.json"), json);
            return Task.FromResult(0);
        }));
        return cmd;
    }

    /// <summary>layers.html: what was compared on which windows, every head's scores, the per-layer plot.</summary>
    private static void WriteReport(string path, string encoder, string source, WindowSet train, WindowSet test, HeadTrainOptions options, List<HeadScore> scores, string svg)
    {
        var trainCounts = train.ClassCounts();
        var testCounts = test.ClassCounts();
        var scored = Enumerable.Range(0, RhythmClasses.Count).Where(c => scores.Any(s => double.IsFinite(s.PerClassAuroc[c]))).ToList();
        var report = new HtmlReport($"Layer analysis: {Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(encoder)))}")
            .Paragraph($"Encoder {encoder}, frozen; heads trained on the {source} train split ({train.Count} windows) and scored on the test split ({test.Count} windows). " +
                       $"Macro AUROC is the mean over the classes with positives in the test split; AF F1 at threshold 0.5.")
            .Table(["split", .. RhythmClasses.Names],
            [
                ["train", .. trainCounts.Select(c => c.ToString(CultureInfo.InvariantCulture))],
                ["test", .. testCounts.Select(c => c.ToString(CultureInfo.InvariantCulture))],
            ])
            .Heading("Heads")
            .Table(["head", "macro AUROC", "AF F1", .. scored.Select(c => $"AUROC {RhythmClasses.Names[c]}")],
                scores.Select(s => (IReadOnlyList<string>)[s.Head, HtmlReport.Number(s.MacroAuroc), HtmlReport.Number(s.AfF1), .. scored.Select(c => HtmlReport.Number(s.PerClassAuroc[c]))]))
            .Svg(svg)
            .Heading("Settings")
            .Code(JsonSerializer.Serialize(options));
        report.Save(path);
    }

    // JSON has no NaN: an unscorable value (a class without positives in the test split) is null.
    private static double? Finite(double v) => double.IsFinite(v) ? v : null;
}
