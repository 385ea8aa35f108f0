using EcgStream.Training;
using System.CommandLine;
using TorchSharp;
using EcgStream.Training.Data;
using EcgStream.Training.Model;
using Spectre.Console;

namespace EcgStream.Cli.Commands;

/// <summary>`ecgstream train pretrain|probe|export|dataset|layers`: the model toolchain (libtorch).</summary>
internal static class TrainCommand
{
    public static Command Create() => new("train", "Pretrain the ECG encoder, train rhythm heads, export ONNX (TorchSharp/libtorch).")
    {
        TrainPretrainCommand.Create(),
        TrainProbeCommand.Create(),
        TrainExportCommand.Create(),
        TrainImportEncoderCommand.Create(),
        TrainDatasetCommand.Create(),
        TrainLayersCommand.Create(),
        TrainDistillCommand.Create(),
        TrainQuantizeCommand.Create(),
        TrainThresholdsCommand.Create(),
        TrainRecordHeadCommand.Create(),
        TrainScoreCommand.Create(),
    };

    public static EncoderConfig ConfigNamed(string name) => name switch
    {
        "tiny" => EncoderConfig.Tiny(),
        "small" => EncoderConfig.Small(),
        "base" => EncoderConfig.Base(),
        _ => throw new ArgumentException($"--config '{name}': expected tiny, small or base"),
    };

    /// <summary>The options of the training option records, as the CLI names them.</summary>
    public static readonly (string Property, string Option)[] OptionNames =
    [
        ("Steps", "--steps"), ("BatchSize", "--batch"), ("LearningRate", "--lr"), ("WarmupSteps", "--warmup"), ("CheckpointEvery", "--checkpoint-every"),
        ("EncoderLearningRateScale", "--encoder-lr-scale"), ("Temperature", "--temperature"), ("Alpha", "--alpha"), ("LayerWeight", "--layer-weight"),
        ("LeadSetFlattening", "--lead-set-flattening"), ("Dim", "--dim"), ("Depth", "--depth"),
    ];

    /// <summary>
    /// Runs an options record's Validate, its messages naming the command's options ("--steps 0 must be positive", not the
    /// record's "Steps 0 must be positive", which names no option the user typed), and bounds --batch like every command's.
    /// </summary>
    public static void Validate(Action validate, int batch)
    {
        try { validate(); }
        catch (ArgumentException e) when (OptionNames.FirstOrDefault(n => e.Message.StartsWith(n.Property + " ", StringComparison.Ordinal)) is { Option: not null } name)
        {
            throw new ArgumentException(name.Option + e.Message[name.Property.Length..], e);
        }
        CliLimits.Batch(batch, "--batch");
    }

    /// <summary>Loads libtorch and sets its threads; false (after a message) when it cannot.</summary>
    public static bool StartTorch(int threads)
    {
        CliLimits.Threads(threads);
        if (!TorchRuntime.TryInitialize(out var reason))
        {
            Console.Error.WriteLine($"error: libtorch unavailable: {reason}");
            return false;
        }
        torch.set_num_threads(threads);
        return true;
    }

    /// <summary>
    /// Windows of <paramref name="split"/>: <c>synthetic</c> (<paramref name="windows"/> windows from
    /// fresh synthetic patients; the test split draws other patients than train), <c>real</c> (that
    /// split of the real records under <paramref name="dataRoot"/>, splits saved in <paramref name="outDir"/>)
    /// or <c>real+synthetic</c> (both, in one set).
    /// </summary>
    public static WindowSet LoadWindows(string data, string dataRoot, int windows, int seed, string outDir, Split split = Split.Train)
    {
        Directory.CreateDirectory(outDir);
        return data switch
        {
            "synthetic" => Synthetic(windows, SyntheticSeed(seed, split)),
            "real" => Real(dataRoot, outDir, split),
            "real+synthetic" => Both(),
            _ => throw new ArgumentException($"--data '{data}': expected synthetic, real or real+synthetic"),
        };

        WindowSet Both()
        {
            var set = Real(dataRoot, outDir, split);
            set.AddRange(Synthetic(windows, SyntheticSeed(seed, split)));
            return set;
        }
    }

