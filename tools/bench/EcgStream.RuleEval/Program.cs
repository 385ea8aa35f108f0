using System.Globalization;
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
using EcgStream.Runtime.Pipeline;
using EcgStream.Runtime.Replay;
using EcgStream.Runtime.Tracking;
using EcgStream.Signal.Pipeline;
using EcgStream.Signal.Qrs;
using EcgStream.Signal.Quality;
using EcgStream.Signal.Rhythms;

// Rule AF detector on annotated WFDB records, at the level users meet: the rule source's AF episodes
// (RuleRhythmDetector → the bed's rule RhythmTracker) against the `(AFIB` annotations, with the episode
// definitions of EpisodeMetrics (the same ones `ecgstream evaluate` prints). One JSON line per record, then
// pooled lines: false AF episodes per hour over the records without annotated AF, episode and duration Se/+P
// over the records with AF.
//
//   dotnet run --project tools/bench/EcgStream.RuleEval -c Release -- [options] RECORD...
//     --set Name=Value   override a RuleOptions property (repeatable), e.g. --set AfMinLagRatio=0
//     --replay           run each record through ReplayRunner (the whole bed pipeline, as `evaluate` does)
//                        instead of the default: the signal chain once per record, then the rule detector and
//                        tracker over its cached beats and quality epochs (identical decisions, much faster
//                        when sweeping; --check compares the two).
//     --configs FILE     one RuleOptions override set per line ("Name=Value Name=Value"; blank = defaults):
//                        prints only the pooled lines per configuration (a parameter sweep)
//     --check            run both ways and fail when any record's AF episodes differ
//     RULEEVAL_DUMP=1    (environment) print to stderr the AF features and RR intervals behind AF votes, every 5 s;
//     RULEEVAL_DUMP=A-B  every decision ending in [A, B] s, whatever its vote
//     --lead NAME=LEAD   map a signal name to a lead (as `ecgstream evaluate --lead`), e.g. --lead ECG=II for svdb
//
// Not a test: it measures. Bounds that must hold live in the data tests.

var records = new List<string>();
var sets = new List<string>();
string? configsFile = null;
bool replay = false, check = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--set": sets.Add(Arg(ref i)); break;
        case "--replay": replay = true; break;
        case "--check": check = true; break;
        case "--lead":
            var map = Arg(ref i).Split('=');
            if (map.Length != 2 || !Enum.TryParse<EcgStream.Core.Leads.Lead>(map[1], out var lead)) return Fail($"--lead '{args[i]}': expected NAME=LEAD");
            Loaded.LeadOverrides[map[0]] = lead;
            break;
        case "--configs": configsFile = Arg(ref i); break;
        default:
            if (args[i].StartsWith("--", StringComparison.Ordinal)) return Fail($"unknown option {args[i]}");
            records.Add(args[i]);
            break;
    }
}
if (records.Count == 0) return Fail("usage: RuleEval [--set Name=Value]... [--replay] [--configs FILE] [--check] RECORD...");

string Arg(ref int i) => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");

