using System.Diagnostics;
using EcgStream.Tests;
using System.Net.Sockets;
using EcgStream.Core.Leads;
using EcgStream.Core.Samples;
using EcgStream.Daemon.Sinks;
using EcgStream.Formats;
using EcgStream.Formats.Wfdb;
using EcgStream.Ingest.Wire;
using EcgStream.Synthetic;

namespace EcgStream.Daemon.Tests;

/// <summary>The raw-sample recorder: what it writes reads back exactly, gaps stay gaps, and a kill -9 loses under a second.</summary>
public class RecordingTests
{
    private static SampleBlock Block(long start, int n, Func<long, int, float> value, int leads = 2)
    {
        var data = new float[n * leads];
        for (int p = 0; p < leads; p++)
            for (int i = 0; i < n; i++) data[p * n + i] = value(start + i, p);
        return new SampleBlock("r", start, 250, leads == 2 ? LeadSet.Of(Lead.I, Lead.II) : LeadSet.Of(Lead.I), n, data);
    }

    private static float Wave(long i, int p) => (float)(((i * 37 + p * 501) % 2000) - 1000) / 1000f;

    [Fact]
    public void A_short_gap_is_written_as_invalid_samples_a_long_one_starts_a_new_segment_and_closed_headers_check_out()
    {
        var dir = Support.TempDir();
        var rec = new WfdbRecorder(dir, "bed.1", "20261203T000000Z", segmentSeconds: 3600, gain: 1000, maxFillSeconds: 2);
        rec.Write(Block(0, 250, Wave));
        rec.Write(Block(300, 200, Wave));      // 50 samples (0.2 s) missing: invalid, not signal
        rec.Write(Block(5000, 100, Wave));     // 18 s later: beyond the 2 s fill bound, a new segment
        rec.Close();

        Assert.Equal(["bed_1_20261203T000000Z_0000", "bed_1_20261203T000000Z_0001"], rec.Segments);
        Assert.Equal(rec.Segments, File.ReadAllLines(Path.Combine(dir, "RECORDS")));
        // the whole-record read verifies the closed header's length and checksums
        var first = Wfdb.ReadDigital(Path.Combine(dir, rec.Segments[0]));
        Assert.Equal(500, first[0].Length);
        for (int i = 0; i < 500; i++)
            for (int p = 0; p < 2; p++)
            {
                int expected = i is >= 250 and < 300 ? -32768 : (int)Math.Round(Wave(i, p) * 1000);
                Assert.Equal(expected, first[p][i]);
            }
        Assert.Equal(100, rec.GapSamples);
        var physical = RecordReader.Read(Path.Combine(dir, rec.Segments[0] + ".hea"));
        Assert.True(float.IsNaN(physical.Samples[0][260]));
        Assert.Equal(Wave(10, 1), physical.Samples[1][10], 3);
        var h = Wfdb.ReadHeader(Path.Combine(dir, rec.Segments[1]));
        Assert.Equal(100, h.SampleCount);
        Assert.NotNull(h.BaseTime);
        Assert.Contains("stream_start_sample: 5000", h.Comments);
    }

    [Fact]
    public void A_segment_is_closed_after_its_length_and_the_open_one_reads_by_its_file_size()
    {
        var dir = Support.TempDir();
        var rec = new WfdbRecorder(dir, "b", "20261203T000000Z", segmentSeconds: 2, gain: 1000, maxFillSeconds: 2);
        for (int k = 0; k < 5; k++) rec.Write(Block(k * 125, 125, Wave, leads: 1));   // 2.5 s at 250 Hz
        Assert.Equal(2, rec.Segments.Count);
        // the open segment's header has no length yet: readers take what the .dat holds
        var open = Wfdb.ReadHeader(Path.Combine(dir, rec.Segments[1]));
        Assert.Null(open.SampleCount);
        var d = Wfdb.ReadDigital(Path.Combine(dir, rec.Segments[1]));
        Assert.Equal(125, d[0].Length);
        Assert.Equal((int)Math.Round(Wave(500, 0) * 1000), d[0][0]);
        rec.Close();
        Assert.Equal(500, Wfdb.ReadHeader(Path.Combine(dir, rec.Segments[0])).SampleCount);
    }

