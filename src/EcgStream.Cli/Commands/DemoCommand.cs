using System.CommandLine;
using EcgStream.Daemon.Demo;

namespace EcgStream.Cli.Commands;

/// <summary>
/// `ecgstream demo`: a simulated bed end to end (generator → virtual device → wire protocol over
/// TCP loopback → the daemon's pipeline), events as JSON lines on stdout, the live view on HTTP.
/// </summary>
internal static class DemoCommand
{
    public const double MinSpeed = 0.001, MaxDurationSeconds = 7 * 24 * 3600;

    private static string Invariant(double x) => x.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static Command Create()
    {
        var duration = new Option<double?>("--duration") { Description = "Seconds of simulated signal to play (wall time: this / --speed). Default: until Ctrl-C." };
        var port = new Option<int>("--port") { Description = "HTTP port of the live view on 127.0.0.1 (0: any free port).", DefaultValueFactory = _ => 8370 };
        var scenario = new Option<string?>("--scenario") { Description = "Scenario file (see tools/scenarios/); default: SR → AF → SR with a pause → STACH → SBRAD, looped." };
        var speed = new Option<double>("--speed") { Description = "Times real time.", DefaultValueFactory = _ => 1.0 };
        var model = new Option<string?>("--model") { Description = $"ONNX model, contract v1 or v2 ('none': rules only). Default: {BundledModel.FileName} when present." };
        var inProcess = new Option<bool>("--in-process-device") { Description = "Use the C# virtual device even when firmware-bridge/build/vdev is built." };
        var cmd = new Command("demo", "A simulated bed end to end, with the live view in the browser.") { duration, port, scenario, speed, model, inProcess };
        cmd.SetAction((parse, cancel) => CliErrors.Guard(async () =>
        {
            // bounded so the wall time (duration / speed) is a time the runtime can wait for, checked before the device starts
            double s = parse.GetValue(speed);
            if (!(s is >= MinSpeed and <= 1000)) throw new ArgumentException($"--speed {Invariant(s)}: expected {Invariant(MinSpeed)} to 1000");
            if (parse.GetValue(duration) is { } d && !(d is > 0 and <= MaxDurationSeconds))
                throw new ArgumentException($"--duration {Invariant(d)}: expected seconds above 0, at most {Invariant(MaxDurationSeconds)} (7 days)");
            int p = parse.GetValue(port);
            if (p is < 0 or > 65535) throw new ArgumentException($"--port {p}: expected 0..65535");
            string? m = BundledModel.Resolve(parse.GetValue(model));
            try
            {
                await DemoRunner.RunAsync(new DemoOptions
                {
                    DurationSeconds = parse.GetValue(duration),
                    Port = p,
                    ScenarioPath = parse.GetValue(scenario),
                    Speed = s,
                    ModelPath = m,
                    UseVdev = !parse.GetValue(inProcess),
                }, cancel);
            }
            catch (IOException e) when (e.Message.Contains("bind", StringComparison.OrdinalIgnoreCase))
            {
                Console.Error.WriteLine($"error: {e.Message} (is another daemon or demo running? --port 0 picks a free port)");
                return 2;
            }
            return 0;
        }));
        return cmd;
    }
}
