using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Inference;
using EcgStream.Inference.Quantization;
using EcgStream.Onnx.Proto;
using EcgStream.Onnx.Quantization;
using EcgStream.Training.Data;
using EcgStream.Training.Evaluation;
using Google.Protobuf;
using Spectre.Console;

namespace EcgStream.Cli.Commands;

/// <summary>
/// `ecgstream train quantize --model fp32.onnx --out int8.onnx --run DIR`: static int8 QDQ of any float32
/// contract model, activations calibrated on real train windows (MinMax and percentile; the one with the
/// better validation macro AUROC is written), plus a dynamic (MatMulInteger) variant on request; held-out
/// accuracy before/after, record-level per source. No Python, no libtorch: our graph pass and ONNX Runtime.
/// </summary>
internal static class TrainQuantizeCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The float32 ONNX model to quantize.", Required = true };
        var output = new Option<string>("--out") { Description = "The int8 QDQ model to write.", Required = true };
        var dynamicOut = new Option<string?>("--dynamic-out") { Description = "Also write the dynamic int8 (MatMulInteger) model here." };
        var run = new Option<string>("--run") { Description = "Folder for quantize.json and splits.json.", Required = true };
        var calibration = new Option<int>("--calibration") { Description = "Real train-split windows to calibrate on (an equal share per lead set).", DefaultValueFactory = _ => 512 };
        var method = new Option<string>("--method") { Description = "minmax, percentile, or best (both; the better validation macro AUROC is written).", DefaultValueFactory = _ => "best" };
        var percentile = new Option<double>("--percentile") { Description = "Percentile of activation magnitudes for the percentile method.", DefaultValueFactory = _ => 99.99 };
        var dataRoot = new Option<string>("--data-root") { Description = "Real records folder.", DefaultValueFactory = _ => TrainCommand.DefaultDataRoot };
        var activationType = new Option<string>("--activations") { Description = "int8 (zero point 0: TensorRT's explicit int8) or uint8 (zero point 128: x86 CPU kernels multiply uint8 by int8).", DefaultValueFactory = _ => "int8" };
        var seed = new Option<int>("--seed") { Description = "Seed (splits by patient; calibration draw).", DefaultValueFactory = _ => 1 };

        var cmd = new Command("quantize", "Quantize a float32 ONNX model to int8 (static QDQ, calibrated on real windows; optionally dynamic) and report accuracy before/after.")
        {
            model, output, dynamicOut, run, calibration, method, percentile, activationType, dataRoot, seed,
        };
        cmd.SetAction((parse, cancel) => CliErrors.Guard(() =>
        {
            var modelPath = parse.GetValue(model)!;
            var runDir = parse.GetValue(run)!;
            var chosenMethod = parse.GetValue(method) switch
            {
                "minmax" => (CalibrationMethod?)CalibrationMethod.MinMax, "percentile" => CalibrationMethod.Percentile, "best" => null,
                var m => throw new ArgumentException($"--method '{m}': expected minmax, percentile or best"),
            };
            var activations = parse.GetValue(activationType) switch
            {
                "int8" => QdqActivations.Int8, "uint8" => QdqActivations.UInt8,
                var a => throw new ArgumentException($"--activations '{a}': expected int8 or uint8"),
            };
            // every option and output path is checked before the real windows load (about 10 s)
            double pct = parse.GetValue(percentile);
            if (!(pct > 0 && pct <= 100)) throw new ArgumentException($"--percentile {pct.ToString(CultureInfo.InvariantCulture)}: expected a value in (0, 100]");
            int calibrationCount = CliLimits.InRange(parse.GetValue(calibration), 1, MaxCalibrationWindows, "--calibration");
            var fp32 = ModelScores.ReadModel(modelPath);
            CliPaths.OutputFile(parse.GetValue(output)!, "--out");
            if (parse.GetValue(dynamicOut) is { } dynamicPath) CliPaths.OutputFile(dynamicPath, "--dynamic-out");
            CliPaths.OutputFolder(runDir, "--run");
            var options = new InferenceOptions { IntraOpThreads = Math.Min(Environment.ProcessorCount, 2) };
            float afThreshold = ModelScores.AfThreshold(fp32, modelPath);

            var train = TrainCommand.LoadWindows("real", parse.GetValue(dataRoot)!, 0, parse.GetValue(seed), runDir, Split.Train);
            var validation = TrainCommand.LoadWindows("real", parse.GetValue(dataRoot)!, 0, parse.GetValue(seed), runDir, Split.Validation);
            var test = TrainCommand.LoadWindows("real", parse.GetValue(dataRoot)!, 0, parse.GetValue(seed), runDir, Split.Test);

            // Calibration: an equal share of windows per lead set, so 12-lead activations are seen although
            // most real windows are single-lead.
            var calibrationWindows = CalibrationDraw(train, calibrationCount, (ulong)parse.GetValue(seed));
            using var calibrator = new ActivationCalibrator(fp32, options);
            var started = DateTime.UtcNow;
            // A contract-v2 model also reads each window's rhythm features, which the windows carry.
            bool rhythm = fp32.Graph.Input.Any(i => i.Name == ModelContract.RhythmInput);
            OnnxScoring.ForEachBatch(train, 16, (_, inputs) => { cancel.ThrowIfCancellationRequested(); calibrator.Observe(inputs); }, calibrationWindows, rhythm: rhythm);
            AnsiConsole.MarkupLineInterpolated($"calibrated {calibrator.Activations.Count} activations on {calibrationWindows.Length} train windows ({(DateTime.UtcNow - started).TotalSeconds:F0} s)");

            var candidates = new List<(string Name, CalibrationMethod? Method, ModelProto Model)>();
            string modelId = fp32.MetadataProps.FirstOrDefault(p => p.Key == ModelContract.Keys.ModelId)?.Value ?? Path.GetFileNameWithoutExtension(modelPath);
            foreach (var m in chosenMethod is { } only ? [only] : new[] { CalibrationMethod.MinMax, CalibrationMethod.Percentile })
            {
                string how = m == CalibrationMethod.MinMax ? "MinMax" : $"percentile {pct.ToString(CultureInfo.InvariantCulture)}";
                string act = activations == QdqActivations.Int8 ? "symmetric int8" : "uint8 with zero point 128";
                var q = Int8Quantizer.QuantizeQdq(fp32, calibrator.Scales(m, pct),
                    $"int8 QDQ: MatMul weights per output channel (symmetric int8), activations per tensor ({act}, {how}, {calibrationWindows.Length} real train-split windows); other ops float32", activations);
                Int8Quantizer.SetMetadata(q, ModelContract.Keys.ModelId, modelId + "-int8");
                candidates.Add(($"qdq-{(m == CalibrationMethod.MinMax ? "minmax" : "percentile")}", m, q));
            }
            ModelProto? dynamic = null;
            if (parse.GetValue(dynamicOut) is { } dyn)
            {
                dynamic = Int8Quantizer.QuantizeDynamic(fp32);
                Int8Quantizer.SetMetadata(dynamic, ModelContract.Keys.ModelId, modelId + "-int8-dynamic");
            }

            // Choose on validation records, report on test records.
            var fp32Validation = ModelScores.Evaluate(fp32, "fp32", validation, afThreshold, options);
            var validationScores = candidates.Select(c => (c, Score: ModelScores.Evaluate(c.Model, c.Name, validation, afThreshold, options))).ToList();
            var best = validationScores.OrderByDescending(v => ModelScores.All(v.Score).MacroAuroc).ThenByDescending(v => ModelScores.All(v.Score).AfF1).First().c;
            AnsiConsole.MarkupLineInterpolated($"chosen: {best.Name} (validation macro AUROC {string.Join(", ", validationScores.Select(v => $"{v.c.Name} {ModelScores.All(v.Score).MacroAuroc:F4}"))}; fp32 {ModelScores.All(fp32Validation).MacroAuroc:F4})");
            var outPath = parse.GetValue(output)!;
            Write(best.Model, outPath);
            if (dynamic is not null) Write(dynamic, parse.GetValue(dynamicOut)!);

            var testScores = new List<(string Name, List<SourceScore> Scores)> { ("fp32", ModelScores.Evaluate(fp32, "fp32", test, afThreshold, options)) };
            foreach (var c in candidates) testScores.Add((c.Name, ModelScores.Evaluate(c.Model, c.Name, test, afThreshold, options)));
            if (dynamic is not null) testScores.Add(("dynamic", ModelScores.Evaluate(dynamic, "dynamic", test, afThreshold, options)));
            ModelScores.PrintTable(testScores);

            Directory.CreateDirectory(runDir);
            var json = JsonSerializer.Serialize(new
            {
                kind = "quantize", model = modelPath, output = outPath, dynamicOutput = parse.GetValue(dynamicOut), chosen = best.Name,
                percentile = pct, calibrationWindows = calibrationWindows.Length, activations = calibrator.Activations.Count, afThreshold,
                validation = validationScores.Select(v => new { name = v.c.Name, scores = v.Score.Select(ModelScores.Json) }).Prepend(new { name = "fp32", scores = fp32Validation.Select(ModelScores.Json) }),
                test = testScores.Select(t => new { name = t.Name, scores = t.Scores.Select(ModelScores.Json) }),
            }, new JsonSerializerOptions { WriteIndented = true });
            File.WriteAllText(Path.Combine(runDir, "quantize.json"), json);
            AnsiConsole.MarkupLineInterpolated($"wrote {outPath} ({new FileInfo(outPath).Length} bytes) and {Path.Combine(runDir, "quantize.json")}");
            return Task.FromResult(0);
        }));
        return cmd;
    }

    private static void Write(ModelProto model, string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        File.WriteAllBytes(path, model.ToByteArray());
    }

    /// <summary>Most calibration windows: each is run through the model with every activation kept.</summary>
    private const int MaxCalibrationWindows = 100_000;

    /// <summary>Up to <paramref name="count"/> window indices: an equal share from each lead set (all of a smaller set), drawn by seed.</summary>
    private static int[] CalibrationDraw(WindowSet windows, int count, ulong seed)
    {
        var buckets = windows.IndicesByLeadSet();
        var random = new Random((int)(seed % int.MaxValue));
        var chosen = new List<int>();
        int remaining = count;
        foreach (var (bucket, k) in buckets.OrderBy(b => b.Length).Select((b, k) => (b, k)))
        {
            int share = remaining / (buckets.Count - k);
            var take = bucket.OrderBy(_ => random.Next()).Take(share).ToList();
            chosen.AddRange(take);
            remaining -= take.Count;
        }
        chosen.Sort();
        return [.. chosen];
    }
}
