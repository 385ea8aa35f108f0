using EcgStream.Tests;
using EcgStream.Ingest.Tests.Support;
using EcgStream.Ingest.Transports;
using EcgStream.Ingest.Wire;

namespace EcgStream.Ingest.Tests.Transports;

/// <summary>The C virtual device → pty / TCP / stdout → the C# ingest.</summary>
[Collection(PtyCollection.Name)]
public class VdevTests
{
    /// <summary>Records every delivered block (copied: the decoder reuses its buffer).</summary>
    private sealed class Recorder : IIngestEventSink
    {
        public List<(uint seq, long start, float[] samples)> Blocks { get; } = [];
        public List<GapEvent> Gaps { get; } = [];
        public void OnEvent(in IngestEvent e)
        {
            if (e.Kind == IngestEventKind.Data) Blocks.Add((e.Sequence, e.Block.StartSample, e.Block.Samples.ToArray()));
            if (e.Kind == IngestEventKind.Gap) Gaps.Add(e.Gap);
        }
    }

    private static Recorder Decode(byte[] bytes, out WireDecoder decoder)
    {
        decoder = new WireDecoder();
        var r = new Recorder();
        decoder.Push(bytes, r);
        decoder.Complete(r);
        return r;
    }

    private static void AssertSameBlocks(Recorder want, Recorder got)
    {
        Assert.Equal(want.Blocks.Count, got.Blocks.Count);
        for (int i = 0; i < want.Blocks.Count; i++)
        {
            Assert.Equal(want.Blocks[i].seq, got.Blocks[i].seq);
            Assert.Equal(want.Blocks[i].start, got.Blocks[i].start);
            Assert.Equal(want.Blocks[i].samples, got.Blocks[i].samples);
        }
    }

