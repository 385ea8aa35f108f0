using System.Globalization;
using System.Reactive.Linq;
using System.Reflection;
using System.Text.Json;
using EcgStream.Core.Events;
using EcgStream.Core.Rhythms;
using EcgStream.Core.Samples;
using EcgStream.Formats;
using EcgStream.Formats.Labels;
using EcgStream.Formats.Wfdb;
using EcgStream.Ingest.Replay;
using EcgStream.Runtime.Evaluation;
using EcgStream.Runtime.Fusion;
using EcgStream.Runtime.Inference;
using EcgStream.Runtime.Pipeline;
using EcgStream.Runtime.Tracking;

// The fused AF source on annotated WFDB records, from cached scores: a parameter sweep over FusionOptions must not
// replay 12 hours of ECG through the model per setting.
//
//   capture --model M --out DIR [--rules Name=Value]... RECORD...
//                                           replay each record once through the bed's signal stage and the model
//                                           (as BedPipeline wires them) and store every rule decision and model
//                                           window (all classes) in DIR/NAME.json, with the reference episodes;
//                                           --rules overrides a RuleOptions property of the signal stage
//   sweep [--configs FILE] [--set Name=Value]... [--per-record] DIR/*.json
//                                           re-fuse the cached scores (FusionStage, then the bed's fused tracker,
//                                           fed in stream-time order as the stage pairs them) and score AF episodes
//                                           (EpisodeMetrics, as `ecgstream evaluate`); per record and pooled lines.
//                                           FILE: one override set per line ("Name=Value ..."; FusionOptions
//                                           properties, or Tracker.MinOnsetSeconds / Tracker.MinOffsetSeconds /
//                                           Tracker.AfOnsetEvidence, the fused tracker's MinOnsetEvidence for AF).
//                                           --source rule|model|fused picks the events scored (default fused);
//                                           --per-record adds a line per record; --episodes lists every detected
//                                           AF episode on stderr (record, start–end, emitted at, true/FALSE).
//
// Not a test: it measures. Whole-pipeline figures come from `ecgstream benchmark`; this reproduces its rule, model and
// fused AF episodes from the same scores (docs/results.md "Fused AF and ectopy": checked against the benchmark of the
// old and of the new defaults, identical).

if (args.Length == 0) return Fail("usage: FusionEval capture --model M --out DIR RECORD... | sweep [--configs FILE] [--set N=V]... DIR/*.json");
try
{
    return args[0] switch
    {
        "capture" => await Capture.Run(args[1..]),
        "sweep" => Sweep.Run(args[1..]),
        _ => Fail($"unknown mode {args[0]}"),
    };
}
catch (Exception e) when (e is ArgumentException or IOException or FormatException or InvalidDataException)
{
    return Fail(e.Message);
}

static int Fail(string message)
{
    Console.Error.WriteLine($"FusionEval: {message}");
    return 2;
}

internal sealed class Cached
{
    public string Name { get; set; } = "";
    public double Hours { get; set; }
    public double[] Thresholds { get; set; } = [];
    public string ModelId { get; set; } = "";
    /// <summary>Rule decisions: start, end, then the class probabilities.</summary>
    public List<double[]> Rule { get; set; } = new();
    /// <summary>Model windows: start, end, then the class probabilities.</summary>
    public List<double[]> Model { get; set; } = new();
    /// <summary>Reference episodes: rhythm, start, end.</summary>
    public List<CachedEpisode> Reference { get; set; } = new();
}

internal sealed record CachedEpisode(string Rhythm, double Start, double End);

