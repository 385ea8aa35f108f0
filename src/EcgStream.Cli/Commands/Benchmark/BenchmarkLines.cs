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
                var (aurocA, aurocN) = Cinc2017Rankings(group.ToList());
                Number(w, "auroc_a", aurocA);
                Number(w, "auroc_n", aurocN);
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

    /// <summary>
    /// How well the model ranks CinC 2017 records, whatever its thresholds: the AUROC of p(AF) for "A" against every
    /// other record, and of p(SR) for "N" against "A" and "O" (the noisy "~" left out). F1 at a threshold moves with the
    /// thresholds; a model that ranks better is better before any is chosen. Records without probabilities are left out.
    /// </summary>
    public static (double A, double N) Cinc2017Rankings(IReadOnlyCollection<ClassRecord> records)
    {
        static double Rank(IEnumerable<ClassRecord> rows, string cls, Func<char, bool?> positive)
        {
            var scored = rows.Select(r => (r, p: r.Probabilities.TryGetValue(cls, out var v) ? v : double.NaN, y: positive(r.Reference[0])))
                .Where(x => !double.IsNaN(x.p) && x.y is not null).ToList();
            return Training.Evaluation.Auroc.Compute(scored.Select(x => (float)x.p).ToArray(), scored.Select(x => x.y!.Value).ToArray());
        }
        var list = records.Where(r => r.Benchmark == Cinc2017).ToList();
        return (Rank(list, "AF", c => c == 'A'), Rank(list, "SR", c => c == '~' ? null : c == 'N'));
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

    /// <summary>Most episodes one record may count: a day of recording with an episode every second is 86 400; more is corruption (and sums would overflow).</summary>
    public const int MaxEpisodesPerRecord = 100_000;

    /// <summary>
    /// Reads the per-record lines of a benchmark JSON-lines file (pooled lines are skipped: they are recomputed). Every
    /// value is checked as it is read, so a bad file fails before anything is written: "FILE, line N: problem". A record
    /// repeated within the file is read once when the lines agree (a concatenation of the same run) and refused when
    /// they differ; a file without one per-record line is refused.
    /// </summary>
    public static (List<ClassRecord> Classes, List<EpisodeRecord> Episodes) Read(string path, Action<string>? note = null)
    {
        var classes = new List<ClassRecord>();
        var episodes = new List<EpisodeRecord>();
        var lineOf = new Dictionary<string, (int Line, string Canonical)>(StringComparer.Ordinal);
        int n = 0;
        Core.Files.RegularFiles.Require(path);
        foreach (var text in File.ReadLines(path))
        {
            n++;
            if (text.Length == 0) continue;
            try
            {
                JsonDocument doc;
                try { doc = JsonDocument.Parse(text); }
                catch (JsonException ex) { throw new InvalidDataException($"not JSON ({ex.Message})"); }
                using (doc)
                {
                    if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException("expected a JSON object");
                    var e = new Fields(doc.RootElement);
                    string benchmark = e.Str("benchmark"), record = e.Str("record");
                    if (record == "ALL") continue;
                    if (record.Length == 0) throw new InvalidDataException("field 'record' is empty");
                    if (e.Has("fold")) e.Int("fold", 0, int.MaxValue);
                    string key, canonical;
                    if (benchmark == Episodes)
                    {
                        var r = ReadEpisodes(e, record);
                        (key, canonical) = ($"episodes {r.Dataset}/{r.Record} {r.Source} {r.Metrics.Rhythm}", Write(r, null));
                        if (Repeat(key, canonical)) continue;
                        episodes.Add(r);
                    }
                    else if (benchmark is Cinc2017 or TwelveLead)
                    {
                        var r = ReadClasses(e, benchmark, record);
                        (key, canonical) = ($"{r.Benchmark} {r.Dataset}/{r.Record}", Write(r, null));
                        if (Repeat(key, canonical)) continue;
                        classes.Add(r);
                    }
                    else throw new InvalidDataException($"unknown benchmark '{benchmark}' (expected {Cinc2017}, {TwelveLead} or {Episodes})");
                }
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidDataException($"{path}, line {n}: {ex.Message}");
            }
        }
        if (classes.Count == 0 && episodes.Count == 0)
            throw new InvalidDataException($"{path}: no per-record lines (pool reads the lines of single records; the pooled \"ALL\" lines are not enough)");
        return (classes, episodes);

        // True for an identical repeat (skipped, said once); a repeat that differs is refused.
        bool Repeat(string key, string canonical)
        {
            if (!lineOf.TryGetValue(key, out var first))
            {
                lineOf[key] = (n, canonical);
                return false;
            }
            if (first.Canonical != canonical) throw new InvalidDataException($"{key} is also on line {first.Line}, with other values");
            note?.Invoke($"{path}, line {n}: {key} repeats line {first.Line}; counted once");
            return true;
        }
    }

    private static EpisodeRecord ReadEpisodes(Fields e, string record)
    {
        string dataset = e.Str("dataset");
        if (!BenchmarkDatasets.Annotated.Contains(dataset))
            throw new InvalidDataException($"dataset '{dataset}' has no episode benchmark (expected {string.Join(" or ", BenchmarkDatasets.Annotated)})");
        string source = e.Str("source"), rhythm = e.Str("rhythm");
        if (!Core.Events.EventSources.TryParse(source, out _)) throw new InvalidDataException($"source '{source}': expected rule, model or fused");
        if (!RhythmClasses.TryParse(rhythm, out _)) throw new InvalidDataException($"rhythm '{rhythm}' is not a class of class set v1");
        int reference = e.Int("reference_episodes", 0, MaxEpisodesPerRecord), detected = e.Int("detected_episodes", 0, MaxEpisodesPerRecord);
        int referenceDetected = e.Int("reference_episodes_detected", 0, reference), detectedTrue = e.Int("detected_episodes_true", 0, detected);
        double hours = e.Dbl("hours", 0, 24 * 366);
        if (hours == 0) throw new InvalidDataException("field 'hours' is 0: a record has some length");
        // durations are rounded to 1 ms each, so the overlap may exceed either by that much
        double referenceS = e.Dbl("reference_s", 0, hours * 3600 + 1), detectedS = e.Dbl("detected_s", 0, hours * 3600 + 1);
        double overlap = e.Dbl("overlap_s", 0, Math.Min(referenceS, detectedS) + 0.002);
        // figures derived from the counts are not read back (pooling recomputes them), but a file holding impossible ones is corrupt
        foreach (var ratio in new[] { "episode_sensitivity", "episode_ppv", "duration_sensitivity", "duration_ppv" }) e.OptionalDbl(ratio, 0, 1);
        e.OptionalDbl("false_per_hour", 0, double.MaxValue);
        e.OptionalDbl("median_onset_latency_s", double.MinValue, double.MaxValue);
        var latencies = e.Array("onset_latencies_s").Select((x, i) => x.ValueKind == JsonValueKind.Number && x.TryGetDouble(out var v) && double.IsFinite(v) ? v
            : throw new InvalidDataException($"field 'onset_latencies_s', item {i}: not a number")).ToList();
        if (latencies.Count > referenceDetected)
            throw new InvalidDataException($"field 'onset_latencies_s' holds {latencies.Count} latencies for {referenceDetected} reference episodes detected");
        var m = new EpisodeMetrics(rhythm, reference, detected, referenceDetected, detectedTrue, referenceS, detectedS, overlap, latencies);
        return new EpisodeRecord(dataset, record, source, hours, m);
    }

    private static ClassRecord ReadClasses(Fields e, string benchmark, string record)
    {
        string dataset = e.Str("dataset");
        var datasets = benchmark == Cinc2017 ? [BenchmarkDatasets.Cinc2017] : BenchmarkDatasets.TwelveLead;
        if (!datasets.Contains(dataset)) throw new InvalidDataException($"dataset '{dataset}' is not a {benchmark} dataset (expected {string.Join(" or ", datasets)})");
        string reference = e.Str("reference");
        var decision = e.Str("decision").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (benchmark == Cinc2017)
        {
            static bool Label(string s) => s.Length == 1 && Cinc2017Score.Labels.Contains(s[0]);
            if (!Label(reference)) throw new InvalidDataException($"reference '{reference}': expected one CinC 2017 label (N, A, O or ~)");
            if (decision.Length != 1 || !Label(decision[0])) throw new InvalidDataException($"decision '{string.Join(' ', decision)}': expected one CinC 2017 label (N, A, O or ~)");
        }
        else
        {
            foreach (var c in reference.Split(' ', StringSplitOptions.RemoveEmptyEntries).Concat(decision))
                if (!RhythmClasses.TryParse(c, out _)) throw new InvalidDataException($"'{c}' (in reference or decision) is not a class of class set v1");
        }
        var probabilities = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, value) in e.Object("probabilities"))
        {
            if (!RhythmClasses.TryParse(name, out _)) throw new InvalidDataException($"probabilities: '{name}' is not a class of class set v1");
            double p = value.ValueKind == JsonValueKind.Null ? double.NaN
                : value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var v) && v is >= 0 and <= 1 ? v
                : throw new InvalidDataException($"probabilities: {name} is {value.GetRawText()}; expected a number from 0 to 1 or null");
            probabilities[name] = p;
        }
        string? note = e.Has("note") ? e.OptionalStr("note") : null;
        return new ClassRecord(benchmark, dataset, record, reference, decision, probabilities, note);
    }

    /// <summary>A line's fields, each name once (JSON readers silently keep one of two), read with messages naming the field.</summary>
    private sealed class Fields
    {
        private readonly Dictionary<string, JsonElement> _fields = new(StringComparer.Ordinal);

        public Fields(JsonElement obj, string where = "")
        {
            foreach (var p in obj.EnumerateObject())
                if (!_fields.TryAdd(p.Name, p.Value)) throw new InvalidDataException($"{where}field '{p.Name}' appears twice");
        }

        public bool Has(string name) => _fields.ContainsKey(name);

        public string Str(string name) =>
            _fields.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new InvalidDataException($"field '{name}' missing or not a string");

        public string? OptionalStr(string name) =>
            _fields[name].ValueKind switch { JsonValueKind.String => _fields[name].GetString(), JsonValueKind.Null => null, _ => throw new InvalidDataException($"field '{name}' is not a string") };

        public int Int(string name, int min, int max) =>
            _fields.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) && i >= min && i <= max ? i
                : throw new InvalidDataException($"field '{name}' is {(Has(name) ? v.GetRawText() : "missing")}; expected a whole number from {min} to {max}");

        public double Dbl(string name, double min, double max) =>
            _fields.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && d >= min && d <= max ? d
                : throw new InvalidDataException($"field '{name}' is {(Has(name) ? v.GetRawText() : "missing")}; expected {Range(min, max)}");

        private static string Range(double min, double max) =>
            min == double.MinValue ? "a number" : max == double.MaxValue ? $"a number ≥ {F(min, "0.###")}" : $"a number from {F(min, "0.###")} to {F(max, "0.###")}";

        /// <summary>Absent or null: NaN; otherwise as <see cref="Dbl"/>.</summary>
        public double OptionalDbl(string name, double min, double max) =>
            !_fields.TryGetValue(name, out var v) || v.ValueKind == JsonValueKind.Null ? double.NaN : Dbl(name, min, max);

        public IEnumerable<JsonElement> Array(string name) =>
            _fields.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().ToList() : throw new InvalidDataException($"field '{name}' missing or not an array");

        public Dictionary<string, JsonElement> Object(string name) =>
            _fields.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.Object ? new Fields(v, $"{name}: ")._fields : throw new InvalidDataException($"field '{name}' missing or not an object");
    }

    internal static string F(double x, string format = "0.000") => double.IsNaN(x) ? "–" : x.ToString(format, CultureInfo.InvariantCulture);
}
