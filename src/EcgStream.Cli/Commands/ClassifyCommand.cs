using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EcgStream.Core.Leads;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Formats;
using EcgStream.Inference;
using EcgStream.Inference.Contract;
using EcgStream.Ingest.Replay;
using EcgStream.Signal.Windowing;

namespace EcgStream.Cli.Commands;

/// <summary>
/// `ecgstream classify RECORD...`: scores whole records with a contract-v1 model, one JSON object per
/// record on stdout. Each record is cut like training cuts it (<see cref="RecordWindows"/>: the
/// runtime's preprocessing over the whole record, 1 s filter warm-up skipped, a 9 s window every hop,
/// standardised per lead); every window is scored with the lead mask of the leads the record has, and a
/// class's probability for the record is the maximum over its windows of sigmoid(logit).
/// </summary>
internal static class ClassifyCommand
{
    /// <summary>Seconds of filter output discarded at a record's start (training's default warm-up).</summary>
    public const double WarmupSeconds = 1;
    /// <summary>Windows per model run.</summary>
    public const int Batch = 32;

    public static Command Create()
    {
        var records = new Argument<string[]>("records") { Description = "Records to score: WFDB record paths (without extension), .mat or .edf files.", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string?>("--model") { Description = $"Contract-v1 ONNX model. Default: {BundledModel.FileName} beside the tool, or ECGSTREAM_MODEL." };
        var hop = new Option<double>("--hop") { Description = "Seconds between window starts (9: windows do not overlap).", DefaultValueFactory = _ => 9.0 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads.", DefaultValueFactory = _ => 1 };
        var ortLibrary = new Option<string?>("--ort-library") { Description = OrtLibraryOption.Description };
        var lead = new Option<string[]>("--lead") { Description = "Map a signal to a lead, e.g. --lead ECG=I (repeatable).", AllowMultipleArgumentsPerToken = false };
        var cmd = new Command("classify", "Score whole records with a model: per class, the highest probability over the record's 9 s windows (JSON lines).")
        {
            records, model, hop, threads, lead, ortLibrary,
        };
        cmd.SetAction((parse, cancel) => CliErrors.Guard(() =>
        {
            double hopSeconds = parse.GetValue(hop);
            if (!(hopSeconds >= 0.04 && hopSeconds <= 9)) throw new ArgumentException($"--hop {hopSeconds.ToString(CultureInfo.InvariantCulture)}: expected seconds between 0.04 and 9");
            int threadCount = parse.GetValue(threads);
            if (threadCount < 1) throw new ArgumentException($"--threads {threadCount}: expected at least 1");
            var overrides = PipelineOptions.ParseLeadOverrides(parse.GetValue(lead));
            string modelPath = parse.GetValue(model) switch
            {
                null => BundledModel.Find()
                        ?? throw new ArgumentException($"no model: pass --model FILE.onnx (no {BundledModel.FileName} beside the tool and ECGSTREAM_MODEL is not set)"),
                "none" => throw new ArgumentException("--model none: classify scores with a model; pass --model FILE.onnx (rules-only scoring is `ecgstream evaluate`)"),
                var m => File.Exists(m) ? m : throw new FileNotFoundException($"--model '{m}': no such file"),
            };
            using var classifier = LoadModel(modelPath, threadCount, OrtLibraryOption.Read(parse.GetValue(ortLibrary)));
            if (classifier.Session.Providers.FellBack) Console.Error.WriteLine($"note: {classifier.Session.Providers.Summary}");
            using var stdout = Console.OpenStandardOutput();
            foreach (var path in RecordArguments.Distinct(parse.GetValue(records)!))
            {
                cancel.ThrowIfCancellationRequested();
                var rec = RecordReader.Read(path);
                foreach (var w in rec.Warnings) Console.Error.WriteLine($"warning: {w}"); // header fields the reader ignored
                var mapped = RecordingLeads.Of(rec, overrides);
                foreach (var note in mapped.Notes) Console.Error.WriteLine($"note: {rec.Name}: {note}");
                var result = Score(classifier, rec, mapped, hopSeconds, cancel);
                WriteLine(stdout, path, rec, mapped.Leads, classifier.Contract.Classes, result);
            }
            return Task.FromResult(0);
        }));
        return cmd;
    }

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

    /// <summary>What one record scored: the windows used, per class-set-v1 class the maximum probability (null: no window), and why not, if so.</summary>
    internal sealed record RecordScore(int Windows, float[]? MaxProbabilities, string? Note);

    /// <summary>Cuts the record into windows and folds the model's per-window probabilities into their per-class maximum.</summary>
    internal static RecordScore Score(RhythmModel model, Recording rec, RecordingLeads mapped, double hopSeconds, CancellationToken cancel = default)
    {
        double minimum = RecordWindows.MinimumSeconds(WarmupSeconds);
        string tooShort = $"too short: {rec.DurationSeconds.ToString("F3", CultureInfo.InvariantCulture)} s; one 9 s window after the {WarmupSeconds.ToString("F1", CultureInfo.InvariantCulture)} s filter warm-up needs {minimum.ToString("F1", CultureInfo.InvariantCulture)} s";
        if (rec.DurationSeconds < minimum) return new RecordScore(0, null, tooShort);
        var windows = RecordWindows.Cut(mapped.Planes, rec.SampleRate, mapped.Leads, hopSeconds, WarmupSeconds);
        if (windows.Count == 0) return new RecordScore(0, null, tooShort);

        var max = new float[RhythmClasses.Count];
        max.AsSpan().Fill(float.NegativeInfinity);
        int slot = 0, scored = 0, nonFinite = 0;
        void RunBatch()
        {
            model.Run(slot);
            for (int s = 0; s < slot; s++)
            {
                var p = model.Probabilities(s);
                for (int c = 0; c < max.Length; c++) max[c] = MathF.Max(max[c], p[c]);
            }
            scored += slot;
            slot = 0;
        }
        for (int i = 0; i < windows.Count; i++)
        {
            if (!windows.TryCopy(i, model.Ecg(slot))) { nonFinite++; continue; }
            var mask = model.LeadMask(slot);
            for (int l = 0; l < mask.Length; l++) mask[l] = mapped.Leads.Contains((Lead)l) ? 1f : 0f;
            if (++slot == model.MaxBatch)
            {
                cancel.ThrowIfCancellationRequested();
                RunBatch();
            }
        }
        if (slot > 0) RunBatch();
        if (scored == 0) return new RecordScore(0, null, $"all {windows.Count} windows hold NaN or infinite samples");
        return new RecordScore(scored, max, nonFinite > 0 ? $"{nonFinite} of {windows.Count} windows skipped: NaN or infinite samples" : null);
    }

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
            if (score.MaxProbabilities is { } max)
            {
                w.WriteStartObject("probabilities");
                foreach (var c in classes)
                {
                    float p = max[(int)c];
                    if (float.IsFinite(p)) w.WriteNumber(RhythmClasses.Name(c), p); else w.WriteNull(RhythmClasses.Name(c));
                }
                w.WriteEndObject();
            }
            else w.WriteNull("probabilities");
            if (score.Note is { } note) w.WriteString("note", note);
            w.WriteEndObject();
        }
        output.Write("\n"u8);
        output.Flush();
    }
}
