using EcgStream.Daemon.Configuration;

namespace EcgStream.Daemon.Tests;

public class ConfigTests
{
    private static string Write(string json)
    {
        var p = Path.Combine(Support.TempDir(), "ecgstreamd.json");
        File.WriteAllText(p, json);
        return p;
    }

    private static ConfigException Refused(string json, params string[] commandLine)
    {
        var file = Write(json);
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(file, commandLine, environment: false));
        Assert.Contains(file, e.Message); // the message names the file
        return e;
    }

    [Fact]
    public void A_configuration_model_or_secret_that_is_a_FIFO_is_refused_naming_it_instead_of_blocking_the_start()
    {
        string dir = Support.TempDir();
        string Fifo(string name)
        {
            string path = Path.Combine(dir, name);
            using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
            p.WaitForExit();
            Assert.Equal(0, p.ExitCode);
            return path;
        }
        string config = Fifo("ecgstreamd.json");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(config, [], environment: false));
        Assert.Equal(("(file)", "not a regular file (a FIFO)"), (e.Field, e.Problem));

        string model = Fifo("model.onnx");
        e = Refused($$"""{ "model": "{{model}}", "beds": [ { "id": "a", "source": { "kind": "synthetic" } } ] }""");
        Assert.Equal(("model", $"\"{model}\": not a regular file (a FIFO)"), (e.Field, e.Problem));

        string token = Fifo("token");
        var t = Assert.Throws<InvalidDataException>(() => EcgStream.Daemon.Http.AccessControl.LoadOrCreateToken(new HttpConfig { TokenFile = token }));
        Assert.Equal($"token file {token}: not a regular file (a FIFO)", t.Message);
        // nothing waits on the FIFOs: released before the folder goes
        foreach (var f in new[] { config, model, token }) new FileStream(f, FileMode.Open, FileAccess.ReadWrite).Dispose();
    }

    [Fact]
    public void A_full_configuration_binds_to_typed_records()
    {
        var file = Write("""
            { "listen": "http://127.0.0.1:9000", "modelQueue": 64,
              "beds": [ { "id": "icu-1", "source": { "kind": "tcp-client", "host": "10.0.0.5", "port": 7000, "reconnectMaxSeconds": 10 }, "notch": 50, "hop": 0.5 },
                        { "id": "icu-2", "source": { "kind": "synthetic", "seed": 4, "speed": 2 } },
                        { "id": "icu-3", "source": { "kind": "tcp-server", "port": 0 } } ],
              "sinks": { "jsonl": "stdout", "sse": false, "clientBuffer": 32, "wfdb": "/tmp/x" } }
            """);
        var c = ConfigLoader.Load(file, [], environment: false);
        Assert.Equal("http://127.0.0.1:9000", c.Listen);
        Assert.Null(c.ModelPath);
        Assert.Equal(64, c.ModelQueue);
        Assert.Equal(["icu-1", "icu-2", "icu-3"], c.Beds.Select(b => b.Id));
        var b0 = c.Beds[0];
        Assert.Equal(SourceKind.TcpClient, b0.Source.Kind);
        Assert.Equal(("10.0.0.5", 7000), (b0.Source.Host, b0.Source.Port));
        Assert.Equal(10, b0.Source.ReconnectMaxSeconds);
        Assert.Equal((50, 0.5), (b0.Notch, b0.Hop));
        Assert.Equal((SourceKind.Synthetic, 4, 2.0), (c.Beds[1].Source.Kind, c.Beds[1].Source.Seed, c.Beds[1].Source.Speed));
        Assert.Equal(SourceKind.TcpServer, c.Beds[2].Source.Kind);
        Assert.Equal(("stdout", false, true, 32, "/tmp/x"), (c.Sinks.Jsonl, c.Sinks.Sse, c.Sinks.WebSocket, c.Sinks.ClientBuffer, c.Sinks.Wfdb));
    }

    [Fact]
    public void The_command_line_overrides_the_file()
    {
        var file = Write("""{ "beds": [ { "id": "a", "source": { "kind": "tcp-client", "port": 7000 } } ] }""");
        var c = ConfigLoader.Load(["--config", file, "--beds:0:source:port=7100", "--sinks:jsonl=stdout"], environment: false);
        Assert.Equal(7100, c.Beds[0].Source.Port);
        Assert.Equal("stdout", c.Sinks.Jsonl);
        Assert.Equal("http://127.0.0.1:8370", c.Listen); // loopback by default
    }

    [Theory]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "synthetic" } }, { "id": "b", "source": { "kind": "tcp-client", "port": "seventy" } } ] }""",
        "beds[1].source.port", "\"seventy\" is not an integer")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "tcp-client", "port": 70000 } } ] }""",
        "beds[0].source.port", "70000 is outside 1..65535")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "tcp-client" } } ] }""",
        "beds[0].source.port", "is required")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "carrier-pigeon" } } ] }""",
        "beds[0].source.kind", "\"carrier-pigeon\" is not one of tcp-client")]
    [InlineData("""{ "beds": [] }""", "beds", "at least one bed is required")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "synthetic" } }, { "id": "a", "source": { "kind": "synthetic" } } ] }""",
        "beds[1].id", "\"a\" is used by another bed")]
    [InlineData("""{ "beds": [ { "id": "bed/1", "source": { "kind": "synthetic" } } ] }""", "beds[0].id", "must be 1–64 letters")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "synthetic", "prot": 3 } } ] }""", "beds[0].source.prot", "unknown setting")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "synthetic" }, "notch": 55 } ] }""", "beds[0].notch", "55 Hz: expected 50 or 60")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "synthetic" }, "hop": 0 } ] }""", "beds[0].hop", "0 is outside 0.04..9")]
    [InlineData("""{ "listen": "127.0.0.1:8370", "beds": [ { "id": "a", "source": { "kind": "synthetic" } } ] }""", "listen", "is not a URL")]
    [InlineData("""{ "model": "/nonexistent/model.onnx", "beds": [ { "id": "a", "source": { "kind": "synthetic" } } ] }""", "model", "no such file")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "serial" } } ] }""", "beds[0].source.path", "is required")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "synthetic" } } ], "sinks": { "sse": "maybe" } }""", "sinks.sse", "\"maybe\" is not true or false")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "synthetic" } } ], "sinks": { "clientBuffer": 1 } }""", "sinks.clientBuffer", "1 is outside 4..1048576")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "synthetic" } } ], "otlp": { "endpoint": "http://127.0.0.1:4317", "protocol": "udp" } }""", "otlp.protocol", "\"udp\": expected grpc or http")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "synthetic" } } ], "otlp": { "endpoint": "collector:4317" } }""", "otlp.endpoint", "\"collector:4317\" is not a URL such as http://127.0.0.1:4317")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "synthetic" } } ], "otlp": { "endpoint": "http://c:4317", "interval": 5 } }""", "otlp.interval", "unknown setting")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "synthetic" }, "fusion": { "modelConfidentEvidence": 0.4 } } ] }""", "beds[0].fusion.modelConfidentEvidence", "0.4 is outside 0.501..1")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "synthetic" }, "fusion": { "agree": true } } ] }""", "beds[0].fusion.agree", "unknown setting")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "synthetic" } } ], "sinks": "stdout" }""", "sinks", "expected an object { jsonl, sse,")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "synthetic" } } ], "http": "x" }""", "http", "expected an object { token, tokenFile,")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "synthetic" } } ], "otlp": "http://x" }""", "otlp", "expected an object { endpoint, protocol, intervalSeconds }")]
    [InlineData("""{ "beds": [ { "id": "a", "source": "tcp-server:7000" } ] }""", "beds[0].source", "expected an object { kind,")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "tcp-server", "address": "0.0.0.0", "port": 7000 } } ] }""",
        "beds[0].source.address", "\"0.0.0.0\" is not a loopback address: anyone who can reach the port could feed or blank the bed (the wire protocol has no credentials); set beds[0].source.allowRemote to true")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "tcp-server", "port": 7000 } }, { "id": "b", "source": { "kind": "tcp-server", "port": 7000 } } ] }""",
        "beds[1].source.port", "7000 on 127.0.0.1 is already the port of bed \"a\" (beds[0]); each tcp-server bed needs its own")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "tcp-server", "address": "0.0.0.0", "allowRemote": true, "port": 7000 } }, { "id": "b", "source": { "kind": "tcp-server", "port": 7000 } } ] }""",
        "beds[1].source.port", "already the port of bed \"a\"")]
    [InlineData("""{ "listen": "http://127.0.0.1:8370", "beds": [ { "id": "a", "source": { "kind": "tcp-server", "port": 8370 } } ] }""",
        "beds[0].source.port", "8370 is the HTTP listen port (listen: http://127.0.0.1:8370)")]
    [InlineData("""{ "beds": [ { "id": "a", "source": { "kind": "tcp-client", "port": 7000, "idleSeconds": 0.5 } } ] }""", "beds[0].source.idleSeconds", "0.5 is outside 1..3600")]
    public void A_malformed_configuration_is_refused_naming_the_field(string json, string field, string problem)
    {
        var e = Refused(json);
        Assert.Equal(field, e.Field);
        Assert.Contains(problem, e.Problem);
        Assert.Contains($"{field}: ", e.Message);
    }

    [Fact]
    public void Fusion_settings_reach_the_bed_pipeline_and_absent_ones_keep_the_runtime_defaults()
    {
        var c = ConfigLoader.Load(Write("""
            { "beds": [ { "id": "a", "source": { "kind": "synthetic" }, "fusion": { "notAgainstEvidence": 0.3, "minOnsetSeconds": 5, "afOnsetEvidence": 1.5 } },
                        { "id": "b", "source": { "kind": "synthetic" } } ] }
            """), [], environment: false);
        var a = c.Beds[0].Fusion.ApplyTo(EcgStream.Runtime.Pipeline.BedOptions.Default);
        var defaults = EcgStream.Runtime.Pipeline.BedOptions.Default;
        Assert.Equal((0.3, defaults.Fusion.ModelConfidentEvidence, defaults.Fusion.RuleConfidentEvidence),
            (a.Fusion.NotAgainstEvidence, a.Fusion.ModelConfidentEvidence, a.Fusion.RuleConfidentEvidence));
        Assert.Equal((5.0, defaults.FusedTracker.MinOffsetSeconds), (a.FusedTracker.MinOnsetSeconds, a.FusedTracker.MinOffsetSeconds));
        Assert.Equal(1.5, a.FusedTracker.MinOnsetEvidenceOf((int)EcgStream.Core.Rhythms.RhythmClass.AF));
        Assert.Equal(defaults.Fusion, c.Beds[1].Fusion.ApplyTo(defaults).Fusion);
        Assert.Equal(defaults.FusedTracker.MinOnsetEvidenceOf((int)EcgStream.Core.Rhythms.RhythmClass.AF),
            c.Beds[1].Fusion.ApplyTo(defaults).FusedTracker.MinOnsetEvidenceOf((int)EcgStream.Core.Rhythms.RhythmClass.AF));
    }

    [Fact]
    public void Otlp_is_off_by_default_and_an_http_collector_address_gets_the_metrics_path()
    {
        const string bed = """ "beds": [ { "id": "a", "source": { "kind": "synthetic" } } ] """;
        Assert.Null(ConfigLoader.Load(Write("{" + bed + "}"), [], environment: false).Otlp);
        var http = ConfigLoader.Load(Write("{" + bed + """, "otlp": { "endpoint": "http://collector:4318", "protocol": "http", "intervalSeconds": 5 } }"""), [], environment: false).Otlp!;
        Assert.Equal((new Uri("http://collector:4318/v1/metrics"), OtlpProtocol.Http, 5), (http.Endpoint, http.Protocol, http.IntervalSeconds));
        var grpc = ConfigLoader.Load(Write("{" + bed + """, "otlp": { "endpoint": "http://collector:4317" } }"""), [], environment: false).Otlp!;
        Assert.Equal((new Uri("http://collector:4317"), OtlpProtocol.Grpc, 10), (grpc.Endpoint, grpc.Protocol, grpc.IntervalSeconds));
    }

    [Fact]
    public void Device_listeners_are_loopback_unless_allowed_and_each_has_its_own_port()
    {
        var c = ConfigLoader.Load(Write("""
            { "beds": [ { "id": "a", "source": { "kind": "tcp-server", "address": "0.0.0.0", "allowRemote": true, "port": 7000, "idleSeconds": 30 } },
                        { "id": "b", "source": { "kind": "tcp-server", "port": 0 } },
                        { "id": "c", "source": { "kind": "tcp-server", "port": 0 } },
                        { "id": "d", "source": { "kind": "tcp-server", "address": "127.0.0.2", "port": 7001 } },
                        { "id": "e", "source": { "kind": "tcp-server", "address": "127.0.0.3", "port": 7001 } } ] }
            """), [], environment: false);
        Assert.Equal(("0.0.0.0", true, 30.0), (c.Beds[0].Source.Address, c.Beds[0].Source.AllowRemote, c.Beds[0].Source.IdleSeconds));
        Assert.Equal((false, 10.0), (c.Beds[1].Source.AllowRemote, c.Beds[1].Source.IdleSeconds)); // port 0 twice: each gets its own free port
        Assert.Equal(7001, c.Beds[4].Source.Port); // the same port on two loopback addresses
    }

    [Fact]
    public void Empty_sections_keep_their_defaults()
    {
        var c = ConfigLoader.Load(Write("""
            { "beds": [ { "id": "a", "source": { "kind": "synthetic" } } ], "sinks": {}, "http": {}, "otlp": {} }
            """), [], environment: false);
        Assert.Equal((null, true, 256), (c.Sinks.Jsonl, c.Sinks.Sse, c.Sinks.ClientBuffer));
        Assert.Equal((16, 10.0), (c.Http.MaxClients, c.Http.SlowClientSeconds));
        Assert.Null(c.Otlp);
    }

    [Fact]
    public void Http_slowClientSeconds_is_read_and_bounded()
    {
        const string json = """{ "beds": [ { "id": "a", "source": { "kind": "synthetic" } } ], "http": { "slowClientSeconds": 2.5 } }""";
        Assert.Equal(2.5, ConfigLoader.Load(Write(json), [], environment: false).Http.SlowClientSeconds);
        var e = Refused(json.Replace("2.5", "0"));
        Assert.Equal(("http.slowClientSeconds", "0 is outside 1..3600"), (e.Field, e.Problem));
    }

    [Fact]
    public void Broken_json_is_refused_with_the_file_and_position()
    {
        var e = Refused("""{ "beds": [ { "id": "a", """);
        Assert.Equal("(file)", e.Field);
        Assert.Matches("(?i)line|position|byte|json", e.Problem);
    }

    [Fact]
    public void A_bad_value_from_the_command_line_names_the_command_line()
    {
        var file = Write("""{ "beds": [ { "id": "a", "source": { "kind": "tcp-client", "port": 7000 } } ] }""");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(file, ["--beds:0:source:port=x"], environment: false));
        Assert.Equal("command line", e.Origin);
        Assert.Equal("beds[0].source.port", e.Field);
    }

    [Fact]
    public async Task Ecgstreamd_exits_with_code_2_and_one_clear_line()
    {
        var file = Write("""{ "beds": [ { "id": "a", "source": { "kind": "tcp-server", "port": -1 } } ] }""");
        var stderr = new StringWriter();
        int code = await DaemonMain.RunAsync(["--config", file], stderr).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, code);
        Assert.Equal($"ecgstreamd: configuration error in {file}: beds[0].source.port: -1 is outside 0..65535", stderr.ToString().Trim());
    }

    [Fact]
    public async Task A_missing_configuration_file_is_refused()
    {
        var stderr = new StringWriter();
        int code = await DaemonMain.RunAsync(["--config", "/nonexistent/ecgstreamd.json"], stderr).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/ecgstreamd.json: (file): no such file", stderr.ToString());
    }

    [Fact]
    public void The_example_configuration_in_tools_is_valid()
    {
        var example = Path.Combine(EcgStream.Tests.TestData.RepoRoot, "tools", "ecgstreamd.example.json");
        var scenario = Path.Combine(EcgStream.Tests.TestData.RepoRoot, "tools", "scenarios", "af-paroxysmal.json");
        var c = ConfigLoader.Load(example, [$"--beds:3:source:scenario={scenario}"], environment: false);
        Assert.Equal(["icu-1", "icu-2", "holter-3", "sim-4"], c.Beds.Select(b => b.Id));
        Assert.Equal([SourceKind.TcpClient, SourceKind.Serial, SourceKind.TcpServer, SourceKind.Synthetic], c.Beds.Select(b => b.Source.Kind));
        Assert.Equal("http://127.0.0.1:8370", c.Listen);
    }

    [Theory]
    [InlineData("beds:1:source:port", "beds[1].source.port")]
    [InlineData("sinks:jsonl", "sinks.jsonl")]
    [InlineData("beds:0", "beds[0]")]
    public void Field_paths_are_written_as_in_the_file(string path, string expected) => Assert.Equal(expected, ConfigLoader.FieldName(path));
}