internal static class Capture
{
    public static async Task<int> Run(string[] args)
    {
        string? model = null, outDir = null;
        var rules = BedOptions.Default.Signal.Rules;
        var records = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--model") model = args[++i];
            else if (args[i] == "--out") outDir = args[++i];
            else if (args[i] == "--rules") rules = Overrides.Apply(rules, args[++i]);
            else records.Add(args[i]);
        }
        if (model is null || outDir is null || records.Count == 0) throw new ArgumentException("capture needs --model, --out and records");
        Directory.CreateDirectory(outDir);
        using var classifier = EcgStream.Inference.Contract.RhythmModel.Load(model, new EcgStream.Inference.InferenceOptions());
        foreach (var path in records)
        {
            var rec = RecordReader.Read(path);
            var reference = RhythmLabels.ToEpisodes(Wfdb.ReadAnnotations(path, "atr"), rec.SampleRate, rec.Length).Episodes;
            var cached = new Cached
            {
                Name = Path.GetFileName(Path.GetDirectoryName(path)) + "/" + rec.Name,
                Hours = rec.DurationSeconds / 3600,
                Thresholds = classifier.Thresholds.ToArray(),
                ModelId = classifier.ModelId,
                Reference = reference.Select(e => new CachedEpisode(e.Rhythm, e.StartSeconds, e.EndSeconds)).ToList(),
            };
            using var scheduler = new InferenceScheduler(classifier, new SchedulerOptions { Policy = QueueFullPolicy.Wait });
            var leads = RecordingLeads.Of(rec, null);
            var blocks = RecordingSource.Play(rec.SampleRate, leads.Leads, leads.Planes, new ReplayOptions { StreamId = rec.Name });
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            // wired as BedPipeline wires them: one signal stage, its rule scores and its windows through the scheduler
            using var sub = blocks
                .Through(() => new SignalStage(BedOptions.Default.Signal with { Rules = rules }, BedOptions.Default.MaxGapFillSeconds))
                .Publish(signal =>
                {
                    var rules = signal.Where(o => o.Kind == SignalOutputKind.RuleScores)
                        .Select(o => (IsModel: false, Row: Row(o.Scores)));
                    var scores = scheduler.Classify(signal.Where(o => o.Kind == SignalOutputKind.Window).Select(o => o.Window))
                        .Select(s => (IsModel: true, Row: Row(s)));
                    return Observable.Merge(rules, scores);
                })
                .Subscribe(x => { lock (cached) (x.IsModel ? cached.Model : cached.Rule).Add(x.Row); },
                    e => done.TrySetException(e), () => done.TrySetResult());
            await done.Task;
            cached.Model.Sort((a, b) => a[1].CompareTo(b[1]));
            File.WriteAllText(Path.Combine(outDir, cached.Name.Replace('/', '_') + ".json"), JsonSerializer.Serialize(cached, Json.Options));
            Console.Error.WriteLine($"{cached.Name}: {cached.Rule.Count} rule decisions, {cached.Model.Count} model windows, {clock.Elapsed.TotalSeconds:F0} s");
        }
        return 0;
    }

    private static double[] Row(in WindowScores s)
    {
        var p = s.Probabilities.Span;
        var row = new double[2 + RhythmClasses.Count];
        row[0] = s.StartSeconds;
        row[1] = s.EndSeconds;
        for (int c = 0; c < RhythmClasses.Count; c++) row[2 + c] = c < p.Length ? p[c] : double.NaN;
        return row;
    }
}

internal static class Overrides
{
    /// <summary><paramref name="options"/> with one property set from "Name=Value".</summary>
    public static EcgStream.Signal.Rhythms.RuleOptions Apply(EcgStream.Signal.Rhythms.RuleOptions options, string set)
    {
        int eq = set.IndexOf('=');
        if (eq <= 0) throw new ArgumentException($"--rules '{set}': expected Name=Value");
        var copy = options with { };
        var prop = typeof(EcgStream.Signal.Rhythms.RuleOptions).GetProperty(set[..eq], BindingFlags.Public | BindingFlags.Instance)
            ?? throw new ArgumentException($"--rules '{set}': RuleOptions has no property {set[..eq]}");
        prop.SetValue(copy, Convert.ChangeType(set[(eq + 1)..], prop.PropertyType, CultureInfo.InvariantCulture));
        return copy;
    }
}

internal static class Json
{
    public static readonly JsonSerializerOptions Options = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
}

