using System.CommandLine;
using EcgStream.Torch;
using EcgStream.Training.Data;
using EcgStream.Training.Model;
using Spectre.Console;

namespace EcgStream.Cli.Commands;

/// <summary>`ecgstream train pretrain|probe|export|dataset|layers`: the model toolchain (libtorch).</summary>
internal static class TrainCommand
{
    public static Command Create() => new("train", "Pretrain the ECG encoder, train rhythm heads, export ONNX (libtorch).")
    {
        TrainPretrainCommand.Create(),
        TrainProbeCommand.Create(),
        TrainExportCommand.Create(),
        TrainDatasetCommand.Create(),
        TrainLayersCommand.Create(),
    };

    public static EncoderConfig ConfigNamed(string name) => name switch
    {
        "tiny" => EncoderConfig.Tiny(),
        "small" => EncoderConfig.Small(),
        "base" => EncoderConfig.Base(),
        _ => throw new ArgumentException($"--config '{name}': expected tiny, small or base"),
    };

    /// <summary>Loads libtorch and sets its threads; false (after a message) when it cannot.</summary>
    public static bool StartTorch(int threads)
    {
        if (!torch.TryInitialize(out var reason))
        {
            Console.Error.WriteLine($"error: libtorch unavailable: {reason} (run tools/setup/torch.sh)");
            return false;
        }
        torch.set_num_threads(Math.Max(1, threads));
        return true;
    }

    /// <summary>
    /// Training windows: synthetic (<paramref name="windows"/> from several synthetic patients) or the
    /// train split of the real records under <paramref name="dataRoot"/> (splits saved in <paramref name="outDir"/>).
    /// </summary>
    public static WindowSet LoadWindows(string data, string dataRoot, int windows, int seed, string outDir, Split split = Split.Train)
    {
        Directory.CreateDirectory(outDir);
        if (data == "synthetic")
        {
            var set = SyntheticWindows.Generate(seed, windows, patients: Math.Max(1, windows / 20));
            AnsiConsole.MarkupLine($"[grey]synthetic: {set.Count} windows from {Math.Max(1, windows / 20)} synthetic patients[/]");
            return set;
        }
        if (data != "real") throw new ArgumentException($"--data '{data}': expected synthetic or real");
        var report = new DatasetReport(w => AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] {w}"));
        var entries = RealDatasets.List(dataRoot, report);
        var splitsPath = Path.Combine(outDir, "splits.json");
        var splits = File.Exists(splitsPath) ? DatasetSplits.Load(splitsPath) : new DatasetSplits();
        var all = RealDatasets.Build(entries, splits, report, new WindowingOptions { MaxWindowsPerRecord = 40 });
        splits.Save(splitsPath);
        var chosen = all.Subset(splits.Records(split));
        AnsiConsole.MarkupLineInterpolated($"[grey]real: {report}; {chosen.Count} windows in the {split} split (splits: {splitsPath})[/]");
        if (chosen.Count == 0) throw new InvalidDataException($"no {split} windows under {dataRoot}");
        return chosen;
    }

    public static string DefaultDataRoot =>
        Environment.GetEnvironmentVariable("ECGSTREAM_DATA") is { Length: > 0 } env ? env : Path.GetFullPath(Path.Combine("..", "shared", "data"));
}
