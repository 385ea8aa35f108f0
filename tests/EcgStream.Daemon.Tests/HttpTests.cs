using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EcgStream.Daemon.Configuration;

namespace EcgStream.Daemon.Tests;

public class HttpTests
{
    private static DaemonConfig TwoSyntheticBeds(string scenario, double speed, int clientBuffer = 256, int stripRate = 125) => new()
    {
        Beds =
        [
            new BedConfig { Id = "bed-a", Source = new SourceConfig { Kind = SourceKind.Synthetic, Scenario = scenario, Speed = speed, Loop = true } },
            new BedConfig { Id = "bed-b", Source = new SourceConfig { Kind = SourceKind.Synthetic, Seed = 5, Speed = speed } },
        ],
        Sinks = new SinksConfig { ClientBuffer = clientBuffer, StripRate = stripRate },
    };

    /// <summary>Prometheus text: every line a comment (# HELP / # TYPE) or NAME{LABELS} VALUE; returns the samples.</summary>
    internal static Dictionary<string, double> ParsePrometheus(string text)
    {
        var sample = new Regex("""^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (\S+)$""");
        var types = new Dictionary<string, string>();
        var result = new Dictionary<string, double>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal)) continue;
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var p = line.Split(' ');
                Assert.Contains(p[3], new[] { "counter", "gauge", "summary", "histogram", "untyped" });
                types[p[2]] = p[3];
                continue;
            }
            var m = sample.Match(line);
            Assert.True(m.Success, $"not a Prometheus sample line: {line}");
            string name = m.Groups[1].Value;
            string family = Regex.Replace(name, "_(sum|count|bucket)$", "");
            Assert.True(types.ContainsKey(name) || types.ContainsKey(family), $"{name} has no # TYPE line before it");
            // OpenTelemetry labels every series of ours with the Meter it came from; the key leaves them out
            string labels = m.Groups[2].Value;
            if (name != "target_info")
            {
                Assert.StartsWith("{otel_scope_name=\"EcgStream\",otel_scope_version=", labels);
                labels = Regex.Replace(labels, "otel_scope_(name|version)=\"[^\"]*\",?", "");
                if (labels == "{}") labels = "";
            }
            result[name + labels] = double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
        }
        return result;
    }

    [Fact]
    public async Task Health_beds_metrics_and_the_event_stream_answer()
    {
        var dir = Support.TempDir();
        await using var host = await Support.StartAsync(TwoSyntheticBeds(Support.ScenarioFile(dir, Support.PauseScenario), speed: 5));
        using var http = Support.Client(host);

        // the event stream: strips of both beds, and the pause of bed-a as onset and offset
        using var sse = await http.GetAsync("events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", sse.Content.Headers.ContentType!.MediaType);
        var messages = await ReadSse(await sse.Content.ReadAsStreamAsync(), TimeSpan.FromSeconds(40),
            ms => ms.Any(m => m.Event == "event" && m.Data.GetProperty("rhythm").GetString() == "PAUSE" && m.Data.GetProperty("kind").GetString() == "offset"));
        var strips = messages.Where(m => m.Event == "strip").ToList();
        Assert.Contains(strips, m => m.Data.GetProperty("stream").GetString() == "bed-a");
        Assert.Contains(strips, m => m.Data.GetProperty("stream").GetString() == "bed-b");
        var pause = messages.First(m => m.Event == "event" && m.Data.GetProperty("rhythm").GetString() == "PAUSE").Data;
        Assert.Equal("bed-a", pause.GetProperty("stream").GetString());
        Assert.Equal("alarm", pause.GetProperty("type").GetString());
        Assert.InRange(pause.GetProperty("start_s").GetDouble() % 29.5, 5.0, 7.5); // the scenario's pause, in whichever loop pass

        var health = JsonDocument.Parse(await http.GetStringAsync("health")).RootElement;
        Assert.Equal("ok", health.GetProperty("status").GetString());
        var hb = health.GetProperty("beds").EnumerateArray().ToList();
        Assert.Equal(["bed-a", "bed-b"], hb.Select(b => b.GetProperty("id").GetString()));
        Assert.All(hb, b => Assert.True(b.GetProperty("connected").GetBoolean()));
        Assert.All(hb, b => Assert.InRange(b.GetProperty("last_sample_age_s").GetDouble(), 0, 2));   // live (a loaded CI can stall a second)

        var beds = JsonDocument.Parse(await http.GetStringAsync("beds")).RootElement.EnumerateArray().ToList();
        Assert.Equal(500, beds[0].GetProperty("sample_rate").GetDouble());
        Assert.StartsWith("synthetic ", beds[0].GetProperty("source").GetString());
        Assert.True(beds[0].GetProperty("events").GetInt64() >= 2);
        Assert.Equal(JsonValueKind.Null, beds[0].GetProperty("model").ValueKind);

        var metricsResponse = await http.GetAsync("metrics");
        Assert.StartsWith("text/plain", metricsResponse.Content.Headers.ContentType!.ToString());
        Assert.Contains("version=0.0.4", metricsResponse.Content.Headers.ContentType!.ToString());
        var metrics = ParsePrometheus(await metricsResponse.Content.ReadAsStringAsync());
        Assert.True(metrics["ecgstream_bed_samples_total{bed=\"bed-a\"}"] > 500 * 5);
        Assert.Equal(1, metrics["ecgstream_bed_connected{bed=\"bed-b\"}"]);
        Assert.True(metrics["ecgstream_events_total{bed=\"bed-a\",kind=\"offset\",rhythm=\"PAUSE\",source=\"rule\",type=\"alarm\"}"] >= 1);
        Assert.True(metrics["ecgstream_event_latency_seconds_count{bed=\"bed-a\"}"] >= 2);
        // a histogram with the buckets DaemonMetrics advises (seconds, 1 ms to 10 s), not OpenTelemetry's millisecond defaults
        Assert.Equal(metrics["ecgstream_event_latency_seconds_count{bed=\"bed-a\"}"], metrics["ecgstream_event_latency_seconds_bucket{bed=\"bed-a\",le=\"+Inf\"}"]);
        Assert.True(metrics.ContainsKey("ecgstream_event_latency_seconds_bucket{bed=\"bed-a\",le=\"0.001\"}"));
        Assert.True(metrics.ContainsKey("ecgstream_event_latency_seconds_bucket{bed=\"bed-a\",le=\"10\"}"));
        Assert.False(metrics.ContainsKey("ecgstream_event_latency_seconds_bucket{bed=\"bed-a\",le=\"750\"}"));
        Assert.True(metrics["ecgstream_stream_messages_total"] > strips.Count / 2);
        Assert.Equal(1, metrics["ecgstream_stream_clients"]);
        // a scraper that asks for OpenMetrics gets it, with its terminating # EOF
        using var openMetricsRequest = new HttpRequestMessage(HttpMethod.Get, "metrics");
        openMetricsRequest.Headers.Accept.ParseAdd("application/openmetrics-text; version=1.0.0");
        using var openMetrics = await http.SendAsync(openMetricsRequest);
        Assert.StartsWith("application/openmetrics-text", openMetrics.Content.Headers.ContentType!.ToString());
        Assert.EndsWith("# EOF\n", await openMetrics.Content.ReadAsStringAsync());

        var page = await http.GetStringAsync("/");
        Assert.Contains("<canvas", page);
        Assert.Contains("new EventSource(\"events\")", page);
    }

    [Fact]
    public async Task A_stalled_client_is_isolated_while_others_and_the_pipeline_keep_their_pace()
    {
        var dir = Support.TempDir();
        const double speed = 20;
        var config = TwoSyntheticBeds(Support.ScenarioFile(dir, Support.PauseScenario), speed, clientBuffer: 256, stripRate: 500);
        await using var host = await Support.StartAsync(config, new DaemonHostOptions { HttpSocketSendBuffer = 4096 });

        // the stalled client: asks for the stream with a tiny receive window and never reads
        using var stalled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 1024 };
        await stalled.ConnectAsync(new IPEndPoint(IPAddress.Loopback, host.Address.Port));
        await stalled.SendAsync(Encoding.ASCII.GetBytes($"GET /events HTTP/1.1\r\nHost: 127.0.0.1:{host.Address.Port}\r\nAuthorization: Bearer {Support.Token}\r\n\r\n"));
        await Support.Until(() => host.Hub.ClientCount == 1, TimeSpan.FromSeconds(10), "the stalled client to connect");
        var stalledClient = host.Hub.Clients[0];

        // a reading client alongside
        using var http = Support.Client(host, Timeout.InfiniteTimeSpan);
        using var response = await http.GetAsync("events?bed=bed-a", HttpCompletionOption.ResponseHeadersRead);
        await Support.Until(() => host.Hub.ClientCount == 2, TimeSpan.FromSeconds(10), "the reading client to connect");
        var reader = host.Hub.Clients.Single(c => c != stalledClient);
        var started = DateTime.UtcNow;
        long samplesAtStart = host.Bed("bed-a").Samples;
        var readingTask = ReadSse(await response.Content.ReadAsStreamAsync(), TimeSpan.FromSeconds(8), _ => false, tolerateTimeout: true);
        var received = await readingTask;
        double wall = (DateTime.UtcNow - started).TotalSeconds;
        long samples = host.Bed("bed-a").Samples - samplesAtStart;

        Assert.True(stalledClient.Dropped > 0, $"the stalled client should have lost messages (delivered {stalledClient.Delivered})");
        Assert.True(stalledClient.Reader.Count <= 256, "its buffer is bounded");
        // the reading client keeps up: its buffer holds 5 s of its messages (only bed-a's reach it);
        // a long stall of this shared test machine itself may still cost it a few
        Assert.True(reader.Dropped <= reader.Delivered / 20, $"reading client dropped {reader.Dropped} of {reader.Delivered + reader.Dropped}");
        // bed-a's strip: 500 values/s of signal in 0.2 s chunks → 5 messages per signal second
        double expectedStrips = wall * speed * 5;
        int strips = received.Count(m => m.Event == "strip");
        Assert.True(strips >= 0.8 * expectedStrips, $"reading client got {strips} strips in {wall:F1} s, expected about {expectedStrips:F0}");
        Assert.True(received.All(m => m.Data.GetProperty("stream").GetString() == "bed-a"), "?bed= filters");
        // the pipeline kept real time × speed
        Assert.True(samples >= 0.85 * wall * speed * 500, $"bed-a took {samples} samples in {wall:F1} s at {speed}×");
        var metrics = ParsePrometheus(await http.GetStringAsync("metrics"));
        Assert.True(metrics["ecgstream_stream_dropped_total"] > 0);
    }

    [Fact]
    public async Task Clients_that_stop_reading_are_disconnected_after_slowClientSeconds_and_their_slots_serve_others()
    {
        var dir = Support.TempDir();
        // the reading client below gets about 100 messages a second: it would have to stall for 2.5 s (its queue) + 2 s
        // before it counted as slow, which a loaded test machine does not do; the stalled clients are found 2 s after
        // their writes stop completing
        var config = TwoSyntheticBeds(Support.ScenarioFile(dir, Support.PauseScenario), speed: 20, clientBuffer: 256, stripRate: 500) with
        {
            Http = new HttpConfig { MaxClients = 3, SlowClientSeconds = 2 },
        };
        // small kernel buffers: a client that does not read blocks the daemon's writes within a second of strips
        await using var host = await Support.StartAsync(config, new DaemonHostOptions { HttpSocketSendBuffer = 4096 });
        using var http = Support.Client(host, Timeout.InfiniteTimeSpan);

        // a client that reads takes the first slot and keeps reading throughout
        using var reading = await http.GetAsync("events?bed=bed-a", HttpCompletionOption.ResponseHeadersRead);
        await Support.Until(() => host.Hub.ClientCount == 1, TimeSpan.FromSeconds(10), "the reading client to connect");
        var reader = host.Hub.Clients[0];
        bool stopReading = false;
        var readingTask = ReadSse(await reading.Content.ReadAsStreamAsync(), TimeSpan.FromSeconds(120), _ => Volatile.Read(ref stopReading));

        // two that ask for a stream and never read, one SSE and one WebSocket, take the other two slots
        string auth = $"Host: 127.0.0.1:{host.Address.Port}\r\nAuthorization: Bearer {Support.Token}\r\n";
        using var sse = await StalledClient(host, $"GET /events HTTP/1.1\r\n{auth}\r\n");
        using var ws = await StalledClient(host, $"GET /ws HTTP/1.1\r\n{auth}Upgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        await Support.Until(() => host.Hub.ClientCount == 3, TimeSpan.FromSeconds(10), "the stalled clients to connect");
        using (var full = await http.GetAsync("events", HttpCompletionOption.ResponseHeadersRead))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, full.StatusCode);

        // both fall behind: their writes stop completing; 2 s later each is disconnected and its slot freed
        await Support.Until(() => host.Hub.SlowClients == 2 && host.Access.Clients == 1, TimeSpan.FromSeconds(30),
            $"the stalled clients to be disconnected (slow {host.Hub.SlowClients}, slots taken {host.Access.Clients})");
        await AssertClosedByServer(sse);
        await AssertClosedByServer(ws);
        using var next = await http.GetAsync("events?bed=bed-b", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        var served = await ReadSse(await next.Content.ReadAsStreamAsync(), TimeSpan.FromSeconds(20), ms => ms.Count >= 3);
        Assert.All(served, m => Assert.Equal("bed-b", m.Data.GetProperty("stream").GetString()));

        // the reading client was never taken for a slow one and still gets its messages
        long delivered = reader.Delivered;
        await Support.Until(() => reader.Delivered > delivered + 10, TimeSpan.FromSeconds(20), "the reading client to go on receiving");
        var metrics = ParsePrometheus(await http.GetStringAsync("metrics"));
        Assert.Equal(2, metrics["ecgstream_stream_slow_clients_total"]);
        Volatile.Write(ref stopReading, true);
        Assert.False(reader.Slow, $"the reading client was taken for a slow one (it had lost {reader.Dropped} of {reader.Dropped + reader.Delivered} messages)");
        Assert.Contains(await readingTask, m => m.Event == "strip");
    }

    /// <summary>A client that sends <paramref name="request"/> with a tiny receive window and never reads.</summary>
    private static async Task<Socket> StalledClient(DaemonHost host, string request)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 1024 };
        await s.ConnectAsync(new IPEndPoint(IPAddress.Loopback, host.Address.Port));
        await s.SendAsync(Encoding.ASCII.GetBytes(request));
        return s;
    }

    /// <summary>Reads what the daemon had sent until the connection ends (end of stream or reset); fails if it stays open.</summary>
    private static async Task AssertClosedByServer(Socket s)
    {
        var buffer = new byte[64 * 1024];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            while (await s.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0) { }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { }
        catch (OperationCanceledException) { Assert.Fail("the daemon did not close the slow client's connection"); }
    }

    internal sealed record SseMessage(string Event, JsonElement Data);

    /// <summary>Reads SSE messages until <paramref name="done"/> holds or <paramref name="timeout"/> passes (failing unless tolerated).</summary>
    internal static async Task<List<SseMessage>> ReadSse(Stream stream, TimeSpan timeout, Func<List<SseMessage>, bool> done, bool tolerateTimeout = false)
    {
        var list = new List<SseMessage>();
        using var cts = new CancellationTokenSource(timeout);
        using var reader = new StreamReader(stream);
        string? ev = null;
        try
        {
            while (!done(list))
            {
                var line = await reader.ReadLineAsync(cts.Token);
                if (line is null) break;
                if (line.StartsWith("event: ", StringComparison.Ordinal)) ev = line[7..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                    list.Add(new SseMessage(ev ?? "message", JsonDocument.Parse(line[6..]).RootElement.Clone()));
            }
        }
        catch (OperationCanceledException) when (tolerateTimeout) { }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"event stream: condition not met within {timeout.TotalSeconds:F0} s; got {list.Count} messages: " +
                string.Join(", ", list.Where(m => m.Event == "event").Select(m => m.Data.GetRawText())));
        }
        return list;
    }
}
