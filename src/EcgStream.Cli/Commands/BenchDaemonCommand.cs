using System.CommandLine;
using System.Text.Json;
using EcgStream.Daemon.Demo;

namespace EcgStream.Cli.Commands;

/// <summary>`ecgstream bench daemon`: latency from a frame written by a virtual device to the event it causes, through the whole daemon.</summary>
internal static class BenchDaemonCommand
{
    public static Command Create()
    {
        var beds = new Option<int>("--beds") { Description = $"Simulated devices, one bed each (12 leads, 500 Hz), 1..{CliLimits.MaxDaemonBeds}.", DefaultValueFactory = _ => 4 };
        var speed = new Option<double>("--speed") { Description = "Times real time for every device.", DefaultValueFactory = _ => 10 };
        var seconds = new Option<double>("--seconds") { Description = "Wall seconds to run.", DefaultValueFactory = _ => 60 };
        var cmd = new Command("daemon", "Device frame written → event through the daemon's sinks: p50/p99 latency (JSON).") { beds, speed, seconds };
        cmd.SetAction((parse, cancel) => CliErrors.Guard(async () =>
        {
            int b = CliLimits.Beds(parse.GetValue(beds), CliLimits.MaxDaemonBeds);
            double s = parse.GetValue(speed), t = parse.GetValue(seconds);
            if (!(s > 0)) throw new ArgumentException($"--speed {s}: expected a positive number");
            if (!(t > 0)) throw new ArgumentException($"--seconds {t}: expected a positive number");
            var report = await LatencyBenchmark.RunAsync(b, s, TimeSpan.FromSeconds(t), cancel);
            Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }));
        return cmd;
    }
}
