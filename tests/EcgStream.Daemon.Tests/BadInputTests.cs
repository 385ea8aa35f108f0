using System.Net;
using System.Net.Sockets;
using EcgStream.Core.Leads;
using EcgStream.Daemon.Configuration;
using EcgStream.Formats;
using EcgStream.Formats.Wfdb;
using EcgStream.Ingest.Wire;

namespace EcgStream.Daemon.Tests;

/// <summary>Bad input gives a clean outcome: one clear line, a visible bed state, never a stack trace or a dead bed.</summary>
public class BadInputTests
{
    private static DeviceInfo Info(uint milliHz) => new()
    {
        SampleRateMilliHz = milliHz, GainPicovolts = 2_500_000, Leads = LeadSet.Of(Lead.I, Lead.II),
        Format = SampleFormat.Int16, SamplesPerFrame = 10, DeviceId = 9, Firmware = "bad-input",
    };

    /// <summary>A device on loopback that the bed connects to; the test writes exact protocol bytes.</summary>
    private sealed class FakeDevice : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private TcpClient? _client;
        private readonly byte[] _frame = new byte[WireProtocol.MaxFrame];
        private readonly int[] _lsb = new int[20];
        public FakeDevice() => _listener.Start();
        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public async Task AcceptAsync() => _client = await _listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));
        public void SendInfo(DeviceInfo info) => _client!.GetStream().Write(_frame, 0, WireEncoder.EncodeInfo(info, _frame));
        public void SendData(DeviceInfo info, uint seq)
        {
            for (int i = 0; i < _lsb.Length; i++) _lsb[i] = (int)(300 * Math.Sin(seq + i * 0.2));
            _client!.GetStream().Write(_frame, 0, WireEncoder.EncodeData(info, seq, seq * 20_000u, 0, _lsb, _frame));
        }
        public void SendFrame(byte type, byte version, int payloadLength) =>
            _client!.GetStream().Write(_frame, 0, WireEncoder.EncodeFrame(type, new byte[payloadLength], _frame, version));
        public ValueTask DisposeAsync() { _client?.Dispose(); _listener.Stop(); return ValueTask.CompletedTask; }
    }

    private static DaemonConfig TcpBed(int port) => new()
    {
        Beds = [new BedConfig { Id = "bed-x", Source = new SourceConfig { Kind = SourceKind.TcpClient, Port = port, ReconnectInitialSeconds = 0.05, ReconnectMaxSeconds = 0.2 } }],
    };

    [Fact]
    public async Task An_INFO_frame_at_499_5_Hz_is_refused_per_bed_with_a_visible_state_and_a_later_500_Hz_stream_is_taken()
    {
        await using var device = new FakeDevice();
        await using var host = await Support.StartAsync(TcpBed(device.Port));
        await device.AcceptAsync();
        var odd = Info(499_500);
        device.SendInfo(odd);
        for (uint s = 0; s < 20; s++) device.SendData(odd, s);
        var bed = host.Bed("bed-x");
        await Support.Until(() => bed.State == "refused", TimeSpan.FromSeconds(10), "the bed to refuse the stream");
        Assert.Equal("sample rate 499.5 Hz is not a whole number of Hz in 1..100000: stream refused, not analysed", bed.LastError);
        Assert.Equal(0, bed.Sessions); // no pipeline was started, none failed
        using var http = Support.Client(host);
        Assert.Contains("\"state\":\"refused\"", await http.GetStringAsync("beds"));
        Assert.Contains("\"status\":\"degraded\"", await http.GetStringAsync("health"));

        var good = Info(500_000);
        device.SendInfo(good);
        for (uint s = 20; s < 40; s++) device.SendData(good, s);
        await Support.Until(() => bed.State == "receiving" && bed.Samples == 200, TimeSpan.FromSeconds(10), "the 500 Hz stream to be taken");
        Assert.Equal(1, bed.Sessions);
    }

    [Fact]
    public async Task A_stream_back_at_its_rate_from_before_a_refused_one_is_taken_and_the_bed_leaves_refused()
    {
        // review, session 21: the refusal left the bed's rate and leads as they were, so a device back at them was
        // analysed while the bed still read "refused" (and later hid signal loss behind it)
        await using var device = new FakeDevice();
        await using var host = await Support.StartAsync(TcpBed(device.Port));
        await device.AcceptAsync();
        var good = Info(500_000);
        device.SendInfo(good);
        for (uint s = 0; s < 20; s++) device.SendData(good, s);
        var bed = host.Bed("bed-x");
        await Support.Until(() => bed.State == "receiving" && bed.Samples == 200, TimeSpan.FromSeconds(10), "the 500 Hz stream");
        var odd = Info(499_500);
        device.SendInfo(odd);
        for (uint s = 20; s < 40; s++) device.SendData(odd, s);
        await Support.Until(() => bed.State == "refused", TimeSpan.FromSeconds(10), "the bed to refuse the 499.5 Hz stream");

        device.SendInfo(good);
        for (uint s = 40; s < 60; s++) device.SendData(good, s);
        await Support.Until(() => bed.State == "receiving" && bed.Samples == 400, TimeSpan.FromSeconds(10), "the 500 Hz stream to be taken again");
        Assert.Null(bed.LastError);
        using var http = Support.Client(host);
        Assert.Contains("\"state\":\"receiving\"", await http.GetStringAsync("beds"));
    }

    [Fact]
    public async Task Unsupported_frames_and_DATA_before_INFO_are_counted_in_their_own_series_not_as_ok()
    {
        await using var device = new FakeDevice();
        await using var host = await Support.StartAsync(TcpBed(device.Port));
        await device.AcceptAsync();
        var info = Info(500_000);
        device.SendData(info, 0);                                   // DATA before any INFO
        device.SendFrame(type: 0x7E, version: WireProtocol.Version, payloadLength: 4); // unknown frame type
        device.SendFrame(type: 0x02, version: 9, payloadLength: 4);                    // unknown protocol version
        device.SendInfo(info);
        device.SendData(info, 1);
        var bed = host.Bed("bed-x");
        await Support.Until(() => bed.Samples == 10, TimeSpan.FromSeconds(10), "the frame after INFO");
        using var http = Support.Client(host);
        var m = HttpTests.ParsePrometheus(await http.GetStringAsync("metrics"));
        Assert.Equal(2, m["ecgstream_ingest_frames_total{bed=\"bed-x\",result=\"ok\"}"]);          // INFO + one DATA
        Assert.Equal(2, m["ecgstream_ingest_frames_total{bed=\"bed-x\",result=\"unsupported\"}"]);
        Assert.Equal(1, m["ecgstream_ingest_frames_total{bed=\"bed-x\",result=\"no_info\"}"]);
    }

    [Fact]
    public async Task A_garbage_file_source_shows_source_error_and_is_retried_until_a_readable_recording_appears()
    {
        var dir = Support.TempDir();
        var header = Path.Combine(dir, "rec.hea");
        File.WriteAllText(header, "this is not a WFDB header\n");
        var config = new DaemonConfig
        {
            Beds = [new BedConfig { Id = "file-1", Source = new SourceConfig { Kind = SourceKind.File, Path = header, Speed = 5, ReconnectInitialSeconds = 0.05, ReconnectMaxSeconds = 0.2 } }],
        };
        await using var host = await Support.StartAsync(config);
        var bed = host.Bed("file-1");
        await Support.Until(() => bed.State == "source_error", TimeSpan.FromSeconds(10), "source_error");
        Assert.Equal($"{header}, line 1, field 'n_sig': 'is' is not an integer", bed.LastError);

        // the file is replaced by a readable recording: the next retry plays it
        var samples = new float[2][];
        for (int l = 0; l < 2; l++) { samples[l] = new float[5000]; for (int i = 0; i < 5000; i++) samples[l][i] = (float)Math.Sin(i * 0.05) * 0.5f; }
        Wfdb.WriteRecord(dir, new Recording
        {
            Name = "rec", SampleRate = 500, Samples = samples,
            Signals = [new SignalInfo { Name = "I" }, new SignalInfo { Name = "II" }],
        }, new WfdbWriteOptions());
        await Support.Until(() => bed.State == "receiving" && bed.Samples > 0, TimeSpan.FromSeconds(10), "the recording to play after the retry");
        Assert.Null(bed.LastError);   // the old problem is over
    }

    [Fact]
    public async Task A_file_source_that_is_a_FIFO_shows_source_error_naming_it_instead_of_blocking_the_bed()
    {
        // the bed's reader waited in open() for a writer that never came: state "connecting" for ever, and no error
        var dir = Support.TempDir();
        var header = Path.Combine(dir, "rec.hea");
        using (var mkfifo = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("mkfifo", [header]) { UseShellExecute = false })!)
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        var config = new DaemonConfig
        {
            Beds = [new BedConfig { Id = "file-1", Source = new SourceConfig { Kind = SourceKind.File, Path = header, ReconnectInitialSeconds = 0.05, ReconnectMaxSeconds = 0.2 } }],
        };
        await using var host = await Support.StartAsync(config);
        var bed = host.Bed("file-1");
        try
        {
            await Support.Until(() => bed.State == "source_error", TimeSpan.FromSeconds(10), "source_error");
            Assert.Equal($"{header}: not a regular file (a FIFO): records are read by seeking in a file of known size; copy it to a file first", bed.LastError);
        }
        finally
        {
            // before the host stops: a reader still blocked in open() is released, so a failure cannot hang the shutdown
            // (a read-write open of a FIFO does not block on Linux)
            new FileStream(header, FileMode.Open, FileAccess.ReadWrite).Dispose();
        }
    }

    [Fact]
    public async Task A_reader_message_quoting_a_newline_and_an_escape_from_the_file_stays_one_line()
    {
        var dir = Support.TempDir();
        var edf = Path.Combine(dir, "nl.edf");
        var header = Enumerable.Repeat((byte)' ', 356).ToArray();
        "0\n\u001b[31m"u8.CopyTo(header); // the version field: a line break and a terminal colour escape
        File.WriteAllBytes(edf, header);
        var config = new DaemonConfig
        {
            Beds = [new BedConfig { Id = "file-1", Source = new SourceConfig { Kind = SourceKind.File, Path = edf, ReconnectInitialSeconds = 0.05, ReconnectMaxSeconds = 0.2 } }],
        };
        await using var host = await Support.StartAsync(config);
        var bed = host.Bed("file-1");
        await Support.Until(() => bed.State == "source_error", TimeSpan.FromSeconds(10), "source_error");
        Assert.Equal($"{edf}, field 'version', byte offset 0: version '0\\n\\x1b[31m' is not EDF's \"0\"", bed.LastError);
    }

    [Fact]
    public async Task A_file_that_is_not_an_ONNX_model_is_one_logged_line_and_exit_code_2_which_systemd_does_not_restart()
    {
        var dir = Support.TempDir();
        var model = Path.Combine(dir, "model.onnx");
        File.WriteAllText(model, "definitely not a protobuf\n");
        var config = Path.Combine(dir, "ecgstreamd.json");
        File.WriteAllText(config, $$"""
            { "listen": "http://127.0.0.1:0", "model": "{{model}}", "http": { "token": "{{Support.Token}}" },
              "beds": [ { "id": "a", "source": { "kind": "synthetic" } } ] }
            """);
        var stderr = new StringWriter();
        int rc = await DaemonMain.RunAsync(["--config", config], stderr, new DaemonHostOptions { HandleSignals = false });
        Assert.Equal(2, rc);
        var lines = stderr.ToString().TrimEnd('\n').Split('\n');
        var line = Assert.Single(lines);
        Assert.Equal($"ecgstreamd: cannot start: model {model} is not an ONNX model: ONNX Runtime could not parse it (protobuf parsing failed)", line);
        // exit 2 is what tools/ecgstreamd.service tells systemd not to restart into
        var unit = File.ReadAllText(Path.Combine(EcgStream.Tests.TestData.RepoRoot, "tools", "ecgstreamd.service"));
        Assert.Contains("RestartPreventExitStatus=2", unit);
    }

    /// <summary>Runs ecgstreamd on a configuration: it must refuse to start with exit 2 and one line.</summary>
    private static async Task<(string Line, string File)> Refusal(string sinks = "{}", string http = "{ \"token\": \"" + Support.Token + "\" }", string record = "")
    {
        var file = Path.Combine(Support.TempDir(), "ecgstreamd.json");
        File.WriteAllText(file, $$"""
            { "listen": "http://127.0.0.1:0", "http": {{http}}, "sinks": {{sinks}},
              "beds": [ { "id": "a", {{(record.Length > 0 ? $"\"record\": \"{record}\"," : "")}} "source": { "kind": "synthetic" } } ] }
            """);
        var stderr = new StringWriter();
        int rc = await DaemonMain.RunAsync(["--config", file], stderr, new DaemonHostOptions { HandleSignals = false }).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, rc);
        return (Assert.Single(stderr.ToString().TrimEnd('\n').Split('\n')), file);
    }

    [Fact]
    public async Task Paths_the_daemon_cannot_use_are_refused_naming_the_configuration_key()
    {
        var dir = Support.TempDir();
        var (line, file) = await Refusal(sinks: $"{{ \"jsonl\": \"{dir}\" }}");
        Assert.Equal($"ecgstreamd: configuration error in {file}: sinks.jsonl: \"{dir}\" is a directory; expected a file path", line);
        (line, file) = await Refusal(http: $"{{ \"tokenFile\": \"{dir}\" }}");
        Assert.Equal($"ecgstreamd: configuration error in {file}: http.tokenFile: \"{dir}\" is a directory; expected a file path", line);
        var notADirectory = Path.Combine(dir, "not-a-directory");
        File.WriteAllText(notADirectory, "");
        (line, file) = await Refusal(record: notADirectory);
        Assert.Equal($"ecgstreamd: configuration error in {file}: beds[0].record: \"{notADirectory}\" is a file; expected a directory", line);

        // what only opening finds: the runtime's own reason, after the key and the path
        var link = Path.Combine(dir, "events.jsonl");
        File.CreateSymbolicLink(link, "/proc/nope/events.jsonl");
        string why = Assert.ThrowsAny<IOException>(() => new FileStream(link, FileMode.Append, FileAccess.Write)).Message;
        (line, _) = await Refusal(sinks: $"{{ \"jsonl\": \"{link}\" }}");
        Assert.Equal($"ecgstreamd: cannot start: sinks.jsonl: \"{link}\": {why}", line);
        why = Assert.ThrowsAny<IOException>(() => Directory.CreateDirectory("/proc/nope")).Message;
        (line, _) = await Refusal(http: "{ \"tokenFile\": \"/proc/nope/token\" }");
        Assert.Equal($"ecgstreamd: cannot start: http.tokenFile: \"/proc/nope/token\": {why}", line);
        (line, _) = await Refusal(record: "/proc/nope");
        Assert.Equal($"ecgstreamd: cannot start: beds[0].record: \"/proc/nope\": {why}", line);
        // the annotation sink's folder is tried at start too (it failed at every flush, the daemon running on)
        (line, _) = await Refusal(sinks: "{ \"wfdb\": \"/proc/nope\" }");
        Assert.Equal($"ecgstreamd: cannot start: sinks.wfdb: \"/proc/nope\": {why}", line);
    }

    [Fact]
    public void A_JSON_syntax_error_names_the_line_and_position()
    {
        var file = Path.Combine(Support.TempDir(), "ecgstreamd.json");
        File.WriteAllText(file, "{\n  \"beds\": [\n    { \"id\": \"a\" \"source\": {} }\n  ]\n}\n");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(file, [], environment: false));
        Assert.Equal($"configuration error in {file}: (file): invalid JSON at line 3, position 17: '\"' is invalid after a value. Expected either ',', '}}', or ']'", e.Message);
    }
}
