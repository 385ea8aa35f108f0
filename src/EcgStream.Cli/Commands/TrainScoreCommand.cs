using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EcgStream.Inference;
using EcgStream.Training.Data;
using EcgStream.Training.Evaluation;

namespace EcgStream.Cli.Commands;

/// <summary>
/// `ecgstream train score --model T.onnx --model S.onnx … --run DIR`: trained models side by side on the real records
/// of one split, record-level per source as `train distill` and `train quantize` score them (<see cref="RecordScores"/>;
/// AF F1 at each model's own AF threshold), with every model's ratio to the first (student / teacher, issue 12). For a
/// model that exists already; nothing is trained. DIR holds splits.json (copy the models' split file there first).
/// </summary>
internal static class TrainScoreCommand
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model") { Description = "ONNX models (contract v1 or v2), the first the reference the others are divided by.", Required = true, AllowMultipleArgumentsPerToken = true };
        var run = new Option<string>("--run") { Description = "Folder with the models' splits.json; score.json is written there.", Required = true };
        var split = new Option<string>("--split") { Description = "test or validation.", DefaultValueFactory = _ => "test" };
        var dataRoot = new Option<string>("--data-root") { Description = "Real records folder.", DefaultValueFactory = _ => TrainCommand.DefaultDataRoot };
        var seed = new Option<int>("--seed") { Description = "Seed of the split (only for records the split file does not name).", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads.", DefaultValueFactory = _ => Math.Min(Environment.ProcessorCount, 2) };

        var cmd = new Command("score", "Score trained models side by side on a split's real records, per source, with each model's ratio to the first.")
        {
            models, run, split, dataRoot, seed, threads,
        };
        cmd.SetAction((parse, cancel) => CliErrors.Guard(() =>
        {
            var paths = parse.GetValue(models)!;
            var which = parse.GetValue(split) switch
            {
                "test" => Split.Test, "validation" => Split.Validation,
                var s => throw new ArgumentException($"--split '{s}': expected test or validation (train records were trained on)"),
            };
            var runDir = parse.GetValue(run)!;
            int threadCount = CliLimits.Threads(parse.GetValue(threads));
            if (!File.Exists(Path.Combine(runDir, "splits.json")))
                throw new FileNotFoundException($"{Path.Combine(runDir, "splits.json")} not found: copy the models' split file there (a new one would hold out other patients)");
            var protos = paths.Select(p => (Path: p, Proto: ModelScores.ReadModel(p))).ToList();
            var windows = TrainCommand.LoadWindows("real", parse.GetValue(dataRoot)!, 0, parse.GetValue(seed), runDir, which);
            var options = new InferenceOptions { IntraOpThreads = threadCount };
            var scores = new List<(string Name, List<SourceScore> Scores)>();
            var probabilities = new List<(float[] Values, double AfThreshold)>();
            foreach (var (path, proto) in protos)
            {
                cancel.ThrowIfCancellationRequested();
                string name = Path.GetFileNameWithoutExtension(path);
                double afThreshold = ModelScores.AfThreshold(proto, path);
                var p = ModelScores.Probabilities(proto, name, windows, options);
                probabilities.Add((p, afThreshold));
                scores.Add((name, RecordScores.Score(windows, p, afThreshold)));
            }
            ModelScores.PrintTable(scores);
            // Each ratio with the 95 % interval another draw of as many patients would leave (paired bootstrap over patients).
            var splits = DatasetSplits.Load(Path.Combine(runDir, "splits.json"));
            string PatientOf(string record) => splits.PatientOf(record) ?? record;
            var ratios = scores.Skip(1).Select((s, i) => (s.Name, Ratios: StudentRatios.Of(scores[0].Scores, s.Scores),
                Intervals: RatioIntervals.Paired(windows, probabilities[0].Values, probabilities[0].AfThreshold, probabilities[i + 1].Values, probabilities[i + 1].AfThreshold, PatientOf)
                    .ToDictionary(x => x.Source, StringComparer.Ordinal))).ToList();
            if (which == Split.Validation)
                Console.WriteLine("note: the models' thresholds were chosen on these validation records: AF F1 and its ratios read optimistic here");
            foreach (var (name, list, intervals) in ratios)
                Console.WriteLine($"{name} / {scores[0].Name} (95 % interval over patients): " + string.Join("; ", list.Select(r =>
                    FormattableString.Invariant($"{r.Source} ({r.Records}) macro {Percent(r.MacroAuroc)} {Range(intervals, r.Source, macro: true)}, AF F1 {Percent(r.AfF1)} {Range(intervals, r.Source, macro: false)}"))));
            File.WriteAllText(Path.Combine(runDir, "score.json"), JsonSerializer.Serialize(new
            {
                kind = "score", split = which.ToString(), models = paths,
                scores = scores.Select(s => new { name = s.Name, scores = s.Scores.Select(ModelScores.Json) }),
                ratios = ratios.Select(r => new
                {
                    name = r.Name, of = scores[0].Name,
                    interval = $"paired bootstrap over patients (each source's apart), {RatioIntervals.DefaultResamples} resamples, 2.5–97.5 %" +
                               (which == Split.Validation ? "; thresholds chosen on these records" : ""),
                    ratios = r.Ratios.Select(x => new
                    {
                        source = x.Source, records = x.Records, macroAuroc = ModelScores.Finite(x.MacroAuroc), afF1 = ModelScores.Finite(x.AfF1),
                        patients = r.Intervals.TryGetValue(x.Source, out var iv) ? iv.Patients : (int?)null,
                        macroAurocInterval = Interval(r.Intervals, x.Source, macro: true), afF1Interval = Interval(r.Intervals, x.Source, macro: false),
                    }),
                }),
            }, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"wrote {Path.Combine(runDir, "score.json")}");
            return Task.FromResult(0);
        }));
        return cmd;
    }

    private static string Percent(double v) => double.IsFinite(v) ? (100 * v).ToString("F1", CultureInfo.InvariantCulture) + " %" : "–";


    /// <summary>A ratio's 95 % interval as [low, high], or null where the resamples give none.</summary>
    private static double[]? Interval(Dictionary<string, RatioInterval> intervals, string source, bool macro)
    {
        if (!intervals.TryGetValue(source, out var i)) return null;
        var (low, high) = macro ? (i.MacroLow, i.MacroHigh) : (i.AfF1Low, i.AfF1High);
        return double.IsFinite(low) && double.IsFinite(high) ? [low, high] : null;
    }

    private static string Range(Dictionary<string, RatioInterval> intervals, string source, bool macro) =>
        Interval(intervals, source, macro) is { } p ? FormattableString.Invariant($"[{100 * p[0]:F1}–{100 * p[1]:F1}]") : "";
}
