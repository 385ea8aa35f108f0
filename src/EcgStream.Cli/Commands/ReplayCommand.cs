using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EcgStream.Core.Events;
using EcgStream.Core.Leads;
using EcgStream.Core.Rhythms;
using EcgStream.Formats;
using EcgStream.Formats.Labels;
using EcgStream.Formats.Wfdb;
using EcgStream.Ingest.Replay;
using EcgStream.Runtime.Evaluation;
using EcgStream.Runtime.Pipeline;
using EcgStream.Runtime.Replay;
using EcgStream.Runtime.Sinks;
using EcgStream.Signal.Pipeline;
using EcgStream.Signal.Preprocessing;

namespace EcgStream.Cli.Commands;

/// <summary>`ecgstream replay RECORD`: a recorded stream through the pipeline, one JSON event per line on stdout.</summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var record = new Argument<string>("record") { Description = "WFDB record path without extension, or a .mat/.edf file." };
        var speed = new Option<string>("--speed") { Description = "Playback speed: 1 (real time), N (N x real time) or max.", DefaultValueFactory = _ => "max" };
        var annotations = new Option<string?>("--annotations") { Description = "Write the detected rhythm episodes as a WFDB annotation file (e.g. out.atr)." };
        var common = PipelineOptions.CreateWithStreamOptions();
        var cmd = new Command("replay", "Replay a recorded ECG through the pipeline and print events as JSON lines.") { record, speed, annotations };
        common.AddTo(cmd);
        cmd.SetAction((parse, cancel) => CliErrors.Guard(async () =>
        {
            double speedValue = ParseSpeed(parse.GetValue(speed)!);
            var settings = common.Read(parse);   // every option checked before the record is opened
            var atrPath = parse.GetValue(annotations);
            if (atrPath is not null) CheckAnnotationPath(atrPath);   // before the replay, not after it
            // WFDB records (also .mat through their header) stream from disk block by block; EDF is read whole
            string path = parse.GetValue(record)!;
            var rec = Path.GetExtension(path).Equals(".edf", StringComparison.OrdinalIgnoreCase) ? null : StreamedRecording.OpenWfdb(path);
            var whole = rec is null ? RecordReader.Read(path) : null;
            string name = rec?.Name ?? whole!.Name;
            double rate = rec?.SampleRate ?? whole!.SampleRate;
            RecordArguments.PrintWarnings(rec?.Warnings ?? whole!.Warnings);
            using var setup = settings.BuildModel();
            using var sink = new JsonLinesSink(Console.OpenStandardOutput());
            var events = new List<RhythmEvent>(); // kept only for --annotations
            Action<RhythmEvent> onEvent = e => { sink.OnNext(e); if (atrPath is not null) events.Add(e); };
            var options = new ReplayOptions { Speed = speedValue, StreamId = settings.StreamId ?? name, DropProbability = settings.DropProbability };
            var result = rec is not null
                ? await ReplayRunner.RunAsync(rec, onEvent, options, settings.Bed, setup.Scheduler, settings.LeadOverrides, cancel)
                : await ReplayRunner.RunAsync(whole!, onEvent, options, settings.Bed, setup.Scheduler, settings.LeadOverrides, cancel);
            foreach (var note in result.Notes) Console.Error.WriteLine($"note: {note}");
            // a checksum mismatch already failed the run at its last block, as classify and evaluate refuse the record
            // (exit 2, the same error line); what could not be checked at all is said here
            if (rec is not null)
                foreach (var file in rec.UncheckedChecksumFiles())
                    Console.Error.WriteLine($"note: {file}: checksums not verified: the replay did not read every frame of it (blocks dropped by --drop, or no lead played from it)");
            if (atrPath is { } atr) WriteAnnotations(atr, events, rate, EventSource.Fused);
            Summary.Write(result, setup.Scheduler);
            return 0;
        }));
        return cmd;
    }

    /// <summary>Slowest and fastest paced playback: block due times are TimeSpans, which 1e-300 overflowed (a month-long record at 0.001 is 80 years, still a TimeSpan).</summary>
    public const double MinSpeed = 0.001, MaxSpeed = 100_000;

    internal static double ParseSpeed(string text)
    {
        if (text.Equals("max", StringComparison.OrdinalIgnoreCase)) return double.PositiveInfinity;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s is >= MinSpeed and <= MaxSpeed) return s;
        throw new ArgumentException($"--speed '{text}': expected 1 (real time), a number from {MinSpeed.ToString(CultureInfo.InvariantCulture)} to {MaxSpeed.ToString(CultureInfo.InvariantCulture)}, or 'max'");
    }

    private static void CheckAnnotationPath(string path)
    {
        if (Path.GetExtension(path).TrimStart('.').Length == 0) throw new ArgumentException($"--annotations '{path}': give the file an annotator extension, e.g. out.atr");
        CliPaths.OutputFile(path, "--annotations");
    }

    /// <summary>The episodes of one source as WFDB rhythm annotations (record path and extension from the file name).</summary>
    private static void WriteAnnotations(string path, List<RhythmEvent> events, double sampleRate, EventSource source)
    {
        var ext = Path.GetExtension(path).TrimStart('.');
        var rhythmEvents = events.Where(e => e.Type == EventType.Rhythm && e.Source == source).ToList();
        var episodes = RhythmClasses.Names.SelectMany(name => EpisodeMetrics.Pair(name, rhythmEvents).Select(p => p.Episode)).ToList();
        var recordPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileNameWithoutExtension(path));
        Wfdb.WriteAnnotations(recordPath, ext, RhythmLabels.ToAnnotations(episodes, sampleRate));
        Console.Error.WriteLine($"note: wrote {episodes.Count} {EventSources.Name(source)} episodes to {path}");
    }
}
