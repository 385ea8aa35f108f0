using System.Globalization;
using System.Text;
using System.Text.Json;
using EcgStream.Cluster;
using EcgStream.Core.Events;
using EcgStream.Daemon.Configuration;
using EcgStream.Runtime.Sinks;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace EcgStream.Daemon.Tests;

/// <summary>A fact that starts its own nats-server; skipped with a message where nats-server is not installed.</summary>
public sealed class NatsFactAttribute : FactAttribute
{
    public NatsFactAttribute()
    {
        if (LoopbackNatsCluster.FindServer() is null) Skip = "nats-server not installed (Debian package nats-server, or set NATS_SERVER): cluster role tests skipped";
    }
}

/// <summary>ecgstreamd in the cluster's central role (docs/scale-out.md, "ecgstreamd roles").</summary>
public sealed class CentralRoleTests
{
    private static RhythmEvent Event(string bed, string rhythm, double start, EventKind kind = EventKind.Onset) =>
        new(bed, EventType.Alarm, kind, rhythm, start, kind == EventKind.Offset ? start + 3 : null, start + 1.5, 0.9, EventSource.Rule,
            RunId: "w1", DetectedUtc: new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero).AddSeconds(start));

    /// <summary>Publishes an event as a worker does (subject, JSON, sample-time header, the event id as Nats-Msg-Id); a null id stores a twin.</summary>
    private static async Task<string> PublishAsync(NatsJSContext js, ClusterSettings s, RhythmEvent e, bool withId = true)
    {
        string json = EventJson.ToJson(e);
        var headers = new NatsHeaders { ["Ecg-Sample-Time"] = "1796299200000" };
        var ack = await js.PublishAsync(s.EventSubject(e.StreamId), Encoding.UTF8.GetBytes(json), headers: headers,
            opts: withId ? new NatsJSPubOpts { MsgId = EventIds.Of(e) } : null);
        ack.EnsureSuccess();
        Assert.False(ack.Duplicate);
        return json;
    }

    private static DaemonConfig Central(LoopbackNatsCluster cluster, string jsonl) => new()
    {
        Sinks = new SinksConfig { Jsonl = jsonl },
        Cluster = new ClusterConfig
        {
            Role = ClusterRole.Central, Urls = cluster.Urls, User = cluster.User, Password = cluster.Password,
            Replicas = 1, Consumer = "station1", Start = FeedStart.All,
        },
    };

    /// <summary>One loopback server with the stream layout, a client that publishes as a worker would, and a JSON-lines path for central.</summary>
    private sealed record PublishingServer(LoopbackNatsCluster Cluster, ClusterSettings Settings, NatsConnection Nats, NatsJSContext Js, string Jsonl) : IAsyncDisposable
    {
        public static async Task<PublishingServer> StartAsync()
        {
            var cluster = await LoopbackNatsCluster.StartAsync(1);
            var settings = cluster.Settings();
            var nats = new NatsConnection(settings.ClientOptions("test-worker"));
            var js = new NatsJSContext(nats);
            await JetStreamSetup.EnsureWithRetryAsync(js, settings, TimeSpan.FromSeconds(30));
            return new PublishingServer(cluster, settings, nats, js, Path.Combine(Support.TempDir(), "central.jsonl"));
        }

        public async ValueTask DisposeAsync()
        {
            await Nats.DisposeAsync();
            await Cluster.DisposeAsync();
        }
    }

    private static string[] Lines(string path) => File.Exists(path) ? File.ReadAllLines(path) : [];

    /// <summary>
    /// Events published as workers publish them reach the central daemon's JSON-lines sink and SSE stream once each, in
    /// stream order: a twin stored twice in the stream (the same event id outside JetStream's de-duplication window) is
    /// delivered once, events published while the central daemon is down arrive after its restart, and none delivered
    /// before the restart comes again. Delivery is in stream order, so "the last one arrived" means "all before it did".
    /// </summary>
    [NatsFact]
    public async Task Central_delivers_every_cluster_event_once_to_JSON_lines_and_SSE_across_a_restart()
    {
        await using var server = await PublishingServer.StartAsync();
        var (cluster, settings, js, jsonl) = (server.Cluster, server.Settings, server.Js, server.Jsonl);
        var expected = new List<string>
        {
            // before the central daemon exists: a new consumer with start "all" gets them
            await PublishAsync(js, settings, Event("bed001", "PAUSE", 10)),
            await PublishAsync(js, settings, Event("bed002", "LEAD_OFF", 12)),
        };
        await PublishAsync(js, settings, Event("bed001", "PAUSE", 10), withId: false); // a twin: stored, not delivered

        await using (var host = await Support.StartAsync(Central(cluster, jsonl)))
        {
            Assert.Empty(host.Beds);
            await Support.Until(() => Lines(jsonl).Length >= 2, TimeSpan.FromSeconds(30), "the first two events in the JSON-lines file");
            using var http = Support.Client(host);
            using var sse = await http.GetAsync("events?strips=false", HttpCompletionOption.ResponseHeadersRead);
            var reading = HttpTests.ReadSse(await sse.Content.ReadAsStreamAsync(), TimeSpan.FromSeconds(30),
                ms => ms.Count(m => m.Event == "event") >= 2);
            // the response's headers go out with its first line, written after the client joined the hub: from here on it gets every event
            expected.Add(await PublishAsync(js, settings, Event("bed003", "ASYSTOLE", 20)));
            await PublishAsync(js, settings, Event("bed002", "LEAD_OFF", 12), withId: false); // a twin of one delivered earlier
            expected.Add(await PublishAsync(js, settings, Event("bed003", "ASYSTOLE", 20, EventKind.Offset)));
            var messages = await reading;
            Assert.Equal(expected.Skip(2), messages.Where(m => m.Event == "event").Select(m => m.Data.GetRawText()));
            await Support.Until(() => Lines(jsonl).Length >= 4, TimeSpan.FromSeconds(30), "four events in the JSON-lines file");

            var health = JsonDocument.Parse(await http.GetStringAsync("health")).RootElement;
            Assert.Equal("ok", health.GetProperty("status").GetString());
            var c = health.GetProperty("cluster");
            Assert.Equal(("central", "events.site1.>", "station1", true), (c.GetProperty("role").GetString(), c.GetProperty("subject").GetString(),
                c.GetProperty("consumer").GetString(), c.GetProperty("connected").GetBoolean()));
            Assert.Equal((4, 2, 0), (c.GetProperty("events_delivered").GetInt64(), c.GetProperty("duplicates").GetInt64(), c.GetProperty("malformed").GetInt64()));
            var metrics = HttpTests.ParsePrometheus(await http.GetStringAsync("metrics"));
            Assert.Equal(4, metrics["ecgstream_cluster_events_total{result=\"delivered\"}"]);
            Assert.Equal(2, metrics["ecgstream_cluster_events_total{result=\"duplicate\"}"]);
            Assert.Equal(1, metrics["ecgstream_cluster_connected"]);
        }

        // while the central daemon is down: a new event, and a twin of one it delivered (its ids are read back at start)
        expected.Add(await PublishAsync(js, settings, Event("bed004", "PAUSE", 30)));
        await PublishAsync(js, settings, Event("bed003", "ASYSTOLE", 20), withId: false);
        expected.Add(await PublishAsync(js, settings, Event("bed004", "PAUSE", 30, EventKind.Offset)));

        await using (var host = await Support.StartAsync(Central(cluster, jsonl)))
        {
            await Support.Until(() => Lines(jsonl).Length >= expected.Count, TimeSpan.FromSeconds(30), "the events published while down");
            // the last one is in, and delivery is in stream order: nothing more is on its way
            Assert.Equal(expected, Lines(jsonl));
            Assert.Equal(1, host.Feed!.Duplicates);
            Assert.Equal(2, host.Feed.Delivered);
        }
    }

    /// <summary>
    /// The crash window: a run that wrote an event to its JSON-lines file and died before acknowledging it. The next run
    /// gets the event again from the cluster, finds it at the end of the file, and does not write it twice.
    /// </summary>
    [NatsFact]
    public async Task An_event_written_but_not_acknowledged_before_a_crash_is_not_written_again()
    {
        await using var server = await PublishingServer.StartAsync();
        var (cluster, settings, js, jsonl) = (server.Cluster, server.Settings, server.Js, server.Jsonl);
        var first = await PublishAsync(js, settings, Event("bed001", "PAUSE", 10));
        await using (var host = await Support.StartAsync(Central(cluster, jsonl)))
            await Support.Until(() => Lines(jsonl).Length == 1, TimeSpan.FromSeconds(30), "the first event");
        // as if a run had written this one and crashed before its acknowledgement: in the file, unacknowledged in the stream
        var written = await PublishAsync(js, settings, Event("bed002", "ASYSTOLE", 20));
        File.AppendAllText(jsonl, written + "\n");
        var after = await PublishAsync(js, settings, Event("bed002", "ASYSTOLE", 20, EventKind.Offset));
        await using (var host = await Support.StartAsync(Central(cluster, jsonl)))
        {
            // both messages handled: the first is recognised and not written, so wait on what the feed received, not on the file
            await Support.Until(() => host.Feed!.Received >= 2, TimeSpan.FromSeconds(30), "the unacknowledged event and the one after it");
            Assert.Equal([first, written, after], Lines(jsonl));
            Assert.Equal((1L, 1L), (host.Feed!.Delivered, host.Feed.Duplicates));
        }
    }

    /// <summary>A central daemon whose cluster does not answer starts anyway, reports degraded health, and says why in its log, not as an exception.</summary>
    [Fact]
    public async Task An_unreachable_cluster_leaves_the_central_daemon_up_and_degraded()
    {
        var config = new DaemonConfig
        {
            Cluster = new ClusterConfig { Role = ClusterRole.Central, Urls = [$"nats://127.0.0.1:{Support.FreePort()}"], User = "u", Password = "p", Replicas = 1 },
        };
        await using var host = await Support.StartAsync(config);
        using var http = Support.Client(host);
        await Task.Delay(500);
        var health = JsonDocument.Parse(await http.GetStringAsync("health")).RootElement;
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        Assert.False(health.GetProperty("cluster").GetProperty("connected").GetBoolean());
    }
}

