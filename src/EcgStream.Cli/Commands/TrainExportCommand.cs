using System.CommandLine;
using EcgStream.Onnx.Contract;
using EcgStream.Training.Export;
using EcgStream.Training.Heads;
using EcgStream.Training.Model;

namespace EcgStream.Cli.Commands;

/// <summary>`ecgstream train export --encoder E --head H --out model.onnx`: encoder + PMA head to a contract-v1 ONNX model.</summary>
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
        var commit = new Option<string>("--commit") { Description = "The commit that produced it (metadata).", DefaultValueFactory = _ => "" };

        var cmd = new Command("export", "Export encoder + PMA head as a contract-v1 ONNX model (outputs logits, layer_weights).")
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
                Description = $"ST-MEM-style encoder d={encoder.Config.Dim} depth={encoder.Depth} heads={encoder.Config.Heads} + PMA head",
                TrainingData = parse.GetValue(trainingData)!, Metrics = parse.GetValue(metrics)!, Commit = parse.GetValue(commit)!,
            };
            var path = parse.GetValue(output)!;
            File.WriteAllBytes(path, PmaOnnxExporter.Export(encoder, pma, info));
            Console.WriteLine($"wrote {path} ({new FileInfo(path).Length} bytes)");
            return Task.FromResult(0);
        }));
        return cmd;
    }
}
