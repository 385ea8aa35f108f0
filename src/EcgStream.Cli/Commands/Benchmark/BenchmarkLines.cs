using System.Globalization;
using System.Text.Json;
using EcgStream.Core.Rhythms;
using EcgStream.Runtime.Evaluation;

namespace EcgStream.Cli.Commands.Benchmark;

/// <summary>A record-level result: the reference and decided classes and the record's probabilities (classify's).</summary>
public sealed record ClassRecord(string Benchmark, string Dataset, string Record, string Reference, IReadOnlyList<string> Decision,
    IReadOnlyDictionary<string, double> Probabilities, string? Note);

/// <summary>
/// The benchmark's JSON lines: one per record (everything pooling needs), then pooled lines (<c>"record":"ALL"</c>).
/// Pooling reads only per-record lines, so `benchmark pool` over several folds' files gives the same figures as
/// one run over their union.
/// </summary>
public static class BenchmarkLines
{
    public const string Cinc2017 = "cinc2017";
    public const string TwelveLead = "12lead";
    public const string Episodes = "episodes";

    // ---- writing -------------------------------------------------------------------------------------------

    public static string Write(ClassRecord r, int? fold) => Line(w =>
    {
        Head(w, r.Benchmark, r.Dataset, r.Record, fold);
        w.WriteString("reference", r.Reference);
        w.WriteString("decision", string.Join(' ', r.Decision));
        w.WriteStartObject("probabilities");
        foreach (var (name, p) in r.Probabilities) Number(w, name, p);
        w.WriteEndObject();
        if (r.Note is { } note) w.WriteString("note", note);
    });

    public static string Write(EpisodeRecord r, int? fold) => Line(w =>
    {
        Head(w, Episodes, r.Dataset, r.Record, fold);
        w.WriteString("source", r.Source);
        EpisodeFields(w, r.Metrics);
        w.WriteNumber("hours", Math.Round(r.Hours, 6));
        Number(w, "false_per_hour", r.FalsePerHour);
        w.WriteStartArray("onset_latencies_s");
        foreach (var l in r.Metrics.OnsetLatencies) w.WriteNumberValue(Math.Round(l, 3));
        w.WriteEndArray();
    });

    private static void EpisodeFields(Utf8JsonWriter w, EpisodeMetrics m)
    {
        w.WriteString("rhythm", m.Rhythm);
        w.WriteNumber("reference_episodes", m.ReferenceEpisodes);
        w.WriteNumber("detected_episodes", m.DetectedEpisodes);
        w.WriteNumber("reference_episodes_detected", m.ReferenceEpisodesDetected);
        w.WriteNumber("detected_episodes_true", m.DetectedEpisodesTrue);
        w.WriteNumber("reference_s", Math.Round(m.ReferenceSeconds, 3));
        w.WriteNumber("detected_s", Math.Round(m.DetectedSeconds, 3));
        w.WriteNumber("overlap_s", Math.Round(m.OverlapSeconds, 3));
        Number(w, "episode_sensitivity", m.EpisodeSensitivity);
        Number(w, "episode_ppv", m.EpisodePositivePredictivity);
        Number(w, "duration_sensitivity", m.DurationSensitivity);
        Number(w, "duration_ppv", m.DurationPositivePredictivity);
        Number(w, "median_onset_latency_s", m.MedianOnsetLatency);
    }

    private static void Head(Utf8JsonWriter w, string benchmark, string dataset, string record, int? fold)
    {
        w.WriteString("benchmark", benchmark);
        w.WriteString("dataset", dataset);
        w.WriteString("record", record);
        if (fold is { } k) w.WriteNumber("fold", k);
    }