public sealed class ClusterConfigTests
{
    private static string Write(string json)
    {
        var p = Path.Combine(Support.TempDir(), "ecgstreamd.json");
        File.WriteAllText(p, json);
        return p;
    }

    private static string PasswordFile(string password = "s3cret")
    {
        var p = Path.Combine(Support.TempDir(), "nats-password");
        File.WriteAllText(p, password + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(p, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return p;
    }

    /// <summary>A seed file as <c>nk -gen user -pubout</c> writes it: the seed, then the public key.</summary>
    private static string SeedFile(out string publicKey)
    {
        using var pair = NATS.NKeys.KeyPair.CreatePair(NATS.NKeys.PrefixByte.User);
        publicKey = pair.GetPublicKey();
        var p = Path.Combine(Support.TempDir(), "nkey.seed");
        File.WriteAllText(p, pair.GetSeed() + "\n" + publicKey + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(p, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return p;
    }

    [Fact]
    public void A_gateway_configuration_with_an_nkey_binds()
    {
        var seedFile = SeedFile(out var publicKey);
        var c = ConfigLoader.Load(Write($$"""
            { "beds": [ { "id": "icu-1", "source": { "kind": "synthetic" } } ],
              "cluster": { "role": "gateway", "urls": "nats://10.0.0.1:4222,nats://10.0.0.2:4222", "nkeySeedFile": "{{seedFile}}", "bufferBlocks": 1000 } }
            """), [], environment: false);
        var k = c.Cluster!;
        Assert.Equal((ClusterRole.Gateway, "", "", 1000), (k.Role, k.User, k.Password, k.BufferBlocks));
        Assert.Equal(["nats://10.0.0.1:4222", "nats://10.0.0.2:4222"], k.Urls);
        Assert.StartsWith("SU", k.NkeySeed);
        Assert.Equal($"nkey {publicKey}", k.Settings().Identity);
        k.Settings().Validate();
    }

    [Fact]
    public void A_central_configuration_binds_with_loopback_defaults()
    {
        var pw = PasswordFile();
        var c = ConfigLoader.Load(Write($$"""{ "cluster": { "role": "central", "user": "station", "passwordFile": "{{pw}}", "consumer": "icu-station", "start": "all" } }"""), [], environment: false);
        var k = c.Cluster!;
        Assert.Empty(c.Beds);
        Assert.Equal((ClusterRole.Central, "station", "s3cret", "site1", 3, "icu-station", FeedStart.All),
            (k.Role, k.User, k.Password, k.Site, k.Replicas, k.Consumer, k.Start));
        Assert.Equal(["nats://127.0.0.1:4222"], k.Urls);
        k.Settings().Validate(); // what the cluster classes check holds too
    }

    [Fact]
    public void The_password_may_come_from_the_environment()
    {
        Environment.SetEnvironmentVariable("ECGSTREAM_CLUSTER__PASSWORD", "from-env");
        try
        {
            var c = ConfigLoader.Load(Write("""{ "cluster": { "role": "central", "user": "station" } }"""), []);
            Assert.Equal("from-env", c.Cluster!.Password);
        }
        finally { Environment.SetEnvironmentVariable("ECGSTREAM_CLUSTER__PASSWORD", null); }
    }

    [Theory]
    [InlineData("""{ "cluster": { "user": "u", "passwordFile": "PW" } }""", "cluster.role", "is required (central or gateway)")]
    [InlineData("""{ "cluster": { "role": "worker", "user": "u", "passwordFile": "PW" } }""", "cluster.role", "\"worker\" is not central or gateway")]
    [InlineData("""{ "cluster": { "role": "central", "passwordFile": "PW" } }""", "cluster.user", "is required, or cluster.nkeySeedFile (connections to the cluster authenticate)")]
    [InlineData("""{ "cluster": { "role": "central", "user": "u", "nkeySeedFile": "SEED" } }""", "cluster.nkeySeedFile", "give an nkey seed or a user and password, not both")]
    [InlineData("""{ "cluster": { "role": "central", "nkeySeedFile": "PW" } }""", "cluster.nkeySeedFile", "\"PWPATH\" holds no seed (a line starting with SU)")]
    [InlineData("""{ "cluster": { "role": "central", "user": "u" } }""", "cluster.passwordFile", "is required (or cluster.password from the environment): connections to the cluster authenticate")]
    [InlineData("""{ "cluster": { "role": "central", "user": "u", "passwordFile": "/nonexistent/pw" } }""", "cluster.passwordFile", "\"/nonexistent/pw\": no such file")]
    [InlineData("""{ "cluster": { "role": "central", "user": "u", "password": "x", "passwordFile": "PW" } }""", "cluster.password", "give password or passwordFile, not both")]
    [InlineData("""{ "cluster": { "role": "central", "urls": ["http://127.0.0.1:4222"], "user": "u", "passwordFile": "PW" } }""", "cluster.urls", "\"http://127.0.0.1:4222\" is not a server URL such as nats://127.0.0.1:4222")]
    [InlineData("""{ "cluster": { "role": "central", "urls": "nats://me:pw@127.0.0.1:4222", "user": "u", "passwordFile": "PW" } }""", "cluster.urls", "\"nats://me:pw@127.0.0.1:4222\" carries credentials; give them as cluster.user and cluster.passwordFile")]
    [InlineData("""{ "cluster": { "role": "central", "user": "u", "passwordFile": "PW", "site": "a.b" } }""", "cluster.site", "\"a.b\" must be 1–64 of A-Z a-z 0-9 _ - (it is a subject token)")]
    [InlineData("""{ "cluster": { "role": "central", "user": "u", "passwordFile": "PW", "start": "latest" } }""", "cluster.start", "\"latest\" is not new or all")]
    [InlineData("""{ "cluster": { "role": "central", "user": "u", "passwordFile": "PW", "replicas": 7 } }""", "cluster.replicas", "7 is outside 1..5")]
    [InlineData("""{ "cluster": { "role": "central", "user": "u", "passwordFile": "PW", "lease": 3 } }""", "cluster.lease", "unknown setting (known here: role, urls, user, password, passwordFile, nkeySeedFile, site, replicas, consumer, start, bufferBlocks)")]
    [InlineData("""{ "cluster": { "role": "central", "user": "u", "passwordFile": "PW" }, "beds": [ { "id": "a", "source": { "kind": "synthetic" } } ] }""", "beds", "a central daemon (cluster.role central) has no local beds: its events come from the cluster; remove them, or use cluster.role gateway")]
    [InlineData("""{ "cluster": { "role": "central", "user": "u", "passwordFile": "PW" }, "sinks": { "wfdb": "/tmp" } }""", "sinks.wfdb", "not available in cluster.role central: annotation files need each bed's sample rate, which the events stream does not carry")]
    [InlineData("""{ "cluster": { "role": "gateway", "user": "u", "passwordFile": "PW" } }""", "beds", "at least one bed is required")]
    [InlineData("""{ "cluster": { "role": "gateway", "user": "u", "passwordFile": "PW" }, "beds": [ { "id": "icu.1", "source": { "kind": "synthetic" } } ] }""", "beds[0].id", "\"icu.1\": a gateway's bed id is a NATS subject token (ecg.<site>.<bed>): 1–64 of A-Z a-z 0-9 _ -, no '.'")]
    public void A_bad_cluster_section_is_refused_in_one_line_naming_the_field(string json, string field, string problem)
    {
        string pw = PasswordFile();
        var file = Write(json.Replace("\"PW\"", JsonSerializer.Serialize(pw), StringComparison.Ordinal)
            .Replace("\"SEED\"", JsonSerializer.Serialize(SeedFile(out _)), StringComparison.Ordinal));
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(file, [], environment: false));
        Assert.Equal((field, problem.Replace("PWPATH", pw, StringComparison.Ordinal)), (e.Field, e.Problem));
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_password_on_the_command_line_is_refused()
    {
        var file = Write("""{ "cluster": { "role": "central", "user": "u" } }""");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(file, ["--cluster:password=hunter2"], environment: false));
        Assert.Equal(("command line", "cluster.password"), (e.Origin, e.Field));
        Assert.Equal("not accepted on the command line (other users can read it there); use cluster.passwordFile or ECGSTREAM_CLUSTER__PASSWORD", e.Problem);
    }

    [Fact]
    public void A_password_file_others_can_read_is_refused()
    {
        if (OperatingSystem.IsWindows()) return;
        var pw = PasswordFile();
        File.SetUnixFileMode(pw, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Write($$"""{ "cluster": { "role": "central", "user": "u", "passwordFile": "{{pw}}" } }"""), [], environment: false));
        Assert.Equal(("cluster.passwordFile", $"\"{pw}\" is readable by group or others; chmod 600 it"), (e.Field, e.Problem));
    }
}

/// <summary>ecgstreamd in the cluster's gateway role: its beds' blocks go to <c>ecg.&lt;site&gt;.&lt;bed&gt;</c>.</summary>
public sealed class GatewayRoleTests
{
    /// <summary>Every block of the bed's subject, in stream order, decoded.</summary>
    private static async Task<List<(long Start, int Length, double Rate, float[] Planar)>> ReadBedAsync(NatsJSContext js, ClusterSettings s, string bed)
    {
        var blocks = new List<(long, int, double, float[])>();
        float[] buffer = [];
        await foreach (var m in SubjectReader.ReadAsync(js, ClusterSettings.SampleStream, s.SampleSubject(bed), null, TimeSpan.FromSeconds(2), stopWhenCaughtUp: true))
        {
            Assert.True(SampleCodec.TryDecode(m.Data, bed, ref buffer, out var b, out var problem), problem);
            blocks.Add((b.StartSample, b.Length, b.SampleRate, b.Samples.ToArray()));
        }
        return blocks;
    }

    /// <summary>
    /// A file bed's samples reach the stream complete, in order and equal to the recording (to the wire's 1 µV); a second
    /// run of the daemon continues the bed's stream after the first run's blocks (the time between them a gap), with no
    /// block taken for a duplicate. /health and /metrics show the gateway's counts.
    /// </summary>
    [NatsFact]
    public async Task A_file_beds_samples_arrive_in_the_stream_complete_and_in_order_and_a_restart_continues_the_stream()
    {
        await using var cluster = await LoopbackNatsCluster.StartAsync(1);
        var settings = cluster.Settings();
        var dir = Support.TempDir();
        var record = EcgStream.Synthetic.Simulator.Run(EcgStream.Synthetic.ScenarioFile.Parse("""
            { "seed": 4, "sampleRate": 360, "leads": ["II", "V1"], "segments": [ { "rhythm": "SR", "durationSeconds": 8 } ] }
            """));
        string path = record.WriteWfdb(dir, "rec") + ".hea";
        var recording = EcgStream.Formats.RecordReader.Read(path);
        const int total = 8 * 360;
        var config = new DaemonConfig
        {
            Beds = [new BedConfig { Id = "qa", Source = new SourceConfig { Kind = SourceKind.File, Path = path, Speed = 20 } }],
            Cluster = new ClusterConfig { Role = ClusterRole.Gateway, Urls = cluster.Urls, User = cluster.User, Password = cluster.Password, Replicas = 1 },
        };

        await using (var host = await Support.StartAsync(config))
        {
            await Support.Until(() => host.Gateway!.SamplesPublished == total, TimeSpan.FromSeconds(30), "the whole recording acknowledged");
            using var http = Support.Client(host);
            var c = JsonDocument.Parse(await http.GetStringAsync("health")).RootElement.GetProperty("cluster");
            Assert.Equal(("gateway", "ecg.site1.<bed>", true), (c.GetProperty("role").GetString(), c.GetProperty("subject").GetString(), c.GetProperty("acknowledging").GetBoolean()));
            Assert.Equal((total, total, 0L, 0L), (c.GetProperty("samples_accepted").GetInt64(), c.GetProperty("samples_acknowledged").GetInt64(),
                c.GetProperty("samples_dropped").GetInt64(), c.GetProperty("blocks_buffered").GetInt64()));
            var metrics = HttpTests.ParsePrometheus(await http.GetStringAsync("metrics"));
            Assert.Equal(total, metrics["ecgstream_gateway_samples_total{result=\"acknowledged\"}"]);
            Assert.Equal(0, metrics["ecgstream_gateway_samples_total{result=\"dropped\"}"]);
            Assert.Equal(0, metrics["ecgstream_gateway_buffered"]);
        }

        await using var nats = new NatsConnection(settings.ClientOptions("test-reader"));
        var js = new NatsJSContext(nats);
        var first = await ReadBedAsync(js, settings, "qa");
        Assert.Equal(0, first[0].Start);
        for (int i = 1; i < first.Count; i++) Assert.Equal(first[i - 1].Start + first[i - 1].Length, first[i].Start); // no gap, no overlap
        Assert.Equal(total, first.Sum(b => b.Length));
        Assert.All(first, b => Assert.Equal(360, b.Rate));
        // planar per block, leads in DESIGN.md order (II, then V1): equal to the recording after the wire's 1 µV quantisation
        var leads = new[] { EcgStream.Core.Leads.Lead.II, EcgStream.Core.Leads.Lead.V1 };
        foreach (var (start, length, _, planar) in first)
            for (int p = 0; p < leads.Length; p++)
                for (int i = 0; i < length; i++)
                    Assert.Equal(EcgStream.Cluster.SampleCodec.Quantise(recording.Samples[recording.ChannelOf(leads[p])][start + i]), planar[p * length + i], 1e-6f);

        // the daemon again: its bed starts at sample 0 locally, and continues after the first run in the stream
        await Task.Delay(1000);
        await using (var host = await Support.StartAsync(config))
        {
            await Support.Until(() => host.Gateway!.SamplesPublished == total, TimeSpan.FromSeconds(30), "the second run acknowledged");
            Assert.Equal(0, host.Gateway!.Duplicates);
        }
        var both = await ReadBedAsync(js, settings, "qa");
        Assert.Equal(2 * total, both.Sum(b => b.Length));
        var second = both.Skip(first.Count).ToList();
        long jump = second[0].Start - total;
        Assert.InRange(jump / 360.0, 0.9, 5); // the second or so between the runs (and the daemon's start), as a gap
        for (int i = 1; i < second.Count; i++) Assert.Equal(second[i - 1].Start + second[i - 1].Length, second[i].Start);
    }
}

/// <summary>A gateway whose cluster does not answer: the bed is analysed locally as ever, the bounded buffer fills, the excess is counted.</summary>
public sealed class GatewayOutageTests
{
    [Fact]
    public async Task An_unreachable_cluster_degrades_the_gateway_and_counts_the_drops_while_the_bed_goes_on()
    {
        var config = new DaemonConfig
        {
            Beds = [new BedConfig { Id = "bed-a", Source = new SourceConfig { Kind = SourceKind.Synthetic, Seed = 3, Speed = 5 } }],
            Cluster = new ClusterConfig { Role = ClusterRole.Gateway, Urls = [$"nats://127.0.0.1:{Support.FreePort()}"], User = "u", Password = "p", Replicas = 1, BufferBlocks = 20 },
        };
        await using var host = await Support.StartAsync(config);
        var gateway = host.Gateway!;
        await Support.Until(() => gateway.SamplesDropped > 0, TimeSpan.FromSeconds(30), "the buffer to overflow");
        using var http = Support.Client(host);
        var health = JsonDocument.Parse(await http.GetStringAsync("health")).RootElement;
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        var c = health.GetProperty("cluster");
        Assert.False(c.GetProperty("acknowledging").GetBoolean());
        Assert.Equal(0, c.GetProperty("samples_acknowledged").GetInt64());
        Assert.InRange(c.GetProperty("blocks_buffered").GetInt64(), 20, 21); // the buffer, and the block being retried
        // every sample the bed received was either taken into the buffer or dropped and counted
        Assert.Equal(host.Bed("bed-a").Samples, gateway.SamplesAccepted + gateway.SamplesDropped);
        Assert.Equal("receiving", host.Bed("bed-a").State);
    }
}

/// <summary>The whole chain: a gateway daemon's bed → the ECG stream → an analysis worker → the events stream → a central daemon.</summary>
public sealed class RolesEndToEndTests
{
    /// <summary>
    /// The scenario's pause, detected by the worker from the samples the gateway published, reaches the central daemon's
    /// JSON lines as the worker's event, at the onset the gateway's own (local) analysis found.
    /// </summary>
    [NatsFact]
    public async Task A_pause_on_a_gateway_bed_reaches_the_central_daemon_through_a_worker()
    {
        // every connection with an nkey this time (the other role tests use a user and password)
        await using var cluster = await LoopbackNatsCluster.StartAsync(1, nkeys: true);
        var settings = cluster.Settings() with { LeaseTtl = TimeSpan.FromSeconds(3) };
        var dir = Support.TempDir();
        ClusterConfig Role(ClusterRole role) => new()
        {
            Role = role, Urls = cluster.Urls, NkeySeed = cluster.NkeySeed, Replicas = 1, Consumer = "station", Start = FeedStart.All,
        };
        var local = new System.Collections.Concurrent.ConcurrentQueue<RhythmEvent>();
        var centralJsonl = Path.Combine(dir, "central.jsonl");

        await using var worker = new AnalysisWorker(settings, new WorkerOptions { WorkerId = "w1", Warmup = TimeSpan.FromSeconds(15) });
        using var stopWorker = new CancellationTokenSource();
        var working = Task.Run(() => worker.RunAsync(stopWorker.Token));
        await using var central = await Support.StartAsync(new DaemonConfig { Sinks = new SinksConfig { Jsonl = centralJsonl }, Cluster = Role(ClusterRole.Central) });
        await using var gateway = await Support.StartAsync(new DaemonConfig
        {
            Beds = [new BedConfig { Id = "bed-a", Source = new SourceConfig { Kind = SourceKind.Synthetic, Scenario = Support.ScenarioFile(dir, Support.PauseScenario), Speed = 2 } }],
            Cluster = Role(ClusterRole.Gateway),
        }, new DaemonHostOptions { OnEvent = local.Enqueue });

        static bool IsPauseOnset(RhythmEvent e) => e.Rhythm == "PAUSE" && e.Kind == EventKind.Onset && e.Source == EventSource.Rule;
        RhythmEvent? Relayed() => (File.Exists(centralJsonl) ? File.ReadAllLines(centralJsonl) : [])
            .Select(l => EventJson.TryRead(Encoding.UTF8.GetBytes(l), out var e, out _) ? e : null).FirstOrDefault(e => e is not null && IsPauseOnset(e));
        await Support.Until(() => Relayed() is not null, TimeSpan.FromSeconds(60), "the worker's PAUSE onset in the central daemon's JSON lines");
        var relayed = Relayed()!;
        await Support.Until(() => local.Any(IsPauseOnset), TimeSpan.FromSeconds(30), "the gateway's own PAUSE onset");
        var own = local.First(IsPauseOnset);
        Assert.Equal(("bed-a", "w1"), (relayed.StreamId, relayed.RunId));
        Assert.Equal(own.StartSeconds, relayed.StartSeconds, 0.05); // same samples, same rules: the same onset (to the wire's 1 µV)
        await stopWorker.CancelAsync();
        await working;
    }
}
