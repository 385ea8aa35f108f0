using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EcgStream.Core.Events;
using EcgStream.Core.Leads;
using EcgStream.Daemon.Configuration;
using EcgStream.Ingest.Wire;
using EcgStream.Synthetic;
using Microsoft.Extensions.Logging;

namespace EcgStream.Daemon.Demo;

/// <summary>What <see cref="DemoRunner.RunAsync"/> should do.</summary>
public sealed record DemoOptions
{
    /// <summary>Seconds of simulated signal to play (wall time is this / <see cref="Speed"/>); null: until cancelled.</summary>
    public double? DurationSeconds { get; init; }
    /// <summary>HTTP port of the live view (0: any free port).</summary>
    public int Port { get; init; } = 8370;
    /// <summary>A scenario file; null: <see cref="DemoRunner.DefaultScenario"/>.</summary>
    public string? ScenarioPath { get; init; }
    public double Speed { get; init; } = 1;
    public string? ModelPath { get; init; }
    /// <summary>The C virtual device (firmware-bridge/build/vdev); null: look for it, and use the in-process one if absent.</summary>
    public string? VdevPath { get; init; }
    public bool UseVdev { get; init; } = true;
    /// <summary>Where events go as JSON lines (default: standard output).</summary>
    public Stream? Stdout { get; init; }
    /// <summary>Where notes go (default: standard error).</summary>
    public TextWriter? Notes { get; init; }
    public LogLevel LogLevel { get; init; } = LogLevel.Warning;
    public Action<RhythmEvent>? OnEvent { get; init; }
}

/// <summary>What a demo run did.</summary>
public sealed record DemoResult(string Device, Uri LiveView, int Events, double SignalSeconds, bool ModelUsed);

/// <summary>
/// <c>ecgstream demo</c>: one simulated bed end to end — the synthetic generator feeds a virtual
/// device (firmware-bridge's C vdev fed raw samples on its stdin, or the in-process
/// <see cref="SimulatedWireDevice"/> when vdev is not built), which serves the wire protocol on
/// TCP loopback; the daemon connects to it as a tcp-client bed, runs the pipeline (the model when
/// one is given, else the rules), prints events as JSON lines and serves the live view.
/// </summary>
public static class DemoRunner
{
    public const string BedId = "demo-bed";
    private const uint GainNanovolts = 2500;

    /// <summary>Sinus rhythm → atrial fibrillation → sinus with a pause → tachycardia → bradycardia, looped: an event within the first minute.</summary>
    public static Scenario DefaultScenario() => new()
    {
        Seed = 2026,
        SampleRate = 500,
        Leads = LeadSet.All,
        Noise = new NoiseSpec { Snr = 26, BaselineWander = 0.5, Muscle = 0.3 },
        Segments =
        [
            new("SR", 20, HeartRate: 72),
            new("AF", 60, HeartRate: 96),
            new("SR", 20, HeartRate: 76),
            new("PAUSE", 3.4),
            new("SR", 20, HeartRate: 74),
            new("STACH", 40, HeartRate: 128),
            new("SR", 15, HeartRate: 80),
            new("SBRAD", 40, HeartRate: 42),
        ],
    };

