using System.CommandLine;
using System.Text.Json;
using EcgStream.Core.Leads;
using EcgStream.Formats;
using EcgStream.Ingest.Replay;
using EcgStream.Runtime.Replay;
using EcgStream.Synthetic;

namespace EcgStream.Cli.Commands;

/// <summary>
/// `ecgstream bench replay`: replay speed (× real time) of whole records through the pipeline, and
/// the steady-state allocation rate, measured as the extra bytes a longer replay allocates over a
/// shorter one of the same record, per second of stream (so start-up allocations cancel out).
/// Without RECORD arguments it uses a 30-minute 2-lead record (MIT-BIH 201 when ../shared/data is
/// present, else synthetic) and a 30-minute synthetic 12-lead 500 Hz record.
/// </summary>
internal static class BenchReplayCommand
{
    public static Command Create()
    {
        var records = new Argument<string[]>("records") { Description = "Records to replay (default: a 2-lead and a 12-lead 30-minute record).", Arity = ArgumentArity.ZeroOrMore };
        var runs = new Option<int>("--runs") { Description = "Timed runs per record (the median is reported).", DefaultValueFactory = _ => 3 };
        var common = PipelineOptions.Create();
        var cmd = new Command("replay", "Replay speed and steady-state allocation of the pipeline.") { records, runs };
        common.AddTo(cmd);
        cmd.SetAction((parse, cancel) => CliErrors.Guard(async () =>
        {
            var settings = common.Read(parse);
            using var setup = settings.BuildModel();
            var inputs = parse.GetValue(records) is { Length: > 0 } given ? RecordArguments.Distinct(given).Select(RecordReader.Read).ToList() : DefaultRecords();
            using var stdout = Console.OpenStandardOutput();
            foreach (var rec in inputs)
            {
                var options = new ReplayOptions { StreamId = rec.Name };
                await ReplayRunner.RunAsync(rec, _ => { }, options, settings.Bed, setup.Scheduler, settings.LeadOverrides, cancel); // warm-up
                var speeds = new List<double>();
                ReplayResult? last = null;
                for (int i = 0; i < Math.Max(1, parse.GetValue(runs)); i++)
                {
                    last = await ReplayRunner.RunAsync(rec, _ => { }, options, settings.Bed, setup.Scheduler, settings.LeadOverrides, cancel);
                    speeds.Add(last.TimesRealTime);
                }
                var third = Slice(rec, rec.Length / 3);
                long a0 = GC.GetTotalAllocatedBytes(precise: true);
                await ReplayRunner.RunAsync(third, _ => { }, options, settings.Bed, setup.Scheduler, settings.LeadOverrides, cancel);
                long a1 = GC.GetTotalAllocatedBytes(precise: true);
                await ReplayRunner.RunAsync(rec, _ => { }, options, settings.Bed, setup.Scheduler, settings.LeadOverrides, cancel);
                long a2 = GC.GetTotalAllocatedBytes(precise: true);
                double perSecond = ((a2 - a1) - (a1 - a0)) / (rec.DurationSeconds - third.DurationSeconds);
                using (var w = new Utf8JsonWriter(stdout))
                {
                    w.WriteStartObject();
                    w.WriteString("record", rec.Name);
                    w.WriteString("leads", last!.Leads.ToString());
                    w.WriteNumber("sample_rate", rec.SampleRate);
                    w.WriteNumber("duration_s", Math.Round(rec.DurationSeconds, 1));
                    w.WriteBoolean("model", setup.Scheduler is not null);
                    w.WriteNumber("x_realtime_median", Math.Round(speeds.Order().ElementAt(speeds.Count / 2), 1));
                    w.WriteNumber("x_realtime_best", Math.Round(speeds.Max(), 1));
                    w.WriteNumber("steady_state_bytes_per_stream_s", Math.Round(perSecond, 1));
                    w.WriteNumber("processor_count", Environment.ProcessorCount);
                    w.WriteEndObject();
                }
                stdout.Write("\n"u8);
                stdout.Flush();
            }
            return 0;
        }));
        return cmd;
    }

    private static List<Recording> DefaultRecords()
    {
        var list = new List<Recording>();
        var mitdb = SharedData.Find() is { } data ? Path.Combine(data, "mitdb", "201") : null;
        list.Add(mitdb is not null && File.Exists(mitdb + ".hea")
            ? RecordReader.Read(mitdb)
            : Simulator.Run(ScenarioLibrary.Random(201, TimeSpan.FromMinutes(30), 360, LeadSet.Of(Lead.II, Lead.V1))).Recording);
        list.Add(Simulator.Run(ScenarioLibrary.Random(12, TimeSpan.FromMinutes(30), 500, LeadSet.All)).Recording);
        return list;
    }

    /// <summary>The shared recordings: ECGSTREAM_DATA, else ../shared/data beside the repository the tool was built in.</summary>
    private static class SharedData
    {
        public static string? Find()
        {
            if (Environment.GetEnvironmentVariable("ECGSTREAM_DATA") is { Length: > 0 } env) return Directory.Exists(env) ? env : null;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "EcgStream.sln")))
                {
                    var data = Path.Combine(dir.FullName, "..", "shared", "data");
                    return Directory.Exists(data) ? Path.GetFullPath(data) : null;
                }
            return null;
        }
    }

    /// <summary>The first <paramref name="length"/> samples of a recording.</summary>
    private static Recording Slice(Recording r, int length) => new()
    {
        Name = r.Name,
        SampleRate = r.SampleRate,
        Signals = r.Signals,
        Samples = r.Samples.Select(s => s[..length]).ToArray(),
    };
}