internal static class Sweep
{
    public static int Run(string[] args)
    {
        string? configs = null, source = "fused";
        bool perRecord = false;
        var sets = new List<string>();
        var files = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--configs": configs = args[++i]; break;
                case "--set": sets.Add(args[++i]); break;
                case "--per-record": perRecord = true; break;
                case "--source": source = args[++i]; break;
                case "--episodes": Episodes = true; break;
                default: files.Add(args[i]); break;
            }
        }
        var recs = files.Select(f => JsonSerializer.Deserialize<Cached>(File.ReadAllText(f), Json.Options)!).ToList();
        var lines = configs is null ? new[] { "" } : File.ReadAllLines(configs).Where(l => !l.TrimStart().StartsWith('#')).ToArray();
        foreach (var line in lines)
        {
            var all = sets.Concat(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
            var (fusion, tracker) = Apply(all);
            var results = recs.Select(r => (r, m: Evaluate(r, fusion, tracker, source!))).ToList();
            if (perRecord)
                foreach (var (r, m) in results) Report(r.Name, [(r, m)], line);
            Report("ALL", results, string.Join(' ', all));
        }
        return 0;
    }

    /// <summary>--episodes: print every detected AF episode (record, start, end, emitted at) to stderr.</summary>
    private static bool Episodes;

    private static (FusionOptions, TrackerOptions) Apply(List<string> sets)
    {
        object fusion = FusionOptions.Default with { };
        object tracker = BedOptions.Default.FusedTracker with { };
        foreach (var s in sets)
        {
            int eq = s.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"'{s}': expected Name=Value");
            string name = s[..eq], value = s[(eq + 1)..];
            if (name == "Tracker.AfOnsetEvidence")
            {
                tracker = ((TrackerOptions)tracker).WithMinOnsetEvidence(RhythmClass.AF, double.Parse(value, CultureInfo.InvariantCulture));
                continue;
            }
            object target = fusion;
            if (name.StartsWith("Tracker.", StringComparison.Ordinal)) { target = tracker; name = name["Tracker.".Length..]; }
            var prop = target.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance)
                ?? throw new ArgumentException($"'{s}': {target.GetType().Name} has no property {name}");
            var t = Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType;
            object v = value == "inf" ? double.PositiveInfinity : Convert.ChangeType(value, t, CultureInfo.InvariantCulture);
            prop.SetValue(target, v);
        }
        return ((FusionOptions)fusion, (TrackerOptions)tracker);
    }

    public static EpisodeMetrics Evaluate(Cached r, FusionOptions fusion, TrackerOptions trackerOptions, string source)
    {
        var events = new Collect();
        var reference = r.Reference.Select(e => new Episode(e.Rhythm, e.Start, e.End)).ToList();
        if (source == "rule" || source == "model")
        {
            var opts = source == "rule" ? BedOptions.Default.RuleTracker : BedOptions.Default.ModelTracker with { Thresholds = r.Thresholds };
            var tr = new RhythmTracker(opts);
            foreach (var row in source == "rule" ? r.Rule : r.Model) tr.OnNext(Scores(r, row, source == "rule" ? EventSource.Rule : EventSource.Model), events);
            tr.OnCompleted(events);
            return EpisodeMetrics.Compute("AF", reference, events.Events);
        }
        var stage = new FusionStage(fusion, r.Thresholds);
        var tracker = new RhythmTracker(trackerOptions);
        var fused = new Forward(tracker, events);
        int mi = 0;
        foreach (var row in r.Rule)
        {
            // every model window ending by this decision first: the stage pairs by stream time
            while (mi < r.Model.Count && r.Model[mi][1] <= row[1] + 1e-6) { stage.OnNext(FusionInput.Model(Scores(r, r.Model[mi], EventSource.Model)), fused); mi++; }
            stage.OnNext(FusionInput.Rule(Scores(r, row, EventSource.Rule)), fused);
        }
        while (mi < r.Model.Count) { stage.OnNext(FusionInput.Model(Scores(r, r.Model[mi], EventSource.Model)), fused); mi++; }
        stage.OnNext(FusionInput.ModelEnd, fused);
        stage.OnCompleted(fused);
        tracker.OnCompleted(events);
        if (Episodes)
            foreach (var (e, at) in EpisodeMetrics.Pair("AF", events.Events))
                Console.Error.WriteLine($"{r.Name} {e.StartSeconds:F0}-{e.EndSeconds:F0} at {at:F0} {(reference.Any(x => x.Rhythm == "AF" && x.Overlaps(e)) ? "true" : "FALSE")}");
        return EpisodeMetrics.Compute("AF", reference, events.Events);
    }

    private static WindowScores Scores(Cached r, double[] row, EventSource source)
    {
        var p = new float[RhythmClasses.Count];
        for (int c = 0; c < p.Length; c++) p[c] = (float)row[2 + c];
        return new WindowScores(r.Name, row[0], row[1], source, p, source == EventSource.Rule ? null : r.ModelId);
    }

    private static void Report(string record, List<(Cached r, EpisodeMetrics m)> results, string label)
    {
        var neg = results.Where(x => x.m.ReferenceEpisodes == 0).ToList();
        var pos = results.Where(x => x.m.ReferenceEpisodes > 0).ToList();
        double negHours = neg.Sum(x => x.r.Hours);
        int negFalse = neg.Sum(x => x.m.DetectedEpisodes);
        int refs = pos.Sum(x => x.m.ReferenceEpisodes), hit = pos.Sum(x => x.m.ReferenceEpisodesDetected);
        int det = results.Sum(x => x.m.DetectedEpisodes), tru = results.Sum(x => x.m.DetectedEpisodesTrue);
        double refS = pos.Sum(x => x.m.ReferenceSeconds), detS = results.Sum(x => x.m.DetectedSeconds), ov = results.Sum(x => x.m.OverlapSeconds);
        var lat = pos.SelectMany(x => x.m.OnsetLatencies).Order().ToArray();
        double med = lat.Length == 0 ? double.NaN : lat.Length % 2 == 1 ? lat[lat.Length / 2] : 0.5 * (lat[lat.Length / 2 - 1] + lat[lat.Length / 2]);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            record,
            config = label,
            non_af_hours = Math.Round(negHours, 2),
            false_episodes = negFalse,
            false_per_hour = negHours > 0 ? Math.Round(negFalse / negHours, 2) : double.NaN,
            reference_episodes = refs,
            detected = det,
            episode_se = R(refs == 0 ? double.NaN : hit / (double)refs),
            episode_ppv = R(det == 0 ? double.NaN : tru / (double)det),
            duration_se = R(refS == 0 ? double.NaN : ov / refS),
            duration_ppv = R(detS == 0 ? double.NaN : ov / detS),
            median_latency_s = R(med),
            // the counts behind the rates, so that lines of disjoint record sets pool exactly (nested cross-validation)
            reference_detected = hit,
            detected_true = tru,
            reference_s = Math.Round(refS, 3),
            detected_s = Math.Round(detS, 3),
            overlap_s = Math.Round(ov, 3),
            onset_latencies_s = lat.Select(R).ToArray(),
        }, Json.Options));
    }

    private static double R(double v) => double.IsNaN(v) ? double.NaN : Math.Round(v, 3);

    private sealed class Collect : IObserver<RhythmEvent>
    {
        public readonly List<RhythmEvent> Events = new();
        public void OnNext(RhythmEvent value) { if (value.Type == EventType.Rhythm) Events.Add(value); }
        public void OnError(Exception error) => throw error;
        public void OnCompleted() { }
    }

    /// <summary>The fusion stage's output straight into the fused tracker.</summary>
    private sealed class Forward(RhythmTracker tracker, IObserver<RhythmEvent> events) : IObserver<WindowScores>
    {
        public void OnNext(WindowScores value) => tracker.OnNext(value, events);
        public void OnError(Exception error) => throw error;
        public void OnCompleted() { }
    }
}