    /// <summary>firmware-bridge/build/vdev found from the working directory or the tool's folder upwards; null if not built.</summary>
    public static string? FindVdev()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var p = Path.Combine(dir.FullName, "firmware-bridge", "build", "vdev");
                if (File.Exists(p)) return p;
            }
        return null;
    }

    public static async Task<DemoResult> RunAsync(DemoOptions o, CancellationToken cancellationToken = default)
    {
        // the wall time is computed before anything starts: a duration TimeSpan cannot hold fails here, not with a device running
        if (!(o.Speed > 0) || !double.IsFinite(o.Speed)) throw new ArgumentOutOfRangeException(nameof(o), o.Speed, "speed must be positive and finite");
        TimeSpan? wall = o.DurationSeconds is { } d ? TimeSpan.FromSeconds(d / o.Speed) : null;
        var notes = o.Notes ?? Console.Error;
        var scenario = o.ScenarioPath is { } sp ? ScenarioFile.Load(sp) : DefaultScenario();
        var synthetic = new SyntheticEcgStream(scenario, loop: true);
        string? vdev = o.UseVdev ? o.VdevPath ?? FindVdev() : null;
        // a token of this demo's own, in a fresh private directory (0700), not the daemon's state directory; removed at exit
        var tokenDir = Directory.CreateTempSubdirectory("ecgstream-demo-").FullName;
        try
        {
            return await RunAsync(o, notes, synthetic, vdev, Path.Combine(tokenDir, "token"), wall, cancellationToken);
        }
        finally
        {
            try { Directory.Delete(tokenDir, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    private static async Task<DemoResult> RunAsync(DemoOptions o, TextWriter notes, SyntheticEcgStream synthetic, string? vdev, string tokenFile,
        TimeSpan? wall, CancellationToken cancellationToken)
    {
        await using var device = vdev is not null
            ? (IDemoDevice)VdevDevice.Start(vdev, synthetic, o.Speed, FreePort())
            : new InProcessDevice(synthetic, o.Speed);
        var config = new DaemonConfig
        {
            Listen = $"http://127.0.0.1:{o.Port}",
            ModelPath = o.ModelPath,
            Beds = [new BedConfig { Id = BedId, Source = new SourceConfig { Kind = SourceKind.TcpClient, Host = "127.0.0.1", Port = device.Port, ReconnectInitialSeconds = 0.1, ReconnectMaxSeconds = 2 } }],
            Sinks = new SinksConfig { Jsonl = "stdout" },
            Http = new HttpConfig { TokenFile = tokenFile },
        };
        int events = 0;
        await using var host = DaemonHost.Build(config, new DaemonHostOptions
        {
            Stdout = o.Stdout,
            HandleSignals = false,
            MinimumLogLevel = o.LogLevel,
            OnEvent = e => { Interlocked.Increment(ref events); o.OnEvent?.Invoke(e); },
        });
        await host.StartAsync(cancellationToken);
        var live = host.Address;
        await notes.WriteLineAsync($"demo: virtual device: {device.Description}");
        await notes.WriteLineAsync(o.ModelPath is null
            ? "demo: no model bundled (models/ecgstream.onnx): rhythms come from the rule-based detectors"
            : $"demo: model {host.Model!.ModelId}");
        await notes.WriteLineAsync($"demo: live view at {live}#token=TOKEN, TOKEN in {config.Http.TokenFile}   (events follow as JSON lines; Ctrl-C stops)");

        var clock = Stopwatch.StartNew();
        try
        {
            if (wall is { } w)
            {
                // in steps: Task.Delay takes at most ~49.7 days, and 7 days at speed 0.001 is longer
                for (var left = w; left > TimeSpan.Zero; left = w - clock.Elapsed)
                    await Task.Delay(left < TimeSpan.FromDays(1) ? left : TimeSpan.FromDays(1), cancellationToken);
            }
            else await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) { }
        await host.StopAsync(CancellationToken.None);
        double played = clock.Elapsed.TotalSeconds * o.Speed;
        await notes.WriteLineAsync($"demo: stopped after {played:F0} s of signal; {events} event(s)");
        return new DemoResult(device.Description, live, events, played, o.ModelPath is not null);
    }

    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private interface IDemoDevice : IAsyncDisposable
    {
        int Port { get; }
        string Description { get; }
    }

    private sealed class InProcessDevice : IDemoDevice
    {
        private readonly SimulatedWireDevice _device;

        public InProcessDevice(SyntheticEcgStream source, double speed)
        {
            _device = new SimulatedWireDevice(source, speed, gainNanovolts: GainNanovolts);
            _device.Start();
        }

        public int Port => _device.Port;
        public string Description => $"in-process C# virtual device (firmware-bridge/build/vdev not built) on 127.0.0.1:{Port}";
        public ValueTask DisposeAsync() => _device.DisposeAsync();
    }

    /// <summary>The C vdev as a child process: raw int16 samples on its stdin, frames served on TCP.</summary>
    private sealed class VdevDevice : IDemoDevice
    {
        private readonly Process _process;
        private readonly Task _feeder;
        private readonly CancellationTokenSource _stop = new();

        private VdevDevice(Process process, SyntheticEcgStream source, int port)
        {
            _process = process;
            Port = port;
            Path = process.StartInfo.FileName;
            _feeder = Task.Factory.StartNew(() => Feed(source), TaskCreationOptions.LongRunning);
        }

        public int Port { get; }
        private string Path { get; }
        public string Description => $"{Path} (pid {_process.Id}) on 127.0.0.1:{Port}, fed raw samples on stdin";

        public static VdevDevice Start(string vdev, SyntheticEcgStream source, double speed, int port)
        {
            var psi = new ProcessStartInfo(vdev)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = false,
                UseShellExecute = false,
            };
            foreach (var a in new[] { "--tcp-listen", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--raw", "/dev/stdin",
                         "--leads", $"0x{source.Leads.Mask:X4}", "--rate", source.SampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
                         "--gain-nv", GainNanovolts.ToString(System.Globalization.CultureInfo.InvariantCulture), "--format", "int16",
                         "--speed", speed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                         // a demo killed with SIGKILL cannot stop vdev, which would wait in accept() for ever: it watches us
                         "--parent-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) })
                psi.ArgumentList.Add(a);
            var p = Process.Start(psi) ?? throw new IOException($"could not start {vdev}");
            p.OutputDataReceived += (_, _) => { }; // vdev's stdout is not ours: keep the JSON lines clean
            p.BeginOutputReadLine();
            return new VdevDevice(p, source, port);
        }

        private void Feed(SyntheticEcgStream source)
        {
            var writer = new RawSampleWriter(_process.StandardInput.BaseStream, GainNanovolts);
            int block = (int)(source.SampleRate / 10);
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var b = source.ReadBlock(BedId, block);
                    if (b.Length == 0) break;
                    writer.Write(b); // blocks when the pipe is full: vdev paces the stream
                }
            }
            catch (IOException) { } // vdev exited
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            if (!_process.HasExited) _process.Kill();
            // bounded: with its output read line by line, the wait also waits for the end of that output
            using (var exited = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
                try { await _process.WaitForExitAsync(exited.Token); } catch (OperationCanceledException) { }
            try { _process.StandardInput.Close(); } catch (IOException) { }
            await _feeder;
            _process.Dispose();
            _stop.Dispose();
        }
    }
}