    /// <summary>
    /// Decision thresholds of a trained model: per class, the best F1 on the validation split of every part of
    /// <paramref name="source"/> together (the rare classes have validation positives only in the synthetic part), read
    /// record by record where a label is one per record (RecordLevel: the median over the record's windows, as classify
    /// decides), window by window in annotated streams, and only where the label rules on the class.
    /// </summary>
    public static Training.Evaluation.ClassThreshold[] ValidationThresholds(string source, string dataRoot, int windows, int seed, string outDir,
        Func<WindowSet, float[]> probabilities, CancellationToken cancel = default)
    {
        var rows = ValidationRows(source, dataRoot, windows, seed, outDir, probabilities, cancel);
        return Training.Evaluation.Thresholds.Choose(rows.Probabilities, rows.Masks, Core.Rhythms.RhythmClasses.Names, rows.Known);
    }

    /// <summary>The rows <see cref="ValidationThresholds"/> chooses on: every part of <paramref name="source"/>'s validation split, folded record by record where the label is one per record.</summary>
    public static (float[] Probabilities, int[] Masks, int[] Known, string[] Units) ValidationRows(string source, string dataRoot, int windows, int seed, string outDir,
        Func<WindowSet, float[]> probabilities, CancellationToken cancel = default)
    {
        var rows = new List<float>();
        var masks = new List<int>();
        var known = new List<int>();
        var units = new List<string>();
        foreach (var part in source.Split('+'))
        {
            cancel.ThrowIfCancellationRequested();
            var validation = LoadWindows(part, dataRoot, Math.Max(64, windows / 4), seed, outDir, Split.Validation);
            var (partRows, partMasks, partKnown, partUnits) = Training.Evaluation.RecordLevel.Fold(probabilities(validation), validation);
            rows.AddRange(partRows);
            masks.AddRange(partMasks);
            known.AddRange(partKnown);
            units.AddRange(partUnits);
        }
        return ([.. rows], [.. masks], [.. known], [.. units]);
    }

    /// <summary>Synthetic patients of the test split never share a seed with the train split's.</summary>
    public static int SyntheticSeed(int seed, Split split) => split == Split.Train ? seed : seed + 100_000 * (int)split;

    private static WindowSet Synthetic(int windows, int seed)
    {
        int patients = Math.Max(1, windows / 20);
        var set = SyntheticWindows.GenerateMixedLeads(seed, windows, patients);
        AnsiConsole.MarkupLine($"[grey]synthetic: {set.Count} windows from {patients} synthetic patients (seeds {seed}…{seed + patients - 1}; lead sets I / II+V1 / 12 leads in turn)[/]");
        return set;
    }

    private static WindowSet Real(string dataRoot, string outDir, Split split)
    {
        var splitsPath = Path.Combine(outDir, "splits.json");
        if (s_real is not { } built || built.DataRoot != dataRoot || built.SplitsPath != splitsPath)
        {
            // Reading and windowing every record takes tens of seconds: a command that needs several
            // splits (train, validation, test) builds the set once and takes each split from it.
            var report = new DatasetReport(w => AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] {w}"));
            var entries = RealDatasets.List(dataRoot, report);
            var splits = File.Exists(splitsPath) ? DatasetSplits.Load(splitsPath) : new DatasetSplits();
            var all = RealDatasets.Build(entries, splits, report, new WindowingOptions { MaxWindowsPerRecord = 40 });
            splits.Save(splitsPath);
            s_real = built = new RealSet(dataRoot, splitsPath, all, splits, report.ToString());
        }
        var chosen = built.All.Subset(built.Splits.Records(split));
        AnsiConsole.MarkupLineInterpolated($"[grey]real: {built.Report}; {chosen.Count} windows in the {split} split (splits: {splitsPath})[/]");
        if (chosen.Count == 0) throw new InvalidDataException($"no {split} windows under {dataRoot}");
        return chosen;
    }

    private sealed record RealSet(string DataRoot, string SplitsPath, WindowSet All, DatasetSplits Splits, string Report);
    private static RealSet? s_real;

    public static string DefaultDataRoot =>
        Environment.GetEnvironmentVariable("ECGSTREAM_DATA") is { Length: > 0 } env ? env : Path.GetFullPath(Path.Combine("..", "shared", "data"));
}