try
{
    var baseOptions = Overrides.Apply(RuleOptions.Default, sets);
    var loaded = records.Select(Loaded.Read).ToList();
    if (configsFile is not null)
    {
        foreach (var line in File.ReadAllLines(configsFile))
        {
            var options = Overrides.Apply(baseOptions, line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            var results = loaded.Select(r => r.Evaluate(options)).ToList();
            Report.Pooled(results, line.Trim());
        }
        return 0;
    }
    var all = new List<Result>();
    foreach (var rec in loaded)
    {
        var result = replay ? await rec.EvaluateReplay(baseOptions) : rec.Evaluate(baseOptions);
        if (check)
        {
            var other = await rec.EvaluateReplay(baseOptions);
            if (!result.Same(other)) return Fail($"{rec.Name}: cached and replayed AF episodes differ ({result.Describe()} vs {other.Describe()})");
        }
        Report.Record(result);
        all.Add(result);
    }
    Report.Pooled(all, string.Join(' ', sets));
    return 0;
}
catch (Exception e) when (e is ArgumentException or IOException or FormatException or InvalidDataException)
{
    return Fail(e.Message);
}

static int Fail(string message)
{
    Console.Error.WriteLine($"RuleEval: {message}");
    return 2;
}

/// <summary>One record's AF episodes against its reference.</summary>
internal sealed record Result(string Name, double Hours, EpisodeMetrics Metrics, List<Episode> Detected)
{
    /// <summary>Window level: 1 s AF votes (score ≥ 0.5) inside and outside the reference AF episodes.</summary>
    public int VotesInAf, DecisionsInAf, VotesOutside, DecisionsOutside;
    public bool HasAf => Metrics.ReferenceSeconds > 0;
    public int FalseEpisodes => Metrics.DetectedEpisodes - Metrics.DetectedEpisodesTrue;
    public bool Same(Result o) => Detected.Count == o.Detected.Count && Detected.Zip(o.Detected).All(p =>
        Math.Abs(p.First.StartSeconds - p.Second.StartSeconds) < 1e-6 && Math.Abs(p.First.EndSeconds - p.Second.EndSeconds) < 1e-6);
    public string Describe() => string.Join(", ", Detected.Select(d => $"{d.StartSeconds:F1}–{d.EndSeconds:F1}"));
}

/// <summary>A record with its reference AF episodes and, once computed, the signal chain's beats and quality epochs.</summary>
internal sealed class Loaded
{
    public static readonly Dictionary<string, EcgStream.Core.Leads.Lead> LeadOverrides = new(StringComparer.Ordinal);
    private readonly Recording _rec;
    private readonly IReadOnlyList<Episode> _reference;
    private readonly List<(long At, bool IsBeat, int Index)> _ops = new();
    private readonly List<QrsBeat> _beats = new();
    private readonly List<QualityEpoch> _epochs = new();
    private double _rate, _delay;
    private long _end;

    private Loaded(string path)
    {
        _rec = RecordReader.Read(path);
        _reference = RhythmLabels.ToEpisodes(Wfdb.ReadAnnotations(path, "atr"), _rec.SampleRate, _rec.Length).Episodes;
    }

    public static Loaded Read(string path) => new(path);
    public string Name => _rec.Name;
    private double Hours => _rec.Length / _rec.SampleRate / 3600;

    /// <summary>Whole bed pipeline, as `ecgstream evaluate` replays a record with the rules only.</summary>
    public async Task<Result> EvaluateReplay(RuleOptions options)
    {
        var bed = BedOptions.Default with { Signal = SignalChainOptions.Default with { Rules = options } };
        var events = new List<RhythmEvent>();
        await ReplayRunner.RunAsync(_rec, events.Add, new ReplayOptions { StreamId = _rec.Name }, bed, leadOverrides: LeadOverrides);
        return Score(events.Where(e => e.Source == EventSource.Rule && e.Type == EventType.Rhythm));
    }

    /// <summary>
    /// The rule detector and the bed's rule tracker over the chain's cached beats and quality epochs. The detector
    /// decides grid point T from the beats detected by T and the epochs ended by T, so feeding them in time order and
    /// deciding every grid point before the next item gives the chain's own decisions.
    /// </summary>
    public Result Evaluate(RuleOptions options)
    {
        if (_ops.Count == 0) RunChain();
        var detector = new RuleRhythmDetector(_rec.Name, _rate, _delay, options);
        var tracker = new RhythmTracker(BedOptions.Default.RuleTracker);
        var sink = new TrackingSink(tracker);
        var dump = Environment.GetEnvironmentVariable("RULEEVAL_DUMP");
        if (dump is not null)
        {
            var range = dump.Split('-');
            if (range.Length == 2) sink.DumpRange = (double.Parse(range[0], CultureInfo.InvariantCulture), double.Parse(range[1], CultureInfo.InvariantCulture));
            sink.Dump = (t, af) =>
            {
                // Diagnostics: the RR intervals (ms) behind an AF vote.
                var rr = _beats.Where(b => b.DetectedAt <= (t + _delay) * _rate).TakeLast(33).Select(b => b.Sample).ToList();
                var ms = rr.Zip(rr.Skip(1), (a, b) => (int)((b - a) * 1000 / _rate));
                Console.Error.WriteLine($"{Name} {t:F0} n {af.Count} rmssd {af.NormalisedRmssd:F2} H {af.ShannonEntropy:F2} z {af.TurningPointZ:F1} lag {af.LagRatio:F2} | {string.Join(' ', ms)}");
            };
        }
        foreach (var (at, isBeat, index) in _ops)
        {
            detector.Advance(at - 1, sink);
            if (isBeat) detector.AddBeat(_beats[index], sink);
            else detector.AddQuality(_epochs[index]);
        }
        detector.Advance(_end, sink);
        tracker.OnCompleted(sink);
        var result = Score(sink.Events);
        foreach (var (t, vote) in sink.Votes)
        {
            bool inAf = _reference.Any(e => e.Rhythm == "AF" && t >= e.StartSeconds && t < e.EndSeconds);
            if (inAf) { result.DecisionsInAf++; if (vote) result.VotesInAf++; }
            else { result.DecisionsOutside++; if (vote) result.VotesOutside++; }
        }
        return result;
    }

    private Result Score(IEnumerable<RhythmEvent> events)
    {
        var list = events.ToList();
        var m = EpisodeMetrics.Compute("AF", _reference, list);
        return new Result(Name, Hours, m, EpisodeMetrics.Pair("AF", list).Select(p => p.Episode).ToList());
    }

    private void RunChain()
    {
        var leads = RecordingLeads.Of(_rec, LeadOverrides);
        var chain = new SignalChain(_rec.Name, _rec.SampleRate, leads.Leads, SignalChainOptions.Default with { EmitWindows = false });
        var cap = new Capture(this);
        int block = (int)Math.Round(new ReplayOptions().BlockSeconds * _rec.SampleRate), planes = leads.Planes.Count, n = leads.Planes[0].Length;
        var buf = new float[planes * block];
        for (int s = 0; s < n; s += block)
        {
            int len = Math.Min(block, n - s);
            for (int p = 0; p < planes; p++) leads.Planes[p].AsSpan(s, len).CopyTo(buf.AsSpan(p * len, len));
            chain.Process(new SampleBlock(_rec.Name, s, _rec.SampleRate, leads.Leads, len, buf.AsMemory(0, planes * len)), cap);
        }
        _rate = chain.Preprocessor.OutputRate;
        _delay = chain.DelaySeconds;
        // List.Sort is not stable: at a tie, epochs before beats, then each kind in the order it was captured
        _ops.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.IsBeat != b.IsBeat ? a.IsBeat.CompareTo(b.IsBeat) : a.Index.CompareTo(b.Index));
    }

    private sealed class Capture(Loaded owner) : ISignalChainSink
    {
        public void OnPreprocessed(in SampleBlock block) => owner._end = block.StartSample + block.Length;
        public void OnQuality(in QualityEpoch epoch)
        {
            owner._ops.Add((epoch.EndSample, false, owner._epochs.Count));
            owner._epochs.Add(epoch);
        }
        public void OnBeat(in QrsBeat beat)
        {
            owner._ops.Add((beat.DetectedAt, true, owner._beats.Count));
            owner._beats.Add(beat);
        }
        public void OnWindow(in EcgWindow window) { }
        public void OnScores(in WindowScores scores, double heartRateBpm, in AfFeatures af) { }
        public void OnAlarm(in RuleAlarm alarm) { }
    }

    private sealed class TrackingSink(RhythmTracker tracker) : IRuleSink, IObserver<RhythmEvent>
    {
        public readonly List<RhythmEvent> Events = new();
        public void OnScores(in WindowScores scores, double heartRateBpm, in AfFeatures af)
        {
            if (Dump is not null && (DumpRange is var (a, b)
                    ? scores.EndSeconds >= a && scores.EndSeconds <= b
                    : scores.Probabilities.Span[(int)RhythmClass.AF] >= 0.5 && (int)scores.EndSeconds % 5 == 0))
            {
                Console.Error.Write($"p {scores.Probabilities.Span[(int)RhythmClass.AF]:F2} ");
                Dump(scores.EndSeconds, af);
            }
            Votes.Add((scores.EndSeconds, scores.Probabilities.Span[(int)RhythmClass.AF] >= 0.5)); // NaN: no vote
            tracker.OnNext(scores, this);
        }
        public readonly List<(double T, bool Vote)> Votes = new();
        public Action<double, AfFeatures>? Dump;
        public (double From, double To)? DumpRange;
        public void OnAlarm(in RuleAlarm alarm) { }
        public void OnNext(RhythmEvent value) => Events.Add(value);
        public void OnError(Exception error) => throw error;
        public void OnCompleted() { }
    }
}

