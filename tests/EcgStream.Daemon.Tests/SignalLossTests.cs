using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using EcgStream.Core.Events;
using EcgStream.Core.Leads;
using EcgStream.Daemon.Configuration;
using EcgStream.Daemon.Demo;
using EcgStream.Daemon.Sources;
using EcgStream.Ingest.Wire;
using EcgStream.Synthetic;

namespace EcgStream.Daemon.Tests;

/// <summary>Loss of signal is an alarm of its own, raised by the clock while the signal is missing.</summary>
public class SignalLossTests
{
    private sealed class Recorder
    {
        private readonly List<(RhythmEvent Event, long Ticks)> _events = [];
        public void Add(RhythmEvent e) { lock (_events) _events.Add((e, Stopwatch.GetTimestamp())); }
        public List<(RhythmEvent Event, long Ticks)> All(string rhythm) { lock (_events) return _events.Where(x => x.Event.Rhythm == rhythm).ToList(); }
        public bool Has(string rhythm, EventKind kind) => All(rhythm).Any(x => x.Event.Kind == kind);
        public string Dump() { lock (_events) return string.Join("\n", _events.Select(x => EcgStream.Runtime.Sinks.EventJson.ToJson(x.Event))); }
    }

    private static async Task<JsonElement> HealthBed(DaemonHost host, string bed)
    {
        using var http = new HttpClient { BaseAddress = host.Address };
        var doc = JsonDocument.Parse(await http.GetStringAsync("health")).RootElement;
        return doc.GetProperty("beds").EnumerateArray().Single(b => b.GetProperty("id").GetString() == bed).Clone();
    }

    private static async Task<string> HealthStatus(DaemonHost host)
    {
        using var http = new HttpClient { BaseAddress = host.Address };
        return JsonDocument.Parse(await http.GetStringAsync("health")).RootElement.GetProperty("status").GetString()!;
    }

    [Fact]
    public async Task A_recording_played_to_its_end_is_ended_not_a_lost_signal()
    {
        // review, session 21: the end of a file raised SIGNAL_LOSS and a GAP 4 s later, open until shutdown
        var dir = Support.TempDir();
        var samples = new float[1][];
        samples[0] = new float[2500];
        for (int i = 0; i < samples[0].Length; i++) samples[0][i] = (float)Math.Sin(i * 0.05) * 0.5f;
        EcgStream.Formats.Wfdb.Wfdb.WriteRecord(dir, new EcgStream.Formats.Recording
        {
            Name = "rec", SampleRate = 250, Samples = samples, Signals = [new EcgStream.Formats.SignalInfo { Name = "II" }],
        }, new EcgStream.Formats.Wfdb.WfdbWriteOptions());
        var events = new Recorder();
        var config = new DaemonConfig
        {
            Beds = [new BedConfig { Id = "file", SignalLossSeconds = 1.5,
                Source = new SourceConfig { Kind = SourceKind.File, Path = Path.Combine(dir, "rec.hea"), Speed = 20 } }],
        };
        await using var host = await Support.StartAsync(config, new DaemonHostOptions { OnEvent = events.Add });
        var bed = host.Bed("file");
        await Support.Until(() => bed.State == "ended", TimeSpan.FromSeconds(20), "the 10 s recording to end");
        Assert.Equal(2500, bed.Samples);
        await Task.Delay(TimeSpan.FromSeconds(4));     // more than twice signalLossSeconds of silence after the end
        Assert.Equal("ended", bed.State);
        Assert.False(events.Has("SIGNAL_LOSS", EventKind.Onset), events.Dump());
        Assert.False(events.Has("GAP", EventKind.Onset), events.Dump());
        Assert.Null(bed.LastError);
    }

