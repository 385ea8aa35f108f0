using System.CommandLine;
using System.Text.Json;
using EcgStream.Core.Events;
using EcgStream.Core.Rhythms;
using EcgStream.Formats;
using EcgStream.Formats.Labels;
using EcgStream.Formats.Wfdb;
using EcgStream.Ingest.Replay;
using EcgStream.Runtime.Evaluation;
using EcgStream.Runtime.Replay;

namespace EcgStream.Cli.Commands;

/// <summary>
/// `ecgstream evaluate RECORD...`: replays annotated records and compares the detected episodes of
/// one rhythm with the reference rhythm annotations (.atr): episode sensitivity and positive
/// predictivity, duration overlap, onset latency; per record and pooled over all records, per source.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var records = new Argument<string[]>("records") { Description = "WFDB record paths (without extension) that have reference rhythm annotations.", Arity = ArgumentArity.OneOrMore };
        var rhythm = new Option<string>("--rhythm") { Description = "Class to evaluate (class set v1 name).", DefaultValueFactory = _ => "AF" };
        var annotator = new Option<string>("--annotator") { Description = "Extension of the reference annotation file.", DefaultValueFactory = _ => "atr" };
        var common = PipelineOptions.Create();
        var cmd = new Command("evaluate", "Compare detected rhythm episodes with reference annotations.") { records, rhythm, annotator };
        common.AddTo(cmd);
        cmd.SetAction((parse, cancel) => CliErrors.Guard(async () =>
        {
            string target = parse.GetValue(rhythm)!;
            if (!RhythmClasses.TryParse(target, out _)) throw new ArgumentException($"--rhythm '{target}' is not a class of class set v1 ({string.Join(", ", RhythmClasses.Names)})");
            var settings = common.Read(parse);
            var paths = RecordArguments.Distinct(parse.GetValue(records)!);   // before the model loads: a stray option is refused at once
            using var setup = settings.BuildModel();
            var sources = setup.Scheduler is null ? new[] { EventSource.Rule, EventSource.Fused } : [EventSource.Rule, EventSource.Model, EventSource.Fused];
            var pooled = sources.ToDictionary(s => s, _ => new List<EpisodeMetrics>());
            using var stdout = Console.OpenStandardOutput();
            foreach (var path in paths)
            {
                string ann = parse.GetValue(annotator)!;
                var rec = RecordReader.Read(path);
                // the reference before the record's warnings: a bad reference is one error line, not its warning then the error
                var annotations = Wfdb.ReadAnnotations(path, ann);
                RecordArguments.PrintWarnings(rec.Warnings);
                var reference = RhythmLabels.ToEpisodes(annotations, rec.SampleRate, rec.Length);
                if (reference.PastEndWarning($"{Wfdb.RecordBase(path)}.{ann}") is { } pastEnd) RecordArguments.PrintWarnings([pastEnd]);
                var events = new List<RhythmEvent>();
                var result = await ReplayRunner.RunAsync(rec, events.Add, new ReplayOptions { StreamId = rec.Name }, settings.Bed, setup.Scheduler, settings.LeadOverrides, cancel);
                foreach (var note in result.Notes) Console.Error.WriteLine($"note: {rec.Name}: {note}");
                foreach (var source in sources)
                {
                    var m = EpisodeMetrics.Compute(target, reference.Episodes, events.Where(e => e.Source == source && e.Type == EventType.Rhythm));
                    pooled[source].Add(m);
                    WriteLine(stdout, rec.Name, source, m, result.TimesRealTime);
                }
            }
            foreach (var source in sources) WriteLine(stdout, "ALL", source, Pool(target, pooled[source]), null);
            return 0;
        }));
        return cmd;
    }

    private static EpisodeMetrics Pool(string rhythm, List<EpisodeMetrics> all) => new(
        rhythm, all.Sum(m => m.ReferenceEpisodes), all.Sum(m => m.DetectedEpisodes), all.Sum(m => m.ReferenceEpisodesDetected),
        all.Sum(m => m.DetectedEpisodesTrue), all.Sum(m => m.ReferenceSeconds), all.Sum(m => m.DetectedSeconds), all.Sum(m => m.OverlapSeconds),
        all.SelectMany(m => m.OnsetLatencies).ToList());

    private static void WriteLine(Stream output, string record, EventSource source, EpisodeMetrics m, double? speed)
    {
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteString("record", record);
            w.WriteString("source", EventSources.Name(source));
            w.WriteString("rhythm", m.Rhythm);
            w.WriteNumber("reference_episodes", m.ReferenceEpisodes);
            w.WriteNumber("detected_episodes", m.DetectedEpisodes);
            Number(w, "episode_sensitivity", m.EpisodeSensitivity);
            Number(w, "episode_ppv", m.EpisodePositivePredictivity);
            Number(w, "duration_sensitivity", m.DurationSensitivity);
            Number(w, "duration_ppv", m.DurationPositivePredictivity);
            Number(w, "median_onset_latency_s", m.MedianOnsetLatency);
            w.WriteNumber("reference_s", Math.Round(m.ReferenceSeconds, 1));
            if (speed is { } s) w.WriteNumber("x_realtime", Math.Round(s, 1));
            w.WriteEndObject();
        }
        output.Write("\n"u8);
        output.Flush();
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsNaN(value)) w.WriteNull(name); else w.WriteNumber(name, Math.Round(value, 4));
    }
}