/// <summary>"Name=Value" overrides of RuleOptions' init properties (a measuring tool's convenience, not an API).</summary>
internal static class Overrides
{
    public static RuleOptions Apply(RuleOptions options, IEnumerable<string> sets)
    {
        var copy = options with { };
        foreach (var s in sets)
        {
            int eq = s.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"--set '{s}': expected Name=Value");
            var prop = typeof(RuleOptions).GetProperty(s[..eq], BindingFlags.Public | BindingFlags.Instance)
                ?? throw new ArgumentException($"--set '{s}': RuleOptions has no property {s[..eq]}");
            prop.SetValue(copy, Convert.ChangeType(s[(eq + 1)..], prop.PropertyType, CultureInfo.InvariantCulture));
        }
        return copy;
    }
}

internal static class Report
{
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static void Record(Result r) => Console.WriteLine(JsonSerializer.Serialize(new
    {
        record = r.Name,
        has_af = r.HasAf,
        hours = Math.Round(r.Hours, 3),
        reference_episodes = r.Metrics.ReferenceEpisodes,
        detected_episodes = r.Metrics.DetectedEpisodes,
        false_episodes = r.FalseEpisodes,
        false_per_hour = Math.Round(r.FalseEpisodes / r.Hours, 2),
        episode_se = R(r.Metrics.EpisodeSensitivity),
        episode_ppv = R(r.Metrics.EpisodePositivePredictivity),
        duration_se = R(r.Metrics.DurationSensitivity),
        duration_ppv = R(r.Metrics.DurationPositivePredictivity),
        false_af_seconds = Math.Round(r.Metrics.DetectedSeconds - r.Metrics.OverlapSeconds, 1),
        median_onset_latency_s = R(r.Metrics.MedianOnsetLatency),
    }, Json));