    [VdevFact]
    public async Task A_connected_device_that_stalls_raises_SIGNAL_LOSS_in_time_and_closes_it_with_the_exact_gap()
    {
        var events = new Recorder();
        var config = new DaemonConfig
        {
            Beds = [new BedConfig { Id = "stall", SignalLossSeconds = 1.0, Source = new SourceConfig { Kind = SourceKind.TcpServer, Port = 0 } }],
        };
        await using var host = await Support.StartAsync(config, new DaemonHostOptions { OnEvent = events.Add });
        var source = (WireSource)host.Source("stall");
        await source.Listening.WaitAsync(TimeSpan.FromSeconds(10));
        // 5 s of signal, then the device stays connected but sends nothing for 2.5 s (it loses nothing: it sends late)
        using var vdev = Process.Start(new ProcessStartInfo(DemoRunner.FindVdev()!,
            $"--tcp-connect 127.0.0.1:{source.ListeningPort} --leads 3 --rate 500 --spf 10 --stall 2500@250 --seconds 7.5")
            { RedirectStandardError = true, RedirectStandardOutput = true })!;
        try
        {
            var bed = host.Bed("stall");
            await Support.Until(() => bed.Samples >= 2500, TimeSpan.FromSeconds(20), "the first 5 s of signal");
            await Support.Until(() => events.Has("SIGNAL_LOSS", EventKind.Onset), TimeSpan.FromSeconds(5), "SIGNAL_LOSS during the stall");
            long onsetTicks = events.All("SIGNAL_LOSS")[0].Ticks;
            Assert.True(bed.Connected, "the device is still connected");
            var h = await HealthBed(host, "stall");
            Assert.Equal("signal_lost", h.GetProperty("state").GetString());
            Assert.True(h.GetProperty("connected").GetBoolean());
            Assert.True(h.GetProperty("last_sample_age_s").GetDouble() >= 1.0);
            Assert.Equal("degraded", await HealthStatus(host));
            // raised no earlier than the configured 1 s after the last sample, and in time: the 0.1 s tick plus the
            // scheduling slack of a 2-core CI machine running every test project at once (1.56 s seen there), while
            // the device is still silent
            var onset = events.All("SIGNAL_LOSS")[0].Event;
            Assert.InRange(onset.DetectedSeconds - onset.StartSeconds, 1.0, 2.2);
            Assert.Equal(2500 / 500.0, onset.StartSeconds, 3);
            Assert.True(events.Has("GAP", EventKind.Onset), "the GAP opens at the loss");
            Assert.False(events.Has("GAP", EventKind.Offset));

            await Support.Until(() => events.Has("SIGNAL_LOSS", EventKind.Offset), TimeSpan.FromSeconds(5), "SIGNAL_LOSS to close when data returns");
            double silent = Stopwatch.GetElapsedTime(onsetTicks, events.All("SIGNAL_LOSS").Single(x => x.Event.Kind == EventKind.Offset).Ticks).TotalSeconds;
            // 2.5 s stall − 1.0–2.2 s to detect; the offset can come late too when the machine is loaded (2.2 s once in a
            // fresh-clone CI run): it must close once data is back, not only at some later check
            Assert.InRange(silent, 0.2, 4.0);
            await Support.Until(() => events.Has("GAP", EventKind.Offset), TimeSpan.FromSeconds(2), "the GAP to close");
            var gaps = events.All("GAP");
            Assert.Single(gaps, x => x.Event.Kind == EventKind.Onset);
            var gap = gaps.Single(x => x.Event.Kind == EventKind.Offset).Event;
            // nothing was lost (a stall only delays): the gap closes with zero extent in stream time
            Assert.Equal(5.0, gap.StartSeconds, 3);
            Assert.Equal(gap.StartSeconds, gap.EndSeconds!.Value, 6);
            Assert.Equal(0, bed.Ingest!.Gaps);
            Assert.Equal("receiving", (await HealthBed(host, "stall")).GetProperty("state").GetString());
        }
        catch (Exception e) when (e is TimeoutException or Xunit.Sdk.XunitException)
        {
            throw new Exception(e.Message + "\nevents:\n" + events.Dump(), e);
        }
        finally
        {
            if (!vdev.HasExited) vdev.Kill();
        }
    }