    /// <summary>
    /// ecgstreamd as its own process, fed over TCP by a device in this test, recording; SIGKILL; the
    /// recording must hold every sample sent up to a second before the kill, exactly; a second run
    /// records a new segment and leaves the first run's annotations and samples alone.
    /// </summary>
    [Fact]
    public async Task Kill_9_while_recording_loses_at_most_a_second_and_a_restart_keeps_the_earlier_run()
    {
        var dir = Support.TempDir();
        string recDir = Path.Combine(dir, "rec"), atrDir = Path.Combine(dir, "atr"), atr = Path.Combine(atrDir, "rec.atr");
        int port = Support.FreePort();
        string config = Path.Combine(dir, "ecgstreamd.json");
        File.WriteAllText(config, $$"""
            { "listen": "http://127.0.0.1:0", "http": { "token": "{{Support.Token}}" },
              "beds": [ { "id": "rec", "record": "{{recDir}}", "source": { "kind": "tcp-server", "port": {{port}} } } ],
              "sinks": { "sse": false, "webSocket": false, "wfdb": "{{atrDir}}", "wfdbIntervalSeconds": 1 } }
            """);
        var ecg = new SyntheticEcgStream(seed: 5, sampleRate: 500, leads: LeadSet.Of(Lead.I, Lead.II, Lead.V1));

        // run 1: until the rules' first episode is on disk (and at least 6 s), then kill -9
        var sent1 = new List<int>();
        using (var daemon = StartDaemon(config))
        {
            await Stream(port, ecg, sent1, () => sent1.Count >= 3 * 500 * 6 && File.Exists(atr), daemon);
            daemon.Kill();   // SIGKILL on Unix
            await ChildProcesses.WaitForExitAsync(daemon, TimeSpan.FromSeconds(15), "ecgstreamd killed with SIGKILL");
        }
        byte[] firstAtr = File.ReadAllBytes(atr);
        var segments = File.ReadAllLines(Path.Combine(recDir, "RECORDS"));
        Assert.Single(segments);
        var run1 = Wfdb.ReadDigital(Path.Combine(recDir, segments[0]));
        AssertPrefix(sent1, run1, "run 1");

        // run 2: a new segment; run 1's samples and annotations stay
        var sent2 = new List<int>();
        using (var daemon = StartDaemon(config))
        {
            await Stream(port, ecg, sent2, () => sent2.Count >= 3 * 500 * 2, daemon);
            daemon.Kill();
            await ChildProcesses.WaitForExitAsync(daemon, TimeSpan.FromSeconds(15), "ecgstreamd killed with SIGKILL");
        }
        segments = File.ReadAllLines(Path.Combine(recDir, "RECORDS"));
        Assert.Equal(2, segments.Length);
        Assert.NotEqual(segments[0], segments[1]);
        Assert.Equal(run1, Wfdb.ReadDigital(Path.Combine(recDir, segments[0])));
        AssertPrefix(sent2, Wfdb.ReadDigital(Path.Combine(recDir, segments[1])), "run 2");
        Assert.Contains(Directory.GetFiles(atrDir, "rec.atr*"), f => File.ReadAllBytes(f).AsSpan().SequenceEqual(firstAtr));
        // what `ecgstream replay` opens: the killed run's segment reads as a record of the three leads
        var replayable = RecordReader.Read(Path.Combine(recDir, segments[0] + ".hea"));
        Assert.Equal(LeadSet.Of(Lead.I, Lead.II, Lead.V1), replayable.Leads);
    }

    /// <summary>Every recorded sample equals the one sent; at most one second (500 frames) of the sent ones is missing.</summary>
    private static void AssertPrefix(List<int> sent, int[][] recorded, string what)
    {
        int frames = recorded[0].Length, sentFrames = sent.Count / 3;
        Assert.True(frames <= sentFrames, $"{what}: {frames} frames recorded, only {sentFrames} sent");
        Assert.True(sentFrames - frames <= 500, $"{what}: {sentFrames - frames} frames lost (more than 1 s)");
        for (int i = 0; i < frames; i++)
            for (int p = 0; p < 3; p++)
                if (recorded[p][i] != sent[i * 3 + p]) Assert.Fail($"{what}: frame {i} lead {p}: recorded {recorded[p][i]}, sent {sent[i * 3 + p]}");
    }

    private static Process StartDaemon(string config)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "ecgstreamd.dll");
        var psi = new ProcessStartInfo(Environment.ProcessPath!, $"exec \"{dll}\" --config \"{config}\"")
        { RedirectStandardError = true, RedirectStandardOutput = true };
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>A device at 1 µV per LSB, 500 Hz, frames of 10 samples paced in real time, until <paramref name="done"/>.</summary>
    private static async Task Stream(int port, SyntheticEcgStream ecg, List<int> sent, Func<bool> done, Process daemon)
    {
        var info = new DeviceInfo
        {
            SampleRateMilliHz = 500_000, GainPicovolts = 1_000_000, Leads = ecg.Leads, Format = SampleFormat.Int16, SamplesPerFrame = 10,
        };
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try { await socket.ConnectAsync("127.0.0.1", port); break; }
            catch (SocketException) when (DateTime.UtcNow < until && !daemon.HasExited) { await Task.Delay(100); }
        }
        var frame = new byte[WireProtocol.MaxFrame];
        socket.Send(frame.AsSpan(0, WireEncoder.EncodeInfo(info, frame)));
        var planar = new float[3 * 10];
        var lsb = new int[3 * 10];
        var clock = Stopwatch.StartNew();
        uint seq = 0;
        long frames = 0;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, "the daemon never wrote its first annotations");
            Assert.False(daemon.HasExited, "the daemon exited");
            ecg.Read(planar, 10);
            for (int i = 0; i < 10; i++)
                for (int p = 0; p < 3; p++)
                    lsb[i * 3 + p] = (int)Math.Clamp(Math.Round(planar[p * 10 + i] * 1000), -32767, 32767);
            socket.Send(frame.AsSpan(0, WireEncoder.EncodeData(info, seq++, (uint)(frames * 2000), 0, lsb, frame)));
            sent.AddRange(lsb);
            frames += 10;
            double wait = frames / 500.0 - clock.Elapsed.TotalSeconds;
            if (wait > 0) await Task.Delay(TimeSpan.FromSeconds(wait));
        }
    }
}
