using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EcgStream.Core.Leads;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Formats;
using EcgStream.Inference;
using EcgStream.Inference.Contract;
using EcgStream.Inference.Records;
using EcgStream.Ingest.Replay;
using EcgStream.Runtime.Fusion;
using EcgStream.Signal.Rhythms;
using EcgStream.Signal.Windowing;

namespace EcgStream.Cli.Commands;

/// <summary>
/// `ecgstream classify RECORD...`: scores whole records with a contract-v1 or v2 model (v2: each window also gets
/// the rhythm features of the beats detected by its end, <see cref="RecordWindows.RhythmFeatures"/>), one JSON object per
/// record on stdout. Each record is cut like training cuts it (<see cref="RecordWindows"/>: the
/// runtime's preprocessing over the whole record, 1 s filter warm-up skipped, a 9 s window every hop,
/// standardised per lead); every window is scored with the lead mask of the leads the record has. A
/// class's probability for the record is the median over its windows of sigmoid(logit) (<see cref="RecordWindows.FoldMedian"/>),
/// and the record's <c>rhythms</c> are the classes whose median reaches the model's own threshold. A model with a record
/// head (<see cref="RecordHead"/>, `train record-head`) decides its classes from the record's <see cref="RecordFeatures"/>
/// instead: the spread of the windows' probabilities and the record's RR features, with the head's own thresholds.
/// Sinus tachycardia and bradycardia are decided by the record's heart rate, as the stream's rules decide them
/// (<see cref="RateClasses"/>; <c>--rate-classes model</c> leaves them to the model). A record decided NOISE has no
/// rhythm decided beside it, as the rules give none while the signal is unreadable.
/// A record shorter than one window is scored as one zero-padded window when it holds at least
/// <see cref="MinimumPaddedSeconds"/> after the warm-up, and says so in its note.
/// </summary>
internal static class ClassifyCommand
{
    /// <summary>Seconds of filter output discarded at a record's start (training's default warm-up).</summary>
    public const double WarmupSeconds = 1;
    /// <summary>Seconds between window starts by default (windows do not overlap); record heads are fitted on it.</summary>
    public const double DefaultHop = 9;
    /// <summary>Windows per model run.</summary>
    public const int Batch = 32;

