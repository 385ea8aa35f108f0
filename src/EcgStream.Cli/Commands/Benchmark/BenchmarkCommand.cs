using System.CommandLine;
using System.Globalization;
using EcgStream.Core.Events;
using EcgStream.Core.Rhythms;
using EcgStream.Formats;
using EcgStream.Formats.Labels;
using EcgStream.Formats.Wfdb;
using EcgStream.Ingest.Replay;
using EcgStream.Runtime.Evaluation;
using EcgStream.Runtime.Replay;
using EcgStream.Training.Data;
using EcgStream.Training.Data.Sources;

namespace EcgStream.Cli.Commands.Benchmark;

/// <summary>
/// `ecgstream benchmark`: record- and episode-level accuracy on every labelled dataset under a data root, on the
/// held-out records of a split file: PhysioNet 2017 (classify's record decision → N/A/O/~, the challenge F1s),
/// 12-lead records (per-class AUROC and F1), annotated WFDB records (whole-record stream replay, EC57-style
/// episode statistics per source, false episodes per hour on records without the rhythm).
/// `ecgstream benchmark folds` writes the split files of a leave-patient-out cross-validation; `ecgstream benchmark
/// pool FILE...` pools the per-record lines of its runs (one per fold).
/// </summary>
internal static class BenchmarkCommand
{
    public static Command Create()
    {
        var dataRoot = new Option<string>("--data-root") { Description = "Folder of the labelled datasets (physionet2017, cinc2021, ptbxl, mitdb, cpsc2021).", DefaultValueFactory = _ => TrainCommand.DefaultDataRoot };
        var split = new Option<string?>("--split") { Description = "Split file written by training (splits.json): only the --records split of it is scored." };
        var records = new Option<string?>("--records") { Description = "Which records: test, validation, train or all (default: test with --split, all without)." };
        var datasets = new Option<string[]>("--datasets") { Description = $"Datasets to run (default: every one found): {string.Join(", ", BenchmarkDatasets.All)}.", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--out") { Description = "Folder for benchmark.jsonl (every line) and benchmark.md (the summary)." };
        var fold = new Option<int?>("--fold") { Description = "Cross-validation fold this run scores (written on every line, for `benchmark pool`)." };
        var limit = new Option<int?>("--limit") { Description = "At most this many records per dataset (a quick look; pooled figures then cover only those)." };
        var recordHop = new Option<double>("--record-hop") { Description = "Seconds between window starts for record-level scoring (classify's --hop).", DefaultValueFactory = _ => ClassifyCommand.DefaultHop };
        var rateClasses = ClassifyCommand.RateClassesOption();
        var rhythms = new Option<string[]>("--rhythm") { Description = "Rhythm(s) whose annotated episodes are compared (repeatable).", DefaultValueFactory = _ => ["AF"] };
        var common = PipelineOptions.Create();
        var cmd = new Command("benchmark", "Record- and episode-level accuracy on labelled data (JSON lines per record and pooled; markdown summary with --out).")
        {
            dataRoot, split, records, datasets, output, fold, limit, recordHop, rateClasses, rhythms,
        };
        common.AddTo(cmd);
        cmd.Subcommands.Add(CreatePool());
        cmd.Subcommands.Add(CreateFolds());
        cmd.SetAction((parse, cancel) => CliErrors.Guard(async () =>
        {
            var root = parse.GetValue(dataRoot)!;
            if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"--data-root '{root}': no such folder");
            string? splitPath = parse.GetValue(split);
            if (splitPath is not null && !File.Exists(splitPath)) throw new FileNotFoundException($"--split '{splitPath}': no such file");
            var splits = splitPath is null ? null : DatasetSplits.Load(splitPath);
            Split? which = (parse.GetValue(records) ?? (splits is null ? "all" : "test")).ToLowerInvariant() switch
            {
                "all" => null,
                "test" => Split.Test,
                "validation" => Split.Validation,
                "train" => Split.Train,
                var other => throw new ArgumentException($"--records '{other}': expected test, validation, train or all"),
            };
            if (which is not null && splits is null) throw new ArgumentException($"--records {which.ToString()!.ToLowerInvariant()} needs --split FILE (the split file training wrote)");
            var chosen = parse.GetValue(datasets) is { Length: > 0 } ds ? ds.SelectMany(d => d.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList() : BenchmarkDatasets.All.ToList();
            foreach (var d in chosen)
                if (!BenchmarkDatasets.All.Contains(d)) throw new ArgumentException($"--datasets '{d}': expected one of {string.Join(", ", BenchmarkDatasets.All)}");
            var targets = parse.GetValue(rhythms)!;
            foreach (var r in targets)
                if (!RhythmClasses.TryParse(r, out _)) throw new ArgumentException($"--rhythm '{r}' is not a class of class set v1 ({string.Join(", ", RhythmClasses.Names)})");
            double hop = parse.GetValue(recordHop);
            if (!(hop >= 0.04 && hop <= 9)) throw new ArgumentException($"--record-hop {hop.ToString(CultureInfo.InvariantCulture)}: expected seconds between 0.04 and 9");
            bool rateByHeartRate = ClassifyCommand.ReadRateClasses(parse, rateClasses);
            int? max = parse.GetValue(limit);
            if (max is < 1) throw new ArgumentException($"--limit {max}: expected at least 1");
            int? k = parse.GetValue(fold);
            if (k is < 0) throw new ArgumentException($"--fold {k}: expected 0 or more (fold-K of `benchmark folds`)");
            var settings = common.Read(parse);
            string? outDir = parse.GetValue(output);
            if (outDir is not null) CliPaths.OutputFolder(outDir, "--out");

            using var lines = new LineWriter(outDir is null ? null : Path.Combine(outDir, "benchmark.jsonl"));
            var header = new List<string>
            {
                $"data root `{root}`; records: {(which is null ? "all" : $"{which.ToString()!.ToLowerInvariant()} split of `{splitPath}`")}" + (k is { } f ? $"; fold {f}" : ""),
                $"model: {(settings.ModelPath is null ? "none (rules; fused = rules)" : $"`{settings.ModelPath}`")}",
            };
            var classRecords = new List<ClassRecord>();
            var episodeRecords = new List<EpisodeRecord>();
            using var recordModel = settings.ModelPath is null ? null : Inference.Contract.RhythmModel.Load(settings.ModelPath, settings.Inference);
            using var setup = settings.BuildModel();
            if (recordModel is not null) header.Add($"model id `{recordModel.ModelId}`; records decided by the {ClassifyCommand.Aggregation(recordModel)}; " +
                $"STACH and SBRAD by {(rateByHeartRate ? "the record's heart rate (when it has one and is readable)" : "the model")}");
            if (recordModel is not null && ClassifyCommand.RecordHeadHopNote(recordModel, hop) is { } hopNote) Console.Error.WriteLine(hopNote);

            foreach (var dataset in chosen)
            {
                if (!Directory.Exists(Path.Combine(root, dataset))) { Console.Error.WriteLine($"note: {dataset}: no folder under {root}, skipped"); continue; }
                var entries = BenchmarkRecords.List(root, dataset, splits, which, w => Console.Error.WriteLine($"warning: {w}"));
                if (max is { } m) entries = entries.Take(m).ToList();
                bool recordLevel = dataset == BenchmarkDatasets.Cinc2017 || BenchmarkDatasets.TwelveLead.Contains(dataset);
                if (recordLevel && recordModel is null) { Console.Error.WriteLine($"note: {dataset}: record-level scoring needs a model; skipped (--model none)"); continue; }
                Console.Error.WriteLine($"note: {dataset}: {entries.Count} records");
                foreach (var entry in entries)
                {
                    cancel.ThrowIfCancellationRequested();
                    if (recordLevel)
                    {
                        if (ScoreRecord(recordModel!, entry, hop, rateByHeartRate, settings, cancel) is { } r)
                        {
                            classRecords.Add(r);
                            lines.Write(BenchmarkLines.Write(r, k));
                        }
                    }
                    else
                    {
                        foreach (var r in await ReplayRecord(entry, targets, settings, setup, cancel))
                        {
                            episodeRecords.Add(r);
                            lines.Write(BenchmarkLines.Write(r, k));
                        }
                    }
                }
            }
            foreach (var line in PooledLines(classRecords, episodeRecords)) lines.Write(line);
            if (outDir is not null)
                File.WriteAllText(Path.Combine(outDir, "benchmark.md"), BenchmarkReport.Markdown(classRecords, episodeRecords, header));
            if (classRecords.Count == 0 && episodeRecords.Count == 0)
            {
                // every record skipped (unreadable, corrupt label rows, no decision): an empty benchmark is not a result
                Console.Error.WriteLine($"error: no record under {root} was scored (see the notes and warnings above)");
                return 2;
            }
            return 0;
        }));
        return cmd;
    }

    private static IEnumerable<string> PooledLines(List<ClassRecord> classes, List<EpisodeRecord> episodes) =>
        BenchmarkLines.PoolCinc2017(classes).Concat(BenchmarkLines.PoolTwelveLead(classes)).Concat(BenchmarkLines.PoolEpisodes(episodes));

    /// <summary>
    /// Classify's record decision (<see cref="ClassifyCommand.Score"/>: the same windows, median and thresholds as
    /// `ecgstream classify`) and the record's reference. Null (with a note) when the record yields no decision.
    /// </summary>
    private static ClassRecord? ScoreRecord(Inference.Contract.RhythmModel model, RecordEntry entry, double hop, bool rateByHeartRate, PipelineOptions.Settings settings, CancellationToken cancel)
    {
        Recording rec;
        ClassifyCommand.RecordScore score;
        try
        {
            rec = RecordReader.Read(entry.Path);
            score = ClassifyCommand.Score(model, rec, RecordingLeads.Of(rec, settings.LeadOverrides), hop, cancel, rateByHeartRate);
        }
        catch (Exception e) when (e is EcgFormatException or IOException or InvalidDataException)
        {
            Console.Error.WriteLine($"warning: {entry.RecordId}: unreadable, skipped ({e.Message})");
            return null;
        }
        if (score.Probabilities is null)
        {
            Console.Error.WriteLine($"warning: {entry.RecordId}: no decision, left out ({score.Note})");
            return null;
        }
        var probabilities = model.Contract.Classes.ToDictionary(c => RhythmClasses.Name(c), c => (double)score.Probabilities[(int)c]);
        string name = entry.RecordId[(entry.Source.Length + 1)..];
        if (entry.Source == BenchmarkDatasets.Cinc2017)
            return new ClassRecord(BenchmarkLines.Cinc2017, entry.Source, name, BenchmarkRecords.Cinc2017Label(entry).ToString(),
                [Cinc2017Score.Label(score.Rhythms.ToList()).ToString()], probabilities, score.Note);
        var reference = BenchmarkRecords.Classes(entry.RecordMask!.Value).Select(RhythmClasses.Name);
        return new ClassRecord(BenchmarkLines.TwelveLead, entry.Source, name, string.Join(' ', reference),
            score.Rhythms.Select(RhythmClasses.Name).ToList(), probabilities, score.Note);
    }

    /// <summary>Replays one annotated record through the bed pipeline (as `ecgstream evaluate` does) and compares each source's episodes.</summary>
    private static async Task<List<EpisodeRecord>> ReplayRecord(RecordEntry entry, IReadOnlyList<string> rhythms, PipelineOptions.Settings settings,
        PipelineOptions.ModelSetup setup, CancellationToken cancel)
    {
        var rec = RecordReader.Read(entry.Path);
        var reference = RhythmLabels.ToEpisodes(Wfdb.ReadAnnotations(entry.Path), rec.SampleRate, rec.Length);
        if (reference.PastEndWarning($"{Wfdb.RecordBase(entry.Path)}.atr") is { } pastEnd) RecordArguments.PrintWarnings([pastEnd]);
        var events = new List<RhythmEvent>();
        await ReplayRunner.RunAsync(rec, events.Add, new ReplayOptions { StreamId = rec.Name }, settings.Bed, setup.Scheduler, settings.LeadOverrides, cancel);
        var sources = setup.Scheduler is null ? new[] { EventSource.Rule, EventSource.Fused } : [EventSource.Rule, EventSource.Model, EventSource.Fused];
        var result = new List<EpisodeRecord>();
        foreach (var rhythm in rhythms)
            foreach (var source in sources)
            {
                var m = EpisodeMetrics.Compute(rhythm, reference.Episodes, events.Where(e => e.Source == source && e.Type == EventType.Rhythm));
                result.Add(new EpisodeRecord(entry.Source, rec.Name, EventSources.Name(source), rec.DurationSeconds / 3600, m));
            }
        return result;
    }

    private static Command CreatePool()
    {
        var files = new Argument<string[]>("files") { Description = "benchmark.jsonl files of several runs (e.g. one per cross-validation fold).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--out") { Description = "Folder for the pooled benchmark.jsonl and benchmark.md." };
        var cmd = new Command("pool", "Pool the per-record lines of several benchmark runs (folds): each record must appear in one run only.") { files, output };
        cmd.SetAction(parse => CliErrors.Guard(() =>
        {
            var classes = new List<ClassRecord>();
            var episodes = new List<EpisodeRecord>();
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var path in parse.GetValue(files)!)
            {
                if (!File.Exists(path)) throw new FileNotFoundException($"'{path}': no such file");
                // every line is checked here, before anything is written; a record repeated within one file is read once
                var (c, e) = BenchmarkLines.Read(path, note => Console.Error.WriteLine($"note: {note}"));
                // a record scored in two folds means a patient held out twice (or a fold file given twice): refuse
                foreach (var key in c.Select(r => $"{r.Benchmark} {r.Dataset}/{r.Record}").Concat(e.Select(r => $"episodes {r.Dataset}/{r.Record} {r.Source} {r.Metrics.Rhythm}")))
                    if (!seen.TryAdd(key, path)) throw new InvalidDataException($"{path}: {key} is also in {seen[key]}; each record belongs to one fold");
                classes.AddRange(c);
                episodes.AddRange(e);
            }
            string? outDir = parse.GetValue(output);
            if (outDir is not null) CliPaths.OutputFolder(outDir, "--out");
            using var lines = new LineWriter(outDir is null ? null : Path.Combine(outDir, "benchmark.jsonl"));
            foreach (var r in classes) lines.Write(BenchmarkLines.Write(r, null));
            foreach (var r in episodes) lines.Write(BenchmarkLines.Write(r, null));
            foreach (var line in PooledLines(classes, episodes)) lines.Write(line);
            if (outDir is not null)
                File.WriteAllText(Path.Combine(outDir, "benchmark.md"),
                    BenchmarkReport.Markdown(classes, episodes, [$"pooled from {string.Join(", ", parse.GetValue(files)!.Select(f => $"`{f}`"))}"]));
            return Task.FromResult(0);
        }));
        return cmd;
    }

    private static Command CreateFolds()
    {
        var baseSplit = new Option<string>("--split") { Description = "The base split file (training's splits.json): every record outside --datasets keeps its split.", Required = true };
        var dataRoot = new Option<string>("--data-root") { Description = "Folder of the labelled datasets.", DefaultValueFactory = _ => TrainCommand.DefaultDataRoot };
        var datasets = new Option<string[]>("--datasets") { Description = "Datasets whose patients are dealt into folds.", DefaultValueFactory = _ => [.. BenchmarkDatasets.Annotated], AllowMultipleArgumentsPerToken = true };
        var folds = new Option<int>("--folds") { Description = $"Number of folds, 2..{CliLimits.MaxFolds} (at most the number of patients).", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "Seed of the patient order.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Folder for fold-K/splits.json, one per fold.", Required = true };
        var cmd = new Command("folds", "Split files of a leave-patient-out cross-validation: fold K holds fold K's patients out as its test split. " +
                                       "Train a model per fold on its split file (`train probe --out fold-K`), score it with `benchmark --split fold-K/splits.json --fold K`, then `benchmark pool`.")
        {
            baseSplit, dataRoot, datasets, folds, seed, output,
        };
        cmd.SetAction(parse => CliErrors.Guard(() =>
        {
            int k = CliLimits.Folds(parse.GetValue(folds));   // options before files
            string basePath = parse.GetValue(baseSplit)!, root = parse.GetValue(dataRoot)!, outDir = parse.GetValue(output)!;
            if (!File.Exists(basePath)) throw new FileNotFoundException($"--split '{basePath}': no such file");
            if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"--data-root '{root}': no such folder");
            var chosen = parse.GetValue(datasets)!;
            foreach (var d in chosen)
                if (!BenchmarkDatasets.All.Contains(d)) throw new ArgumentException($"--datasets '{d}': expected one of {string.Join(", ", BenchmarkDatasets.All)}");
            var splits = DatasetSplits.Load(basePath);
            CliPaths.OutputFolder(outDir, "--out");
            var entries = chosen.SelectMany(d => BenchmarkRecords.List(root, d, null, null, w => Console.Error.WriteLine($"warning: {w}"))).ToList();
            if (entries.Count == 0) throw new ArgumentException($"no record of {string.Join(", ", chosen)} under {root}");
            var assignment = CrossValidationFolds.Assign(entries, k, (ulong)parse.GetValue(seed));
            for (int f = 0; f < k; f++)
            {
                var dir = Path.Combine(outDir, $"fold-{f}");
                Directory.CreateDirectory(dir);
                var path = Path.Combine(dir, "splits.json");
                CrossValidationFolds.Fold(splits, entries, assignment, f).Save(path);
                var patients = assignment.Where(a => a.Value == f).Select(a => a.Key).Order(StringComparer.Ordinal).ToList();
                Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
                {
                    fold = f, split = path, patients, records = entries.Count(e => assignment[e.PatientId] == f),
                }));
            }
            return Task.FromResult(0);
        }));
        return cmd;
    }

    /// <summary>Every line to stdout (flushed: a long run shows progress) and, with --out, to benchmark.jsonl.</summary>
    private sealed class LineWriter(string? path) : IDisposable
    {
        private readonly StreamWriter? _file = path is null ? null : new StreamWriter(path, append: false);

        public void Write(string line)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
            _file?.WriteLine(line);
        }

        public void Dispose() => _file?.Dispose();
    }
}