    private static string Line(Action<Utf8JsonWriter> body)
    {
        using var ms = new MemoryStream();
        // relaxed escaping: dataset groups read "mitdb+cpsc2021", not "mitdb\u002Bcpsc2021"
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    internal static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value)) w.WriteNull(name); else w.WriteNumber(name, Math.Round(value, 4));
    }

    // ---- pooling -------------------------------------------------------------------------------------------

    /// <summary>Pooled lines of CinC 2017 records (one per dataset): the confusion and the challenge F1s.</summary>
    public static IEnumerable<string> PoolCinc2017(IReadOnlyCollection<ClassRecord> records)
    {
        foreach (var group in records.Where(r => r.Benchmark == Cinc2017).GroupBy(r => r.Dataset))
        {
            var score = new Cinc2017Score();
            foreach (var r in group) score.Add(r.Reference[0], r.Decision[0][0]);
            yield return Line(w =>
            {
                Head(w, Cinc2017, group.Key, "ALL", null);
                w.WriteNumber("records", score.Records);
                Number(w, "f1_n", score.F1('N'));
                Number(w, "f1_a", score.F1('A'));
                Number(w, "f1_o", score.F1('O'));
                Number(w, "f1_noise", score.F1('~'));
                Number(w, "f1", score.Overall);
                w.WriteStartObject("confusion"); // reference → decision → records
                foreach (char a in Cinc2017Score.Labels)
                {
                    w.WriteStartObject(a.ToString());
                    foreach (char b in Cinc2017Score.Labels) w.WriteNumber(b.ToString(), score.Count(a, b));
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            });
        }
    }

    /// <summary>Per-class record-level AUROC and F1 over 12-lead records, one line per class with a positive record (datasets together).</summary>
    public static IEnumerable<(string Class, int Positives, int Records, double Auroc, double F1)> TwelveLeadClasses(IReadOnlyCollection<ClassRecord> records)
    {
        var list = records.Where(r => r.Benchmark == TwelveLead).ToList();
        foreach (var name in RhythmClasses.Names)
        {
            var scored = list.Where(r => r.Probabilities.TryGetValue(name, out var p) && !double.IsNaN(p)).ToList();
            var labels = scored.Select(r => r.Reference.Split(' ').Contains(name)).ToArray();
            int positives = labels.Count(x => x);
            if (positives == 0) continue;
            var scores = scored.Select(r => (float)r.Probabilities[name]).ToArray();
            double auroc = Training.Evaluation.Auroc.Compute(scores, labels);
            long tp = 0, fp = 0, fn = 0;
            for (int i = 0; i < scored.Count; i++)
            {
                bool decided = scored[i].Decision.Contains(name);
                if (decided && labels[i]) tp++; else if (decided) fp++; else if (labels[i]) fn++;
            }
            yield return (name, positives, scored.Count, auroc, 2.0 * tp / (2 * tp + fp + fn));
        }
    }

    public static IEnumerable<string> PoolTwelveLead(IReadOnlyCollection<ClassRecord> records)
    {
        var list = records.Where(r => r.Benchmark == TwelveLead).ToList();
        if (list.Count == 0) yield break;
        string datasets = string.Join('+', list.Select(r => r.Dataset).Distinct().Order(StringComparer.Ordinal));
        foreach (var (cls, positives, n, auroc, f1) in TwelveLeadClasses(list))
            yield return Line(w =>
            {
                Head(w, TwelveLead, datasets, "ALL", null);
                w.WriteString("class", cls);
                w.WriteNumber("records", n);
                w.WriteNumber("positives", positives);
                Number(w, "auroc", auroc);
                Number(w, "f1", f1);
            });
    }

    /// <summary>Pooled episode lines: per dataset, and over all annotated datasets together, per source and rhythm.</summary>
    public static IEnumerable<string> PoolEpisodes(IReadOnlyCollection<EpisodeRecord> records)
    {
        var datasets = records.Select(r => r.Dataset).Distinct().Order(StringComparer.Ordinal).ToList();
        var groups = datasets.Select(d => (Name: d, Records: records.Where(r => r.Dataset == d).ToList())).ToList();
        if (datasets.Count > 1) groups.Add((string.Join('+', datasets), records.ToList()));
        foreach (var (name, group) in groups)
            foreach (var bySourceRhythm in group.GroupBy(r => (r.Source, r.Metrics.Rhythm)))
            {
                var (m, hours, freeHours, freeDetections) = EpisodeRecord.Pool(bySourceRhythm.Key.Rhythm, bySourceRhythm.ToList());
                yield return Line(w =>
                {
                    Head(w, Episodes, name, "ALL", null);
                    w.WriteString("source", bySourceRhythm.Key.Source);
                    w.WriteNumber("records", bySourceRhythm.Count());
                    EpisodeFields(w, m);
                    w.WriteNumber("hours", Math.Round(hours, 4));
                    w.WriteNumber("free_records", bySourceRhythm.Count(r => r.ReferenceFree));
                    w.WriteNumber("free_hours", Math.Round(freeHours, 4));
                    w.WriteNumber("free_detections", freeDetections);
                    Number(w, "false_per_hour", freeHours > 0 ? freeDetections / freeHours : double.NaN);
                });
            }
    }

    // ---- reading (benchmark pool) --------------------------------------------------------------------------

    /// <summary>Reads the per-record lines of a benchmark JSON-lines file (pooled lines are skipped: they are recomputed).</summary>
    public static (List<ClassRecord> Classes, List<EpisodeRecord> Episodes) Read(string path)
    {
        var classes = new List<ClassRecord>();
        var episodes = new List<EpisodeRecord>();
        int n = 0;
        foreach (var text in File.ReadLines(path))
        {
            n++;
            if (text.Length == 0) continue;
            JsonElement e;
            try { e = JsonDocument.Parse(text).RootElement; }
            catch (JsonException ex) { throw new InvalidDataException($"{path} line {n}: not JSON ({ex.Message})"); }
            try
            {
                string benchmark = Str(e, "benchmark"), record = Str(e, "record");
                if (record == "ALL") continue;
                if (benchmark == Episodes)
                {
                    var m = new EpisodeMetrics(Str(e, "rhythm"), Int(e, "reference_episodes"), Int(e, "detected_episodes"), Int(e, "reference_episodes_detected"),
                        Int(e, "detected_episodes_true"), Dbl(e, "reference_s"), Dbl(e, "detected_s"), Dbl(e, "overlap_s"),
                        e.GetProperty("onset_latencies_s").EnumerateArray().Select(x => x.GetDouble()).ToList());
                    episodes.Add(new EpisodeRecord(Str(e, "dataset"), record, Str(e, "source"), Dbl(e, "hours"), m));
                }
                else if (benchmark is Cinc2017 or TwelveLead)
                {
                    var probs = e.GetProperty("probabilities").EnumerateObject()
                        .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.Null ? double.NaN : p.Value.GetDouble());
                    var decision = Str(e, "decision").Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (benchmark == Cinc2017 && (Str(e, "reference").Length != 1 || decision.Length != 1))
                        throw new InvalidDataException("a cinc2017 line needs one reference and one decision label");
                    classes.Add(new ClassRecord(benchmark, Str(e, "dataset"), record, Str(e, "reference"), decision, probs,
                        e.TryGetProperty("note", out var note) ? note.GetString() : null));
                }
                else throw new InvalidDataException($"unknown benchmark '{benchmark}'");
            }
            catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException or InvalidDataException)
            {
                throw new InvalidDataException($"{path} line {n}: {ex.Message}");
            }
        }
        return (classes, episodes);
    }

    private static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new InvalidDataException($"field '{name}' missing or not a string");
    private static int Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : throw new InvalidDataException($"field '{name}' missing or not a number");
    private static double Dbl(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw new InvalidDataException($"field '{name}' missing or not a number");

    internal static string F(double x, string format = "0.000") => double.IsNaN(x) ? "–" : x.ToString(format, CultureInfo.InvariantCulture);
}