    public static Command Create()
    {
        var records = new Argument<string[]>("records") { Description = "Records to score: WFDB record paths (without extension), .mat or .edf files.", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string?>("--model") { Description = $"ONNX model (contract v1 or v2). Default: {BundledModel.FileName} beside the tool, or ECGSTREAM_MODEL." };
        var hop = new Option<double>("--hop") { Description = "Seconds between window starts (9: windows do not overlap).", DefaultValueFactory = _ => DefaultHop };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads.", DefaultValueFactory = _ => 1 };
        var ortLibrary = new Option<string?>("--ort-library") { Description = OrtLibraryOption.Description };
        var lead = new Option<string[]>("--lead") { Description = "Map a signal to a lead, e.g. --lead ECG=I (repeatable).", AllowMultipleArgumentsPerToken = false };
        var rateClasses = RateClassesOption();
        var cmd = new Command("classify", "Score whole records with a model: per class the record's probability (the median over its 9 s windows, or the model's record head; sinus tachycardia and bradycardia by the record's heart rate) and the classes that reach their thresholds (JSON lines).")
        {
            records, model, hop, threads, lead, rateClasses, ortLibrary,
        };
        cmd.SetAction((parse, cancel) => CliErrors.Guard(() =>
        {
            double hopSeconds = parse.GetValue(hop);
            if (!(hopSeconds >= 0.04 && hopSeconds <= 9)) throw new ArgumentException($"--hop {hopSeconds.ToString(CultureInfo.InvariantCulture)}: expected seconds between 0.04 and 9");
            int threadCount = CliLimits.Threads(parse.GetValue(threads));
            var overrides = PipelineOptions.ParseLeadOverrides(parse.GetValue(lead));
            var paths = RecordArguments.Distinct(parse.GetValue(records)!);
            string modelPath = parse.GetValue(model) switch
            {
                null => BundledModel.Find()
                        ?? throw new ArgumentException($"no model: pass --model FILE.onnx (no {BundledModel.FileName} beside the tool and ECGSTREAM_MODEL is not set)"),
                "none" => throw new ArgumentException("--model none: classify scores with a model; pass --model FILE.onnx (rules-only scoring is `ecgstream evaluate`)"),
                var m => File.Exists(m) ? m : throw new FileNotFoundException($"--model '{m}': no such file"),
            };
            using var classifier = LoadModel(modelPath, threadCount, OrtLibraryOption.Read(parse.GetValue(ortLibrary)));
            if (classifier.Session.Providers.FellBack) Console.Error.WriteLine($"note: {classifier.Session.Providers.Summary}");
            if (RecordHeadHopNote(classifier, hopSeconds) is { } hopNote) Console.Error.WriteLine(hopNote);
            using var stdout = Console.OpenStandardOutput();
            foreach (var path in paths)
            {
                cancel.ThrowIfCancellationRequested();
                var rec = RecordReader.Read(path);
                RecordArguments.PrintWarnings(rec.Warnings);
                var mapped = RecordingLeads.Of(rec, overrides);
                foreach (var note in mapped.Notes) Console.Error.WriteLine($"note: {rec.Name}: {note}");
                var result = Score(classifier, rec, mapped, hopSeconds, cancel, ReadRateClasses(parse, rateClasses));
                WriteLine(stdout, path, rec, mapped.Leads, classifier.Contract.Classes, result);
            }
            return Task.FromResult(0);
        }));
        return cmd;
    }

    /// <summary>A note when a record head will read windows cut at another hop than the one it was fitted on.</summary>
    internal static string? RecordHeadHopNote(RhythmModel model, double hopSeconds) =>
        model.Contract.RecordHead is not null && hopSeconds != DefaultHop
            ? $"note: the model's record head was fitted on windows {F(DefaultHop, 0)} s apart; at {F(hopSeconds, 2)} s its inputs differ from what it learnt"
            : null;

    private static RhythmModel LoadModel(string path, int threads, OrtLibraryOptions library)
    {
        try
        {
            return RhythmModel.Load(path, new InferenceOptions { IntraOpThreads = threads, MaxBatch = Batch, Library = library });
        }
        catch (Exception e) when (e is ModelContractException or OrtException)
        {
            throw new ArgumentException($"--model '{path}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Shortest record signal, after the warm-up, that is scored padded: 3 s holds three or more beats at
    /// any rate over 60/min; less is too few to call a rhythm, so such a record gets a note and no guess.
    /// </summary>
    public const double MinimumPaddedSeconds = 3;

    /// <summary>How a record was decided, printed with it: by the median of its windows, or by the model's record head.</summary>
    public const string Median = "median";
    public static string HeadAggregation => $"record head ({RecordFeatures.Version})";

    /// <summary>How the model decides records, in words (benchmark headers).</summary>
    public static string Aggregation(RhythmModel model) => model.Contract.RecordHead is { } head
        ? $"{HeadAggregation} up to {head.MaxWindows} windows, longer records by the {Median}"
        : Median;

    /// <summary>
    /// What one record scored: the windows used, per class-set-v1 class the record probability (the median over the
    /// windows, or the record head's; null: no window), the classes decided, the <see cref="RecordFeatures"/> the
    /// head reads (null: no window), a note (padding, skipped windows, or why nothing was scored), how the record was
    /// decided, the median per class whether or not a head replaced it, and the record's heart rate (null: too few beats).
    /// </summary>
    internal sealed record RecordScore(int Windows, float[]? Probabilities, IReadOnlyList<RhythmClass> Rhythms, string? Note, float[]? Features = null,
        string Aggregation = Median, float[]? MedianProbabilities = null, double? HeartRateBpm = null, string RateClassesBy = RateByModel);


    /// <summary>
    /// Cuts the record into windows, scores each, and folds them with <see cref="RecordWindows.FoldMedian"/>. A record too
    /// short for one window but with at least <see cref="MinimumPaddedSeconds"/> after the warm-up is
    /// scored as one zero-padded window (<see cref="RecordWindows.TryCopyPadded"/>) and says so.
    /// </summary>
    /// <param name="rateByHeartRate">Decide the rate classes by the record's heart rate (<see cref="RateClasses"/>); false: by the model.</param>
    internal static RecordScore Score(RhythmModel model, Recording rec, RecordingLeads mapped, double hopSeconds, CancellationToken cancel = default,
        bool rateByHeartRate = true)
    {
        // a rate the pipeline cannot take is the record's fault, said in one line naming it (as replay does)
        if (Signal.Preprocessing.EcgPreprocessor.RateProblem(rec.SampleRate) is { } why)
            throw new InvalidDataException($"record {rec.Name}: {why}");
        // A contract-v2 model also reads each window's rhythm features: the beats the stream would have detected by its end.
        // The beats also give the record's heart rate, which decides the rate classes (RateClasses), whatever the model.
        var windows = RecordWindows.Cut(mapped.Planes, rec.SampleRate, mapped.Leads, hopSeconds, WarmupSeconds, detectBeats: true);
        float[]? rhythm = model.Contract.HasRhythmInput ? windows.RhythmFeatures() : null;
        double heartRate = windows.HeartRateBpm();
        void SetRhythm(int slot, int row) => rhythm?.AsSpan(row * RhythmFeatures.Count, RhythmFeatures.Count).CopyTo(model.Rhythm(slot));
        var perWindow = new List<float[]>();
        string? note = null;
        if (windows.Count == 0)
        {
            double real = (double)windows.SamplesAfterWarmup / ModelContract.SampleRate;
            if (real < MinimumPaddedSeconds)
                return new RecordScore(0, null, [], $"too short: {F(rec.DurationSeconds, 3)} s; scoring needs at least {F(MinimumPaddedSeconds, 1)} s of signal " +
                                                     $"after the {F(WarmupSeconds, 1)} s filter warm-up ({F(WarmupSeconds + MinimumPaddedSeconds, 1)} s), a few beats");
            if (!windows.TryCopyPadded(model.Ecg(0), out var usable)) return new RecordScore(0, null, [], "the record holds invalid (NaN or infinite) samples");
            if (usable.IsEmpty) return new RecordScore(0, null, [], NoConnectedLead);
            SetMask(model.LeadMask(0), usable);
            SetRhythm(0, 0);
            model.Run(1);
            perWindow.Add(model.Probabilities(0).ToArray());
            note = $"padded: {F(real, 3)} s of signal after the {F(WarmupSeconds, 1)} s filter warm-up, zero-padded to one " +
                   $"{F((double)ModelContract.WindowSamples / ModelContract.SampleRate, 0)} s window";
            return Fold(model, perWindow, rhythm is null ? null : rhythm.AsSpan(0, RhythmFeatures.Count).ToArray(), mapped.Leads.Count, heartRate, rateByHeartRate, note);
        }

        int slot = 0, nonFinite = 0, noLead = 0;
        var scoredRhythm = new List<float>();   // the rhythm features of the windows scored, in order
        void RunBatch()
        {
            model.Run(slot);
            for (int s = 0; s < slot; s++) perWindow.Add(model.Probabilities(s).ToArray());
            slot = 0;
        }
        for (int i = 0; i < windows.Count; i++)
        {
            if (!windows.TryCopy(i, model.Ecg(slot), out var usable)) { nonFinite++; continue; }
            if (usable.IsEmpty) { noLead++; continue; }
            SetMask(model.LeadMask(slot), usable);
            SetRhythm(slot, i);
            if (rhythm is not null) scoredRhythm.AddRange(rhythm.AsSpan(i * RhythmFeatures.Count, RhythmFeatures.Count));
            if (++slot == model.MaxBatch)
            {
                cancel.ThrowIfCancellationRequested();
                RunBatch();
            }
        }
        if (slot > 0) RunBatch();
        if (perWindow.Count == 0)
            return new RecordScore(0, null, [], noLead == 0 ? $"all {windows.Count} windows are mostly invalid (NaN or infinite) samples: nothing to read"
                                                             : $"none of {windows.Count} windows has a lead to read: {NoConnectedLead}");
        var skipped = new List<string>();
        if (nonFinite > 0) skipped.Add($"{nonFinite} mostly invalid (NaN or infinite) samples");
        if (noLead > 0) skipped.Add($"{noLead} with every lead flat, railed or missing");
        if (skipped.Count > 0) note = $"{nonFinite + noLead} of {windows.Count} windows skipped: {string.Join("; ", skipped)}";
        return Fold(model, perWindow, rhythm is null ? null : [.. scoredRhythm], mapped.Leads.Count, heartRate, rateByHeartRate, note);
    }

    /// <summary>
    /// Classes defined by the heart rate (sinus tachycardia and bradycardia): the ones the stream's fused source leaves to
    /// the rules (<see cref="FusionOptions.RateClasses"/>). A record's are decided by its measured rate with the rules' own
    /// score and limits (<see cref="RuleRhythmDetector.RateScore"/>, 0.5 at 100 and 50/min), not by the model.
    /// </summary>
    public static IReadOnlySet<RhythmClass> RateClasses => FusionOptions.Default.RateClasses;

    /// <summary>`--rate-classes heart-rate|model`: who decides a record's STACH and SBRAD (classify and benchmark).</summary>
    internal static Option<string> RateClassesOption() => new("--rate-classes")
    {
        Description = "Who decides a record's sinus tachycardia and bradycardia: heart-rate (the record's measured rate, as the stream's rules do) or model.",
        DefaultValueFactory = _ => RateByHeartRate,
    };

    internal const string RateByHeartRate = "heart-rate", RateByModel = "model";

    /// <summary>True for heart-rate; refuses anything but the two names.</summary>
    internal static bool ReadRateClasses(ParseResult parse, Option<string> option) => parse.GetValue(option) switch
    {
        RateByHeartRate => true,
        RateByModel => false,
        var other => throw new ArgumentException($"--rate-classes '{other}': expected {RateByHeartRate} or {RateByModel}"),
    };


    /// <summary>
    /// The record's probabilities and decision from its windows: the median per class (<see cref="RecordWindows.FoldMedian"/>)
    /// and the model's thresholds; where the model has a record head, the head's probability and threshold for its classes;
    /// then the rate classes from the record's heart rate (<see cref="RateClasses"/>) unless the record is too noisy to read:
    /// the rate's score times 1 − the larger AF/AFL evidence, not decided once AF or AFL is.
    /// </summary>
    private static RecordScore Fold(RhythmModel model, List<float[]> perWindow, float[]? rhythm, int leads, double heartRate, bool rateByHeartRate, string? note)
    {
        var median = RecordWindows.FoldMedian(perWindow);
        var probabilities = (float[])median.Clone();
        var features = RecordFeatures.Compute(perWindow, rhythm, leads);
        var thresholds = model.Thresholds;
        string aggregation = Median;
        if (model.Contract.RecordHead is { } head)
        {
            if (head.Covers(perWindow.Count))
            {
                head.Apply(features, probabilities);
                var own = thresholds.ToArray();
                foreach (var c in head.Classes) own[(int)c.Class] = c.Threshold;
                thresholds = own;
                aggregation = HeadAggregation;
            }
            else
            {
                string longer = $"{perWindow.Count} windows: longer than the records the record head was fitted on (at most {head.MaxWindows}), decided by the median";
                note = note is null ? longer : $"{note}; {longer}";
            }
        }
        // The rate classes by the record's rate, as the stream's fused source leaves them to the rules: not while the
        // record is too noisy to read (the rules give no rate then). Their probability is the rate's score times 1 − the
        // AF/AFL evidence on the fusion's scale (0.5 at the threshold), so a record near AF ranks below a clearly sinus one
        // at the same rate; and they are not decided once AF or AFL is (the rules zero them while their AF score says AF).
        // The probability stays soft there: a false AF call should not also sink a fast record to the bottom of the ranking.
        var decided = Decide(probabilities, thresholds);
        bool byRate = rateByHeartRate && double.IsFinite(heartRate) && !decided.Contains(RhythmClass.NOISE);
        if (byRate)
        {
            bool sinusPossible = !decided.Contains(RhythmClass.AF) && !decided.Contains(RhythmClass.AFL);
            double notSinus = Math.Max(Evidence(probabilities, thresholds, RhythmClass.AF), Evidence(probabilities, thresholds, RhythmClass.AFL));
            var own = thresholds.ToArray();
            foreach (var c in RateClasses)
            {
                if (!float.IsFinite(probabilities[(int)c])) continue;   // a class the model does not score stays unscored
                probabilities[(int)c] = (float)(RuleRhythmDetector.RateScore(c, heartRate, sinusPossible: true, RuleOptions.Default) * (1 - notSinus));
                own[(int)c] = sinusPossible ? FusionOptions.Default.RuleThreshold : double.NaN;   // NaN: not decided (Decide skips it)
            }
            thresholds = own;
            decided = Decide(probabilities, thresholds);
        }
        // A record too noisy to read has no rhythm decided, as the stream's rules give no rhythm opinion while the signal is
        // unreadable: noise is what makes a detector see irregular beats, so "AF and NOISE" is, first, noise.
        if (decided.Contains(RhythmClass.NOISE)) decided = [RhythmClass.NOISE];
        return new RecordScore(perWindow.Count, probabilities, decided, note, features, aggregation, median,
            double.IsFinite(heartRate) ? heartRate : null, byRate ? RateByHeartRate : RateByModel);
    }

    /// <summary>Why a window or record with no connected lead gets no score (the stream gives such a window no opinion).</summary>
    internal const string NoConnectedLead = "every lead is flat, railed or missing (the stream's raw checks): no opinion";

    /// <summary>The mask of a window's connected leads (<see cref="RecordWindows.TryCopy"/>; for a padded window, those of its real part).</summary>
    private static void SetMask(Span<float> mask, LeadSet leads)
    {
        for (int l = 0; l < mask.Length; l++) mask[l] = leads.Contains((Lead)l) ? 1f : 0f;
    }

    /// <summary>The classes, in class-set order, whose record-level probability reaches the model's own threshold (metadata <c>thresholds</c>).</summary>
    internal static IReadOnlyList<RhythmClass> Decide(float[] probabilities, IReadOnlyList<double> thresholds)
    {
        var decided = new List<RhythmClass>();
        for (int c = 0; c < probabilities.Length; c++)
            if (float.IsFinite(probabilities[c]) && !double.IsNaN(thresholds[c]) && probabilities[c] >= thresholds[c]) decided.Add((RhythmClass)c);
        return decided;
    }

    /// <summary>A class's record probability on the fusion's evidence scale (0 for a class not scored).</summary>
    private static double Evidence(float[] probabilities, IReadOnlyList<double> thresholds, RhythmClass c)
    {
        float p = probabilities[(int)c];
        double t = thresholds[(int)c];
        return float.IsFinite(p) && double.IsFinite(t) ? FusionStage.Evidence(p, t) : 0;
    }

    private static string F(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    private static void WriteLine(Stream output, string path, Recording rec, LeadSet leads, IReadOnlyList<RhythmClass> classes, RecordScore score)
    {
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteString("record", rec.Name);
            w.WriteString("path", path);
            w.WriteStartArray("leads");
            foreach (var l in leads) w.WriteStringValue(Leads.Name(l));
            w.WriteEndArray();
            w.WriteNumber("windows", score.Windows);
            w.WriteNumber("seconds", Math.Round(rec.DurationSeconds, 3));
            w.WriteString("aggregation", score.Aggregation);
            if (score.HeartRateBpm is { } bpm) w.WriteNumber("heart_rate_bpm", Math.Round(bpm, 1)); else w.WriteNull("heart_rate_bpm");
            w.WriteString("rate_classes", score.RateClassesBy);
            if (score.Probabilities is { } aggregate)
            {
                w.WriteStartObject("probabilities");
                foreach (var c in classes)
                {
                    float p = aggregate[(int)c];
                    if (float.IsFinite(p)) w.WriteNumber(RhythmClasses.Name(c), p); else w.WriteNull(RhythmClasses.Name(c));
                }
                w.WriteEndObject();
                w.WriteStartArray("rhythms");
                foreach (var c in score.Rhythms) w.WriteStringValue(RhythmClasses.Name(c));
                w.WriteEndArray();
            }
            else
            {
                w.WriteNull("probabilities");
                w.WriteNull("rhythms");
            }
            if (score.Note is { } note) w.WriteString("note", note);
            w.WriteEndObject();
        }
        output.Write("\n"u8);
        output.Flush();
    }
}