    [Fact]
    public async Task A_disconnect_raises_SIGNAL_LOSS_and_opens_the_GAP_before_the_device_returns()
    {
        var scenario = new SyntheticEcgStream(seed: 5, sampleRate: 500, leads: LeadSet.Of(Lead.I, Lead.II, Lead.V1));
        await using var device = new SimulatedWireDevice(scenario, speed: 1);
        device.Start();
        var events = new Recorder();
        var config = new DaemonConfig
        {
            // 1.5 s, not less: a real-time simulated device on a loaded 2-core machine can stall for
            // most of a second, which would raise (and close) a SIGNAL_LOSS before the unplug
            Beds = [new BedConfig { Id = "icu-1", SignalLossSeconds = 1.5,
                Source = new SourceConfig { Kind = SourceKind.TcpClient, Port = device.Port, ReconnectInitialSeconds = 0.05, ReconnectMaxSeconds = 0.2 } }],
        };
        await using var host = await Support.StartAsync(config, new DaemonHostOptions { OnEvent = events.Add });
        var bed = host.Bed("icu-1");
        try
        {
            await Support.Until(() => bed.Samples >= 1000, TimeSpan.FromSeconds(20), "2 s of signal");
            device.AcceptClients = false;
            long unsentBefore = device.FramesUnsent;
            device.DropClient();
            await Support.Until(() => events.Has("SIGNAL_LOSS", EventKind.Onset), TimeSpan.FromSeconds(5), "SIGNAL_LOSS while disconnected");
            Assert.False(bed.Connected);
            Assert.True(events.Has("GAP", EventKind.Onset));
            Assert.False(events.Has("GAP", EventKind.Offset));
            Assert.Equal("signal_lost", (await HealthBed(host, "icu-1")).GetProperty("state").GetString());
            var onset = events.All("SIGNAL_LOSS")[0].Event;
            Assert.InRange(onset.DetectedSeconds - onset.StartSeconds, 1.5, 2.7);   // not early; in time, with a loaded CI's slack

            await Task.Delay(500);
            device.AcceptClients = true;
            await Support.Until(() => events.Has("GAP", EventKind.Offset), TimeSpan.FromSeconds(10), "the GAP to close after the reconnect");
            long lost = device.FramesUnsent - unsentBefore;
            Assert.True(events.Has("SIGNAL_LOSS", EventKind.Offset));
            var gaps = events.All("GAP");
            Assert.Single(gaps, x => x.Event.Kind == EventKind.Onset);
            var gap = gaps.Single(x => x.Event.Kind == EventKind.Offset).Event;
            // the exact extent, from the sequence numbers: every lost frame is 10 samples at 500 Hz
            Assert.Equal(lost * 10 / 500.0, gap.EndSeconds!.Value - gap.StartSeconds, 6);
            Assert.Equal(onset.StartSeconds, gap.StartSeconds, 6);
            Assert.Equal(lost, bed.Ingest!.GapFrames);
            var offset = events.All("SIGNAL_LOSS").Single(x => x.Event.Kind == EventKind.Offset).Event;
            Assert.Equal(gap.EndSeconds!.Value, offset.EndSeconds!.Value, 6);
        }
        catch (Exception e) when (e is TimeoutException or Xunit.Sdk.XunitException)
        {
            throw new Exception(e.Message + "\nevents:\n" + events.Dump(), e);
        }
    }

    [Fact]
    public async Task A_sequence_jump_of_2_pow_31_frames_resets_the_bed_which_takes_new_data_within_1_s()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var events = new Recorder();
        var config = new DaemonConfig
        {
            Beds = [new BedConfig { Id = "jump", Source = new SourceConfig { Kind = SourceKind.TcpClient, Port = ((IPEndPoint)listener.LocalEndpoint).Port } }],
        };
        await using var host = await Support.StartAsync(config, new DaemonHostOptions { OnEvent = events.Add });
        using var device = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var stream = device.GetStream();
        var info = new DeviceInfo
        {
            SampleRateMilliHz = 500_000, GainPicovolts = 2_500_000, Leads = LeadSet.Of(Lead.I, Lead.II),
            Format = SampleFormat.Int16, SamplesPerFrame = 10, DeviceId = 7, Firmware = "jump-test",
        };
        var frame = new byte[WireProtocol.MaxFrame];
        stream.Write(frame, 0, WireEncoder.EncodeInfo(info, frame));
        var lsb = new int[20];
        void Send(uint seq)
        {
            for (int i = 0; i < lsb.Length; i++) lsb[i] = (int)(400 * Math.Sin(seq * 0.3 + i));
            stream.Write(frame, 0, WireEncoder.EncodeData(info, seq, seq * 20_000u, 0, lsb, frame));
        }
        for (uint s = 0; s < 100; s++) Send(s);
        var bed = host.Bed("jump");
        await Support.Until(() => bed.Samples == 1000, TimeSpan.FromSeconds(10), "the first 100 frames");

        const uint jump = 0x7FFF_FFFF; // the largest forward jump the 32-bit sequence can express (2^31 − 1 frames)
        var sent = Stopwatch.StartNew();
        Send(100 + jump);
        Send(101 + jump);
        await Support.Until(() => bed.Samples == 1020 && events.Has("STREAM_RESTART", EventKind.Offset), TimeSpan.FromSeconds(5),
            "the frames after the jump to be taken");
        // filling a 2^31-frame gap would take minutes; anything under 10 s (a loaded CI machine included) did not try
        Assert.True(sent.Elapsed < TimeSpan.FromSeconds(10), $"took {sent.Elapsed.TotalSeconds:F3} s");
        // and the bed goes on taking data
        Send(102 + jump);
        await Support.Until(() => bed.Samples == 1030, TimeSpan.FromSeconds(10), "the next frame");
        var gap = events.All("GAP").Single(x => x.Event.Kind == EventKind.Offset).Event;
        Assert.Equal(2.0, gap.StartSeconds, 9);
        Assert.Equal(jump * 10.0 / 500.0, gap.EndSeconds!.Value - gap.StartSeconds, 6);
        Assert.Equal(1, bed.StreamRestarts);
        Assert.Equal(2, bed.Sessions);
        Assert.Equal("receiving", bed.State);
        Assert.Equal(jump, bed.Ingest!.GapFrames);
    }
}
