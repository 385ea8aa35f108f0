using System.CommandLine;
using EcgStream.Onnx.Contract;
using EcgStream.Training.Export;
using EcgStream.Training.Heads;
using EcgStream.Training.Model;

namespace EcgStream.Cli.Commands;

/// <summary>`ecgstream train export --encoder E --head H --out model.onnx`: encoder + PMA head to a contract-v1 (v2 with the rhythm path) ONNX model.</summary>
internal static class TrainExportCommand
{
    public static Command Create()
    {
        var encoderPath = new Option<string>("--encoder") { Description = "encoder.safetensors.", Required = true };
        var headPath = new Option<string>("--head") { Description = "head.safetensors of a PMA head.", Required = true };
        var output = new Option<string>("--out") { Description = "The .onnx file to write.", Required = true };
        var modelId = new Option<string>("--model-id") { Description = "Model id in the metadata.", DefaultValueFactory = _ => "ecgstream-pma" };
        var trainingData = new Option<string>("--training-data") { Description = "What it was trained on (metadata).", DefaultValueFactory = _ => "" };
        var metrics = new Option<string>("--metrics") { Description = "Its metrics (metadata).", DefaultValueFactory = _ => "" };
        var thresholdsPath = new Option<string?>("--thresholds") { Description = $"Per-class thresholds (default: {TrainProbeCommand.ThresholdsFile} beside --head when present, else 0.5)." };
        var commit = new Option<string>("--commit") { Description = "The commit that produced it (metadata).", DefaultValueFactory = _ => "" };

        var cmd = new Command("export", "Export encoder + PMA head as an ONNX model (contract v1; v2 when the head has the rhythm path) (outputs logits, layer_weights).")
        {
            encoderPath, headPath, output, modelId, trainingData, metrics, commit,
        };
        cmd.SetAction(parse => CliErrors.Guard(() =>
        {
            if (!TrainCommand.StartTorch(1)) return Task.FromResult(3);
            using var encoder = EncoderFile.Load(parse.GetValue(encoderPath)!);
            using var head = HeadFile.Load(parse.GetValue(headPath)!);
            if (head is not PmaHead pma) throw new ArgumentException($"--head {parse.GetValue(headPath)} is a {head.Kind} head; export takes a PMA head");
            encoder.eval();
            pma.eval();
            var info = new ContractModelInfo
            {
                ModelId = parse.GetValue(modelId)!,
                Description = $"ST-MEM-style encoder d={encoder.Config.Dim} depth={encoder.Depth} heads={encoder.Config.Heads} + PMA head{(pma.RhythmFeatures > 0 ? " + rhythm path (RR features, contract v2)" : "")}",
                RhythmPath = pma.RhythmFeatures > 0,
                TrainingData = parse.GetValue(trainingData)!, Metrics = parse.GetValue(metrics)!, Commit = parse.GetValue(commit)!,
                Thresholds = ReadThresholds(parse.GetValue(thresholdsPath) ?? DefaultThresholds(parse.GetValue(headPath)!)),
            };
            var path = parse.GetValue(output)!;
            File.WriteAllBytes(path, PmaOnnxExporter.Export(encoder, pma, info));
            Console.WriteLine($"wrote {path} ({new FileInfo(path).Length} bytes); thresholds {(info.Thresholds is { } t ? string.Join(", ", t.Select(v => v.ToString("F3", System.Globalization.CultureInfo.InvariantCulture))) : "0.5 for every class")}");
            return Task.FromResult(0);
        }));
        return cmd;
    }

    private static string? DefaultThresholds(string headPath)
    {
        var beside = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(headPath))!, TrainProbeCommand.ThresholdsFile);
        return File.Exists(beside) ? beside : null;
    }

    /// <summary>The thresholds of a `train probe` thresholds.json, in class-set-v1 order (each class named once).</summary>
    private static float[]? ReadThresholds(string? path)
    {
        if (path is null) return null;
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        var byClass = new Dictionary<string, float>();
        foreach (var item in doc.RootElement.EnumerateArray())
            byClass[item.GetProperty("class").GetString()!] = (float)item.GetProperty("threshold").GetDouble();
        return [.. EcgStream.Core.Rhythms.RhythmClasses.Names.Select(n => byClass.TryGetValue(n, out var t) ? t
            : throw new InvalidDataException($"{path}: no threshold for class {n}"))];
    }
}
