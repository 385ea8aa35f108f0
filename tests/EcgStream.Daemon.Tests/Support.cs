using System.Net;
using System.Net.Sockets;
using EcgStream.Daemon;
using EcgStream.Daemon.Configuration;
using Microsoft.Extensions.Logging;

namespace EcgStream.Daemon.Tests;

/// <summary>Shared helpers: temporary folders, bounded waits, an in-process daemon on a free port.</summary>
internal static class Support
{
    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "ecgstreamd-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>Polls <paramref name="condition"/> until true or <paramref name="timeout"/>; fails with <paramref name="what"/>.</summary>
    public static async Task Until(Func<bool> condition, TimeSpan timeout, string what)
    {
        var end = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > end) throw new TimeoutException($"timed out after {timeout.TotalSeconds:F0} s waiting for {what}");
            await Task.Delay(25);
        }
    }

    /// <summary>The bearer token of daemons started by <see cref="StartAsync"/> (unless a test configures its own).</summary>
    public const string Token = "test-token-0123456789abcdef";

    /// <summary>An HTTP client that presents <see cref="Token"/>.</summary>
    public static HttpClient Client(DaemonHost host, TimeSpan? timeout = null)
    {
        var http = new HttpClient { BaseAddress = host.Address, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        return http;
    }

    public static async Task<DaemonHost> StartAsync(DaemonConfig config, DaemonHostOptions? options = null)
    {
        if (config.Http.Token is null && config.Http.TokenFile is null) config = config with { Http = config.Http with { Token = Token } };
        var host = DaemonHost.Build(config with { Listen = "http://127.0.0.1:0" },
            (options ?? new DaemonHostOptions()) with { HandleSignals = false, MinimumLogLevel = LogLevel.Warning });
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return host;
    }

    public static string ScenarioFile(string dir, string json)
    {
        var p = Path.Combine(dir, "scenario.json");
        File.WriteAllText(p, json);
        return p;
    }

    /// <summary>Sinus rhythm with a pause early on: the rules report it within seconds of signal.</summary>
    public const string PauseScenario = """
        { "seed": 11, "sampleRate": 500, "leads": ["I", "II", "V1"], "noise": { "snr": 30 },
          "segments": [ { "rhythm": "SR", "durationSeconds": 6, "heartRate": 70 },
                        { "rhythm": "PAUSE", "durationSeconds": 3.5 },
                        { "rhythm": "SR", "durationSeconds": 20, "heartRate": 70 } ] }
        """;

    public static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }
}