    [VdevFact]
    public async Task Vdev_over_pty_to_serial_port_loses_nothing()
    {
        const string args = "--max --frames 2000 --leads 12 --seed 1";
        var reference = Decode(Vdev.Bytes("--stdout " + args), out _); // the synthetic source is deterministic
        Assert.Equal(2000, reference.Blocks.Count);

        using var vdev = Vdev.Start("--pty " + args);
        using var vdevKilled = ChildProcesses.Killed(vdev);
        string slave = (await vdev.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)))!;
        Assert.StartsWith("/dev/pts/", slave);
        using var port = SerialPort.Open(new SerialPortOptions(slave, 921600, DiscardPendingInput: false));
        var decoder = new WireDecoder();
        var got = new Recorder();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await foreach (var e in decoder.ReadEventsAsync(port.CreateReader(), cts.Token))
        {
            got.OnEvent(e);
            if (got.Blocks.Count == 2000) break;
        }
        AssertSameBlocks(reference, got);
        Assert.Empty(got.Gaps);
        Assert.Equal(0, decoder.Counters.BytesSkipped);
        await vdev.WaitForExitAsync(cts.Token);
    }

    [VdevFact]
    public async Task Vdev_over_tcp_loses_nothing()
    {
        const string args = "--max --frames 3000 --leads 8 --format int24 --spf 5";
        var reference = Decode(Vdev.Bytes("--stdout " + args), out _);
        using var vdev = Vdev.Start("--tcp-listen 0 " + args);
        using var vdevKilled = ChildProcesses.Killed(vdev);
        string line = (await vdev.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)))!; // "tcp 127.0.0.1:PORT"
        int port = int.Parse(line[(line.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        await using var conn = await TcpTransport.ConnectAsync(new TcpClientOptions("127.0.0.1", port));
        var decoder = new WireDecoder();
        var got = new Recorder();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await decoder.ReadAllAsync(System.IO.Pipelines.PipeReader.Create(conn), got, cts.Token);
        AssertSameBlocks(reference, got);
        Assert.Equal(3000, got.Blocks.Count);
    }

    [VdevFact]
    public void Vdev_faults_one_percent_every_valid_frame_delivered_every_gap_reported()
    {
        string log = Path.GetTempFileName();
        try
        {
            var bytes = Vdev.Bytes($"--stdout --max --frames 8000 --leads 3 --drop 0.01 --corrupt 0.01 --duplicate 0.01 --seed 11 --fault-log {log}");
            var faults = File.ReadAllLines(log).Select(l => l.Split(',')).ToList();
            var lost = faults.Where(f => f[0] is "drop" or "corrupt").Select(f => uint.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
            int duplicates = faults.Count(f => f[0] == "duplicate");
            Assert.InRange(lost.Count, 100, 250);

            var got = Decode(bytes, out var decoder);
            var expectedSeqs = Enumerable.Range(0, 8000).Select(i => (uint)i).Where(s => !lost.Contains(s)).ToList();
            Assert.Equal(expectedSeqs, got.Blocks.Select(b => b.seq).ToList());
            // gaps: runs of lost frames bounded by delivered frames on both sides
            var runs = new List<(uint, long)>();
            uint first = expectedSeqs[0], last = expectedSeqs[^1];
            for (uint s = first; s <= last;)
            {
                if (!lost.Contains(s)) { s++; continue; }
                uint start = s;
                while (lost.Contains(s)) s++;
                runs.Add((start, s - start));
            }
            Assert.Equal(runs, got.Gaps.Select(g => (g.FromSequence, g.Frames)).ToList());
            Assert.All(got.Gaps, g => Assert.Equal(g.Frames * 10, g.Samples));
            Assert.Equal(duplicates, decoder.Counters.Duplicates);
        }
        finally
        {
            File.Delete(log);
        }
    }

    [VdevFact]
    public void Vdev_plays_a_csv_file_exactly()
    {
        string csv = Path.GetTempFileName();
        try
        {
            var rows = Enumerable.Range(0, 100).Select(i => (a: i * 3 - 150, b: -i * 7, c: i % 2 == 0 ? 32767 : -32768)).ToList();
            File.WriteAllLines(csv, new[] { "I,II,III" }.Concat(rows.Select(r => $"{r.a},{r.b},{r.c}")));
            var got = Decode(Vdev.Bytes($"--stdout --max --leads 3 --gain-nv 1000 --csv {csv}"), out var decoder);
            Assert.Equal(10, got.Blocks.Count); // 100 rows, 10 samples per frame
            for (int f = 0; f < 10; f++)
                for (int i = 0; i < 10; i++)
                {
                    var r = rows[f * 10 + i];
                    var s = got.Blocks[f].samples;
                    Assert.Equal(r.a * 1e-3, s[i], 5);      // plane 0 (I), 1 µV per LSB
                    Assert.Equal(r.b * 1e-3, s[10 + i], 5); // plane 1 (II)
                    Assert.Equal(r.c * 1e-3, s[20 + i], 4); // plane 2 (III)
                }
            File.AppendAllLines(csv, ["1,2"]);
            var bad = Assert.Throws<InvalidOperationException>(() => Vdev.Bytes($"--stdout --max --leads 3 --csv {csv}"));
            Assert.Contains(":102: 2 columns, expected 3", bad.Message);
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [VdevFact]
    public async Task Vdev_disconnects_on_schedule_and_the_stream_resumes_on_reconnect()
    {
        using var vdev = Vdev.Start("--tcp-listen 0 --max --frames 1500 --leads 1 --disconnect-after 500");
        using var vdevKilled = ChildProcesses.Killed(vdev);
        string line = (await vdev.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)))!;
        int port = int.Parse(line[(line.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var decoder = new WireDecoder(); // one decoder for the bed, across connections
        var got = new Recorder();
        int connections = 0;
        var buf = new byte[4096];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (got.Blocks.Count < 1500)
        {
            await using var conn = await TcpTransport.ConnectAsync(new TcpClientOptions("127.0.0.1", port));
            connections++;
            int n;
            while ((n = await conn.ReadAsync(buf, cts.Token)) > 0) decoder.Push(buf.AsSpan(0, n), got);
        }
        Assert.Equal(3, connections);
        Assert.Equal(Enumerable.Range(0, 1500).Select(i => (uint)i), got.Blocks.Select(b => b.seq));
        Assert.Empty(got.Gaps);
        Assert.Equal(3 + 1499 / 50, decoder.Counters.InfoFrames); // one per connection + the periodic repeats (every 50 frames), all silent
        await vdev.WaitForExitAsync(cts.Token);
    }

    [VdevFact]
    public void Vdev_stall_pauses_the_stream_without_losing_frames()
    {
        string log = Path.GetTempFileName();
        try
        {
            // 60 frames at 100× real time take 12 ms; two 300 ms stalls (after frames 30 and 60) dominate
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var bytes = Vdev.Bytes($"--stdout --speed 100 --frames 60 --leads 1 --stall 300@30 --fault-log {log}");
            sw.Stop();
            Assert.True(sw.ElapsedMilliseconds >= 600, $"vdev ran {sw.ElapsedMilliseconds} ms; two 300 ms stalls were asked for");
            Assert.Equal(["stall,30,300", "stall,60,300"], File.ReadAllLines(log));
            var got = Decode(bytes, out _);
            Assert.Equal(60, got.Blocks.Count);
            Assert.Empty(got.Gaps);
        }
        finally
        {
            File.Delete(log);
        }
    }

    [VdevFact]
    public void Raw_file_written_from_blocks_plays_back_through_vdev_unchanged()
    {
        string raw = Path.GetTempFileName();
        try
        {
            var leads = EcgStream.Core.Leads.LeadSet.Of(EcgStream.Core.Leads.Lead.I, EcgStream.Core.Leads.Lead.V2);
            var planar = new float[2 * 250];
            for (int i = 0; i < 250; i++)
            {
                planar[i] = (float)Math.Sin(i * 0.05);         // lead I, mV
                planar[250 + i] = (float)(i % 50 == 0 ? 200 : -0.3); // V2; 200 mV does not fit int16 at 5 µV/LSB
            }
            int clamped;
            using (var f = File.Create(raw))
            {
                var w = new RawSampleWriter(f, nvPerLsb: 5000);
                w.Write(new EcgStream.Core.Samples.SampleBlock("gen", 0, 250, leads, 250, planar));
                clamped = (int)w.Clamped;
            }
            Assert.Equal(5, clamped);
            var got = Decode(Vdev.Bytes($"--stdout --max --raw {raw} --leads 0x0081 --gain-nv 5000 --rate 250 --spf 25"), out _);
            Assert.Equal(10, got.Blocks.Count);
            for (int f = 0; f < 10; f++)
                for (int i = 0; i < 25; i++)
                {
                    int k = f * 25 + i;
                    Assert.Equal(Math.Round(planar[k] / 0.005) * 0.005, got.Blocks[f].samples[i], 4);
                    double v2 = Math.Clamp(Math.Round(planar[250 + k] / 0.005), short.MinValue, short.MaxValue) * 0.005;
                    Assert.Equal(v2, got.Blocks[f].samples[25 + i], 3);
                }
        }
        finally
        {
            File.Delete(raw);
        }
    }

    [VdevFact]
    public async Task Vdev_connects_out_to_our_tcp_server()
    {
        using var server = TcpServer.Start(new TcpServerOptions());
        using var vdev = Vdev.Start($"--tcp-connect 127.0.0.1:{server.LocalEndPoint.Port} --max --frames 500 --leads 1 --rate 130 --spf 13");
        using var vdevKilled = ChildProcesses.Killed(vdev);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var conn = await server.AcceptAsync(cts.Token);
        var decoder = new WireDecoder();
        var got = new Recorder();
        await decoder.ReadAllAsync(System.IO.Pipelines.PipeReader.Create(conn), got, cts.Token);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (uint)i), got.Blocks.Select(b => b.seq));
        Assert.Equal(130, decoder.Info!.SampleRate);
    }

    [VdevFact]
    public void Vdev_refuses_bad_options_with_a_message()
    {
        using var p = Vdev.Start("--drop 1.5");
        using var pKilled = ChildProcesses.Killed(p);
        // bounded: a vdev that accepted the option would run for ever
        Assert.True(p.WaitForExit(10_000), "vdev --drop 1.5 was still running 10 s later");
        string err = p.StandardError.ReadToEnd();
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("--drop 1.5", err);
    }
}
