using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Inference;
using EcgStream.Onnx.Quantization;
using EcgStream.Training.Evaluation;
using Google.Protobuf;
using Spectre.Console;

namespace EcgStream.Cli.Commands;

/// <summary>
/// `ecgstream train thresholds --model M.onnx --run DIR`: re-chooses a trained model's per-class decision thresholds on
/// the validation records, as `train probe` and `train distill` choose them, without retraining: after the choosing rule
/// changes, or to give int8 siblings their fp32 model's thresholds. Writes DIR/thresholds.json (per class the threshold,
/// its validation F1 and positives, and the model's thresholds before) and DIR/threshold-rows.jsonl (the rows chosen on); with --write, the thresholds go into the
/// metadata of --model and of every --apply-to model.
/// </summary>
internal static class TrainThresholdsCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The float32 ONNX model whose validation scores choose the thresholds.", Required = true };
        var run = new Option<string>("--run") { Description = "Folder for thresholds.json, threshold-rows.jsonl and splits.json (put the model's splits.json there to score its validation split).", Required = true };
        var data = new Option<string>("--data") { Description = "real, synthetic or real+synthetic: the validation rows, as the model was trained (train probe and distill: real+synthetic).", DefaultValueFactory = _ => "real+synthetic" };
        var dataRoot = new Option<string>("--data-root") { Description = "Real records folder.", DefaultValueFactory = _ => TrainCommand.DefaultDataRoot };
        var windows = new Option<int>("--windows") { Description = "The --windows of the model's training run (synthetic validation windows are a quarter of it).", DefaultValueFactory = _ => 3000 };
        var seed = new Option<int>("--seed") { Description = "The model's training seed (splits, synthetic validation patients).", DefaultValueFactory = _ => 1 };
        var write = new Option<bool>("--write") { Description = "Write the thresholds into --model's metadata (and every --apply-to model's)." };
        var applyTo = new Option<string[]>("--apply-to") { Description = "Other models (e.g. the int8 versions of --model) that take the same thresholds with --write.", AllowMultipleArgumentsPerToken = true };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads.", DefaultValueFactory = _ => Math.Min(Environment.ProcessorCount, 2) };

        var cmd = new Command("thresholds", "Choose a trained model's per-class decision thresholds on the validation records again (no training); --write puts them in its metadata.")
        {
            model, run, data, dataRoot, windows, seed, write, applyTo, threads,
        };
        cmd.SetAction((parse, cancel) => CliErrors.Guard(() =>
        {
            var modelPath = parse.GetValue(model)!;
            var runDir = parse.GetValue(run)!;
            var source = parse.GetValue(data)!;
            if (source is not ("real" or "synthetic" or "real+synthetic")) throw new ArgumentException($"--data '{source}': expected real, synthetic or real+synthetic");
            var siblings = parse.GetValue(applyTo) ?? [];
            bool writing = parse.GetValue(write);
            if (siblings.Length > 0 && !writing) throw new ArgumentException("--apply-to writes thresholds into other models: add --write");
            var proto = ModelScores.ReadModel(modelPath);
            var before = ModelScores.Thresholds(proto, modelPath);   // also refuses a model of another class set
            var others = siblings.Select(p => (Path: p, Proto: ModelScores.ReadModel(p))).ToList();
            foreach (var (path, other) in others) ModelScores.Thresholds(other, path);
            foreach (var (path, target) in others.Prepend((modelPath, proto)))
                if (!target.MetadataProps.Any(p => p.Key == ModelContract.Keys.Classes))
                    throw new InvalidDataException($"{path}: no {ModelContract.Keys.Classes} metadata; not an EcgStream contract model");

            CliPaths.OutputFolder(runDir, "--run");
            var options = new InferenceOptions { IntraOpThreads = CliLimits.Threads(parse.GetValue(threads)) };
            using var session = InferenceSession.Load(proto.ToByteArray(), options, "thresholds");
            var rows = TrainCommand.ValidationRows(source, parse.GetValue(dataRoot)!, parse.GetValue(windows), parse.GetValue(seed), runDir,
                set => OnnxScoring.Run(session, set).Probabilities(), cancel);
            var chosen = Thresholds.Choose(rows.Probabilities, rows.Masks, RhythmClasses.Names, rows.Known);

            var table = new Table().AddColumns("class", "validation positives", "threshold before", "threshold now", "validation F1 now");
            for (int k = 0; k < chosen.Length; k++)
                table.AddRow(chosen[k].Class, chosen[k].Positives.ToString(CultureInfo.InvariantCulture), before is null ? "–" : F(before[k]), F(chosen[k].Threshold), double.IsFinite(chosen[k].F1) ? F(chosen[k].F1) : "–");
            AnsiConsole.Write(table);

            Directory.CreateDirectory(runDir);
            File.WriteAllText(Path.Combine(runDir, "thresholds.json"), JsonSerializer.Serialize(new
            {
                kind = "thresholds", model = modelPath, data = source, rows = rows.Units.Length, rule = Thresholds.RuleDescription,
                thresholds = chosen.Select(t => new { @class = t.Class, threshold = t.Threshold, f1 = double.IsFinite(t.F1) ? t.F1 : (double?)null, positives = t.Positives }),
                before,
            }, new JsonSerializerOptions { WriteIndented = true }));
            using (var writer = new StreamWriter(Path.Combine(runDir, "threshold-rows.jsonl")))
            {
                int c = RhythmClasses.Count;
                for (int i = 0; i < rows.Units.Length; i++)
                    writer.WriteLine(JsonSerializer.Serialize(new { unit = rows.Units[i], mask = rows.Masks[i], known = rows.Known[i], p = rows.Probabilities.AsSpan(i * c, c).ToArray() }));
            }
            AnsiConsole.MarkupLineInterpolated($"wrote {Path.Combine(runDir, "thresholds.json")} and threshold-rows.jsonl ({rows.Units.Length} validation rows)");

            if (writing)
            {
                var text = string.Join(",", chosen.Select(t => ((float)t.Threshold).ToString("R", CultureInfo.InvariantCulture)));
                foreach (var (path, target) in others.Prepend((modelPath, proto)))
                {
                    Int8Quantizer.SetMetadata(target, ModelContract.Keys.Thresholds, text);
                    File.WriteAllBytes(path, target.ToByteArray());
                    AnsiConsole.MarkupLineInterpolated($"wrote thresholds into {path}");
                }
            }
            return Task.FromResult(0);
        }));
        return cmd;
    }

    private static string F(double v) => v.ToString("F3", CultureInfo.InvariantCulture);
}
