using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using EcgStream.Core.Leads;
using EcgStream.Daemon.Configuration;
using EcgStream.Daemon.Sources;
using EcgStream.Ingest.Wire;
using EcgStream.Synthetic;

namespace EcgStream.Daemon.Tests;

public class SourceTests
{
    [Fact]
    public async Task A_tcp_server_bed_takes_a_device_that_connects_and_counts_its_frames()
    {
        var config = new DaemonConfig
        {
            Beds = [new BedConfig { Id = "in-1", Source = new SourceConfig { Kind = SourceKind.TcpServer, Port = 0 } }],
        };
        await using var host = await Support.StartAsync(config);
        var source = (WireSource)host.Source("in-1");
        await source.Listening.WaitAsync(TimeSpan.FromSeconds(10));

        var info = new DeviceInfo { SampleRateMilliHz = 250_000, GainPicovolts = 1_000_000, Leads = LeadSet.Of(Lead.I, Lead.II), Format = SampleFormat.Int16, SamplesPerFrame = 5 };
        using var device = new TcpClient();
        await device.ConnectAsync("127.0.0.1", source.ListeningPort!.Value);
        var stream = device.GetStream();
        var frame = new byte[WireProtocol.MaxFrame];
        await stream.WriteAsync(frame.AsMemory(0, WireEncoder.EncodeInfo(info, frame)));
        var samples = new int[10];
        for (uint seq = 0; seq < 400; seq++)
        {
            if (seq is >= 200 and < 210) continue; // ten frames lost on the way
            for (int i = 0; i < 10; i++) samples[i] = (int)(seq % 100) * 10 + i;
            await stream.WriteAsync(frame.AsMemory(0, WireEncoder.EncodeData(info, seq, seq * 20_000, 0, samples, frame)));
        }
        var bed = host.Bed("in-1");
        await Support.Until(() => bed.Samples == 390 * 5, TimeSpan.FromSeconds(10), "390 frames of samples");
        Assert.True(bed.Connected);
        Assert.Equal(390, bed.Ingest!.DataFrames);
        Assert.Equal((1, 10), (bed.Ingest.Gaps, bed.Ingest.GapFrames));
        Assert.Equal(250, bed.SampleRate);
        Assert.Equal(LeadSet.Of(Lead.I, Lead.II), bed.Leads);
        device.Close();
        await Support.Until(() => !bed.Connected, TimeSpan.FromSeconds(10), "the bed to see the device leave");
    }

    [Fact]
    public async Task A_ble_stdin_bed_decodes_our_frames_from_notification_records()
    {
        // INFO + 100 DATA frames as a byte stream, cut into 20-byte notification values (default MTU),
        // printed as gatttool does, with a prompt line and another handle's notifications mixed in
        var info = new DeviceInfo { SampleRateMilliHz = 250_000, GainPicovolts = 1_000_000, Leads = LeadSet.Of(Lead.I), Format = SampleFormat.Int16, SamplesPerFrame = 8 };
        var bytes = new List<byte>();
        var frame = new byte[WireProtocol.MaxFrame];
        bytes.AddRange(frame.AsSpan(0, WireEncoder.EncodeInfo(info, frame)).ToArray());
        var samples = new int[8];
        for (uint seq = 0; seq < 100; seq++)
            bytes.AddRange(frame.AsSpan(0, WireEncoder.EncodeData(info, seq, seq * 32_000, 0, samples, frame)).ToArray());
        var text = new System.Text.StringBuilder("[EC:EA:02:85:D9:7A][LE]> connect\n");
        for (int i = 0; i < bytes.Count; i += 20)
        {
            text.Append("Notification handle = 0x004a value: ").AppendJoin(' ', bytes.Skip(i).Take(20).Select(b => b.ToString("x2"))).Append('\n');
            if (i % 200 == 0) text.Append("Notification handle = 0x0010 value: 00 48\n"); // heart rate, another characteristic
        }
        var stdin = new MemoryStream(System.Text.Encoding.ASCII.GetBytes(text.ToString()));
        var config = new DaemonConfig
        {
            Beds = [new BedConfig { Id = "strap", Source = new SourceConfig { Kind = SourceKind.BleStdin, Decoder = "wire", Handle = 0x4a } }],
        };
        await using var host = await Support.StartAsync(config, new DaemonHostOptions { Stdin = stdin });
        var bed = host.Bed("strap");
        await Support.Until(() => bed.Samples == 800, TimeSpan.FromSeconds(10), "100 frames of samples");
        Assert.Equal(100, bed.Ingest!.DataFrames);
        Assert.Equal(0, bed.Ingest.CrcErrors);
        await Support.Until(() => !bed.Connected, TimeSpan.FromSeconds(5), "the end of the input");
    }

    [Fact]
    public async Task A_file_bed_plays_a_recording_at_the_given_speed()
    {
        var dir = Support.TempDir();
        var record = Simulator.Run(ScenarioFile.Parse("""
            { "seed": 4, "sampleRate": 360, "leads": ["II", "V1"], "segments": [ { "rhythm": "SR", "durationSeconds": 8 } ] }
            """));
        string written = record.WriteWfdb(dir, "rec");
        var config = new DaemonConfig
        {
            Beds = [new BedConfig { Id = "qa", Source = new SourceConfig { Kind = SourceKind.File, Path = written + ".hea", Speed = 40 } }],
        };
        await using var host = await Support.StartAsync(config);
        var bed = host.Bed("qa");
        await Support.Until(() => bed.Samples == 8 * 360, TimeSpan.FromSeconds(20), "the whole recording");
        Assert.Equal(360, bed.SampleRate);
        await Support.Until(() => !bed.Connected, TimeSpan.FromSeconds(5), "the file source to end");
    }

    [Fact]
    public async Task The_websocket_stream_carries_strips_and_events()
    {
        var dir = Support.TempDir();
        var config = new DaemonConfig
        {
            Beds = [new BedConfig { Id = "ws-bed", Source = new SourceConfig { Kind = SourceKind.Synthetic, Scenario = Support.ScenarioFile(dir, Support.PauseScenario), Speed = 5 } }],
        };
        await using var host = await Support.StartAsync(config);
        using var ws = new ClientWebSocket();
        ws.Options.SetRequestHeader("Authorization", "Bearer " + Support.Token);
        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{host.Address.Port}/ws"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        var buffer = new byte[1 << 16];
        var types = new HashSet<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!(types.Contains("strip") && types.Contains("alarm")))
        {
            var r = await ws.ReceiveAsync(buffer, cts.Token);
            Assert.True(r.EndOfMessage, "one message per frame");
            var m = JsonDocument.Parse(buffer.AsMemory(0, r.Count)).RootElement;
            Assert.Equal("ws-bed", m.GetProperty("stream").GetString());
            types.Add(m.GetProperty("type").GetString()!);
        }
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        await Support.Until(() => host.Hub.ClientCount == 0, TimeSpan.FromSeconds(10), "the client to leave the hub");
    }
}
