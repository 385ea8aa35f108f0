using System.CommandLine;
using EcgStream.Training.Export;
using EcgStream.Training.Model;

namespace EcgStream.Cli.Commands;

/// <summary>
/// `ecgstream train import-encoder --model M.onnx --out encoder.safetensors`: the encoder of a model our exporter
/// wrote, back as a training file, so a new head (e.g. with the rhythm path) can be trained on a shipped model's
/// fine-tuned encoder when its run folder is gone.
/// </summary>
internal static class TrainImportEncoderCommand
{
    public static Command Create()
    {
        var modelPath = new Option<string>("--model") { Description = "An .onnx model written by `ecgstream train export`.", Required = true };
        var output = new Option<string>("--out") { Description = "encoder.safetensors to write.", Required = true };
        var cmd = new Command("import-encoder", "Read the encoder of an exported ONNX model back into encoder.safetensors.") { modelPath, output };
        cmd.SetAction(parse => CliErrors.Guard(() =>
        {
            var path = parse.GetValue(modelPath)!;
            if (!File.Exists(path)) throw new FileNotFoundException($"--model '{path}': no such file");
            var model = ModelScores.ReadModel(path);   // read (and refused) before libtorch starts
            var outPath = CliPaths.OutputFile(parse.GetValue(output)!, "--out");
            if (!TrainCommand.StartTorch(1)) return Task.FromResult(3);
            using var encoder = OnnxEncoderImport.Import(model, path);
            EncoderFile.Save(encoder, outPath);
            Console.WriteLine($"wrote {outPath}: encoder d={encoder.Config.Dim} depth={encoder.Depth} heads={encoder.Config.Heads}");
            return Task.FromResult(0);
        }));
        return cmd;
    }
}
