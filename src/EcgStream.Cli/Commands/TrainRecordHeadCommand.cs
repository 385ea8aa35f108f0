using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EcgStream.Cli.Commands.Benchmark;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Formats;
using EcgStream.Inference;
using EcgStream.Inference.Contract;
using EcgStream.Inference.Records;
using EcgStream.Ingest.Replay;
using EcgStream.Onnx.Quantization;
using EcgStream.Training.Data;
using EcgStream.Training.Data.Sources;
using EcgStream.Training.Records;
using Google.Protobuf;
using Spectre.Console;

namespace EcgStream.Cli.Commands;

/// <summary>
/// `ecgstream train record-head --model M.onnx --split splits.json --run DIR [--out M2.onnx]`: fits the model's record
/// head (<see cref="RecordHeadFit"/>) on the records of the split's train part, as `classify` scores them
/// (<see cref="ClassifyCommand.Score"/>: the same windows and rhythm features), and chooses its penalties and thresholds on
/// the validation part; the test part is never read. Writes DIR/record-head.json (per class what was fitted and why it is
/// used or not, and the head) and DIR/record-rows.jsonl (every record's features and label); with --out, a copy of the
/// model carrying the head in its metadata, which `classify` and `benchmark` then decide records with.
/// </summary>
internal static class TrainRecordHeadCommand
{
    public static IReadOnlyList<string> DefaultDatasets { get; } = [BenchmarkDatasets.Cinc2017, .. BenchmarkDatasets.TwelveLead];

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The ONNX model whose record decisions the head learns (fit it on the model it will ship in, e.g. the int8 one).", Required = true };
        var split = new Option<string>("--split") { Description = "Split file the model was trained with (splits.json): the head fits on its train records and is chosen on its validation records.", Required = true };
        var run = new Option<string>("--run") { Description = "Folder for record-head.json and record-rows.jsonl.", Required = true };
        var output = new Option<string?>("--out") { Description = "Write a copy of --model with the record head in its metadata here (may be --model itself)." };
        var dataRoot = new Option<string>("--data-root") { Description = "Folder of the labelled datasets.", DefaultValueFactory = _ => TrainCommand.DefaultDataRoot };
        var datasets = new Option<string[]>("--datasets") { Description = $"Record-labelled datasets to fit on (default: {string.Join(", ", DefaultDatasets)}).", AllowMultipleArgumentsPerToken = true };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads.", DefaultValueFactory = _ => 1 };
        var cmd = new Command("record-head", "Fit a model's record head (per class a logistic regression over the record's window probabilities and RR features) on the train records; thresholds on the validation records.")
        {
            model, split, run, output, dataRoot, datasets, threads,
        };
        cmd.SetAction((parse, cancel) => CliErrors.Guard(() =>
        {
            var modelPath = parse.GetValue(model)!;
            var splitPath = parse.GetValue(split)!;
            var runDir = parse.GetValue(run)!;
            var root = parse.GetValue(dataRoot)!;
            var chosen = parse.GetValue(datasets) is { Length: > 0 } ds ? ds.SelectMany(d => d.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList() : DefaultDatasets.ToList();
            foreach (var d in chosen)
                if (!DefaultDatasets.Contains(d)) throw new ArgumentException($"--datasets '{d}': a record head fits on record-labelled datasets: {string.Join(", ", DefaultDatasets)}");
            int threadCount = CliLimits.Threads(parse.GetValue(threads));
            if (!File.Exists(modelPath)) throw new FileNotFoundException($"--model '{modelPath}': no such file");
            if (!File.Exists(splitPath)) throw new FileNotFoundException($"--split '{splitPath}': no such file");
            if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"--data-root '{root}': no such folder");
            var proto = ModelScores.ReadModel(modelPath);
            var splits = DatasetSplits.Load(splitPath);
            CliPaths.OutputFolder(runDir, "--run");
            if (parse.GetValue(output) is { } headOut) CliPaths.OutputFile(headOut, "--out");

            using var scorer = LoadModel(modelPath, threadCount);
            var train = Rows(scorer, root, chosen, splits, Split.Train, cancel);
            var validation = Rows(scorer, root, chosen, splits, Split.Validation, cancel);
            var (head, report) = RecordHeadFit.Fit(train, validation, scorer.Thresholds, ClassifyCommand.RateClasses);

            var table = new Table().AddColumns("class", "train records (positive)", "validation (positive)", "λ", "AUROC head / median", "F1 head / median at the model's threshold / median's best", "threshold", "used");
            foreach (var r in report)
                table.AddRow(r.Class, $"{r.TrainRecords} ({r.TrainPositives})", $"{r.ValidationRecords} ({r.ValidationPositives})", r.Lambda is { } l ? F(l, 1) : "–",
                    r.HeadAuroc is { } ha ? $"{F(ha, 4)} / {F(r.MedianAuroc!.Value, 4)}" : "–", r.HeadF1 is { } hf ? $"{F(hf, 3)} / {F(r.MedianF1!.Value, 3)} / {F(r.MedianBestF1!.Value, 3)}" : "–",
                    r.Threshold is { } t ? F(t, 3) : "–", r.Used ? "yes" : $"no: {r.Reason}");
            AnsiConsole.Write(table);

            Directory.CreateDirectory(runDir);
            File.WriteAllText(Path.Combine(runDir, "record-head.json"), JsonSerializer.Serialize(new
            {
                kind = "record-head", model = modelPath, split = splitPath, datasets = chosen, features = RecordFeatures.Version,
                trainRecords = train.Count, validationRecords = validation.Count, maxWindows = head.MaxWindows, lambdas = RecordHeadFit.Lambdas,
                rule = "per class: λ with the lowest validation log-loss, threshold the best validation F1 in [0.05, 0.95]; used where that F1 ≥ the validation F1 of the median at the model's threshold (what classify decides without the head)",
                classes = report,
                head = JsonDocument.Parse(head.ToJson()).RootElement,
            }, new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));   // a file, not HTML: keep "record's" readable
            using (var writer = new StreamWriter(Path.Combine(runDir, "record-rows.jsonl")))
                foreach (var (part, rows) in new[] { ("train", train), ("validation", validation) })
                    foreach (var r in rows)
                        writer.WriteLine(JsonSerializer.Serialize(new { split = part, source = r.Source, record = r.Record, windows = r.Windows, mask = r.ClassMask, known = r.KnownMask, median = r.Median, features = r.Features }));
            AnsiConsole.MarkupLineInterpolated($"wrote {Path.Combine(runDir, "record-head.json")} and record-rows.jsonl ({train.Count} train, {validation.Count} validation records)");

            if (parse.GetValue(output) is { } outPath)
            {
                if (head.Classes.Count == 0)
                    throw new InvalidDataException($"no class has a record head (record-head.json says why for each); {outPath} not written");
                Int8Quantizer.SetMetadata(proto, ModelContract.Keys.RecordHead, head.ToJson());
                var bytes = proto.ToByteArray();
                using (RhythmModel.Load(bytes, new InferenceOptions(), outPath)) { }   // the copy must load with its head before it is written
                File.WriteAllBytes(outPath, bytes);
                AnsiConsole.MarkupLineInterpolated($"wrote {outPath} with the record head ({head.Classes.Count} classes: {string.Join(", ", head.Classes.Select(c => RhythmClasses.Name(c.Class)))}; records up to {head.MaxWindows} windows)");
            }
            return Task.FromResult(0);
        }));
        return cmd;
    }

    private static RhythmModel LoadModel(string path, int threads)
    {
        try { return RhythmModel.Load(path, new InferenceOptions { IntraOpThreads = threads, MaxBatch = ClassifyCommand.Batch }); }
        catch (Exception e) when (e is ModelContractException or OrtException) { throw new ArgumentException($"--model '{path}': {e.Message}", e); }
    }

    /// <summary>Every labelled record of one split part as classify scores it; records without a decision are left out with a warning.</summary>
    private static List<RecordRow> Rows(RhythmModel model, string root, List<string> datasets, DatasetSplits splits, Split part, CancellationToken cancel)
    {
        var rows = new List<RecordRow>();
        foreach (var dataset in datasets)
        {
            if (!Directory.Exists(Path.Combine(root, dataset))) { Console.Error.WriteLine($"note: {dataset}: no folder under {root}, skipped"); continue; }
            var entries = BenchmarkRecords.List(root, dataset, splits, part, w => Console.Error.WriteLine($"warning: {w}"), challengeLabels: false);
            Console.Error.WriteLine($"note: {dataset}: {entries.Count} {part.ToString().ToLowerInvariant()} records");
            foreach (var entry in entries)
            {
                cancel.ThrowIfCancellationRequested();
                if (entry.RecordMask is not { } mask) continue;
                ClassifyCommand.RecordScore score;
                try
                {
                    var rec = RecordReader.Read(entry.Path);
                    score = ClassifyCommand.Score(model, rec, RecordingLeads.Of(rec), ClassifyCommand.DefaultHop, cancel);
                }
                catch (Exception e) when (e is EcgFormatException or IOException or InvalidDataException)
                {
                    Console.Error.WriteLine($"warning: {entry.RecordId}: unreadable, skipped ({e.Message})");
                    continue;
                }
                if (score.Features is null) { Console.Error.WriteLine($"warning: {entry.RecordId}: no decision, left out ({score.Note})"); continue; }
                rows.Add(new RecordRow(entry.Source, entry.RecordId, score.Windows, score.Features, score.MedianProbabilities!, mask, entry.KnownMask ?? WindowSet.AllKnown));
            }
        }
        return rows;
    }

    private static string F(double v, int decimals) => v.ToString("F" + decimals, CultureInfo.InvariantCulture);
}