    public static void Pooled(List<Result> all, string label)
    {
        var neg = all.Where(r => !r.HasAf).ToList();
        var pos = all.Where(r => r.HasAf).ToList();
        double negHours = neg.Sum(r => r.Hours);
        int refs = pos.Sum(r => r.Metrics.ReferenceEpisodes), hit = pos.Sum(r => r.Metrics.ReferenceEpisodesDetected);
        int det = pos.Sum(r => r.Metrics.DetectedEpisodes), tru = pos.Sum(r => r.Metrics.DetectedEpisodesTrue);
        double refS = pos.Sum(r => r.Metrics.ReferenceSeconds), detS = pos.Sum(r => r.Metrics.DetectedSeconds), ov = pos.Sum(r => r.Metrics.OverlapSeconds);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            pooled = label,
            non_af_records = neg.Count,
            non_af_hours = Math.Round(negHours, 2),
            non_af_false_episodes = neg.Sum(r => r.FalseEpisodes),
            non_af_false_per_hour = negHours > 0 ? Math.Round(neg.Sum(r => r.FalseEpisodes) / negHours, 2) : double.NaN,
            non_af_records_with_false = neg.Count(r => r.FalseEpisodes > 0),
            af_records = pos.Count,
            af_false_episodes = det - tru,
            episode_se = R(refs == 0 ? double.NaN : hit / (double)refs),
            episode_ppv = R(det == 0 ? double.NaN : tru / (double)det),
            duration_se = R(refS == 0 ? double.NaN : ov / refS),
            duration_ppv = R(detS == 0 ? double.NaN : ov / detS),
            // Window level (cached mode only; 0 decisions in --replay mode): AF records' 1 s votes inside AF,
            // and the share of all decisions outside reference AF that voted AF.
            window_se = R(pos.Sum(r => r.VotesInAf) / (double)Math.Max(1, pos.Sum(r => r.DecisionsInAf))),
            window_fp_rate = R(all.Sum(r => r.VotesOutside) / (double)Math.Max(1, all.Sum(r => r.DecisionsOutside))),
        }, Json));
    }

    private static double R(double v) => double.IsNaN(v) ? double.NaN : Math.Round(v, 3);
}
