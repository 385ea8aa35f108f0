using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using EcgStream.Core.Leads;
using EcgStream.Ingest.Ble;
using EcgStream.Ingest.Wire;

namespace EcgStream.Ingest.Tests.Ble;

public class PolarPmdDecoderTests
{
    private sealed class Collect : IIngestEventSink
    {
        public List<IngestEventKind> Kinds { get; } = [];
        public List<float> Millivolts { get; } = [];
        public List<long> StartSamples { get; } = [];
        public List<GapEvent> Gaps { get; } = [];
        public DeviceInfo? Info { get; private set; }
        public void OnEvent(in IngestEvent e)
        {
            Kinds.Add(e.Kind);
            if (e.Kind == IngestEventKind.Info) Info = e.Info;
            if (e.Kind == IngestEventKind.Gap) Gaps.Add(e.Gap);
            if (e.Kind == IngestEventKind.Data)
            {
                Assert.Equal(LeadSet.Of(Lead.I), e.Block.Leads);
                Assert.Equal(130, e.Block.SampleRate);
                StartSamples.Add(e.Block.StartSample);
                Millivolts.AddRange(e.Block.Plane(0).ToArray());
            }
        }
    }

    /// <summary>A PMD ECG notification: type 0, timestamp of the last sample (ns), frame type 0, 3-byte µV samples.</summary>
    private static byte[] Notification(ulong lastSampleNs, params int[] microvolts)
    {
        var v = new byte[10 + 3 * microvolts.Length];
        v[0] = 0x00;
        BinaryPrimitives.WriteUInt64LittleEndian(v.AsSpan(1), lastSampleNs);
        v[9] = 0x00;
        for (int i = 0; i < microvolts.Length; i++)
        {
            v[10 + 3 * i] = (byte)microvolts[i];
            v[11 + 3 * i] = (byte)(microvolts[i] >> 8);
            v[12 + 3 * i] = (byte)(microvolts[i] >> 16);
        }
        return v;
    }

    private const double PeriodNs = 1e9 / 130;

    [Fact]
    public void Decodes_signed_microvolt_samples_into_lead_I_millivolts()
    {
        var d = new PolarPmdDecoder();
        var c = new Collect();
        d.OnNotification(Notification(600_000_000_000, 122, 103, -1, 8_388_607, -8_388_608), c);
        Assert.Equal([IngestEventKind.Info, IngestEventKind.Data], c.Kinds);
        Assert.Equal(new[] { 0.122f, 0.103f, -0.001f, 8388.607f, -8388.608f }, c.Millivolts);
        Assert.Equal(1_000_000u, c.Info!.GainPicovolts);
    }

    [Fact]
    public void A_lost_notification_is_a_gap_of_its_samples_and_jitter_is_not()
    {
        var d = new PolarPmdDecoder();
        var c = new Collect();
        int n = 73;
        double t = 1e12;
        var samples = Enumerable.Range(0, n).ToArray();
        for (int k = 0; k < 20; k++)
        {
            t += n * PeriodNs * 1.0003; // a strap clock 300 ppm off, plus ±0.3 sample of jitter
            double jitter = (k % 3 - 1) * 0.3 * PeriodNs;
            if (k == 10) continue;      // lost in the air
            d.OnNotification(Notification((ulong)(t + jitter), samples), c);
        }
        var gap = Assert.Single(c.Gaps);
        Assert.Equal(n, gap.Samples);
        Assert.Equal(1, gap.Frames);
        Assert.Equal(19 * n, c.Millivolts.Count);
        Assert.Equal(20L * n, c.StartSamples[^1] + n); // indices count the lost samples too
        // a repeated notification (same timestamp) is dropped
        d.OnNotification(Notification((ulong)t, samples), c);
        Assert.Equal(1, d.Counters.Duplicates);
    }

    [Fact]
    public void A_strap_whose_clock_starts_again_is_a_restart_not_the_end_of_the_stream()
    {
        // review, session 21: a timestamp behind the last was always a duplicate, so a strap that restarted lost
        // everything it sent until its clock passed the old value again
        var d = new PolarPmdDecoder();
        var c = new Collect();
        int n = 73;
        var samples = Enumerable.Range(0, n).ToArray();
        double t = 5e12;
        for (int k = 0; k < 5; k++) d.OnNotification(Notification((ulong)(t += n * PeriodNs), samples), c);
        d.OnNotification(Notification((ulong)t, samples), c);                        // a repeat: dropped
        d.OnNotification(Notification((ulong)(t - n * PeriodNs), samples), c);       // a late copy: dropped
        d.OnNotification(Notification((ulong)(t - 4 * n * PeriodNs), samples), c);   // a copy 2.2 s late: dropped too
        Assert.Equal(3, d.Counters.Duplicates);
        Assert.Equal(0, d.Counters.Restarts);
        t = 1e9;                                                                     // the strap restarted
        for (int k = 0; k < 5; k++) d.OnNotification(Notification((ulong)(t += n * PeriodNs), samples), c);
        Assert.Equal(1, d.Counters.Restarts);
        Assert.Equal(3, d.Counters.Duplicates);
        Assert.Equal(10 * n, c.Millivolts.Count);
        Assert.Single(c.Kinds, k => k == IngestEventKind.Restart);
        Assert.Empty(c.Gaps);
    }

    [Fact]
    public void Refuses_other_measurements_frame_types_and_broken_lengths_with_reasons()
    {
        var d = new PolarPmdDecoder();
        var c = new Collect();
        d.OnNotification([0x02, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3], c);
        Assert.Contains("measurement type 0x02", d.LastError);
        var compressed = Notification(1, 1, 2);
        compressed[9] = 0x80;
        d.OnNotification(compressed, c);
        Assert.Contains("frame type 0x80", d.LastError);
        d.OnNotification(Notification(1, 1, 2).AsSpan(0, 14), c);
        Assert.Contains("not a positive multiple of 3", d.LastError);
        d.OnNotification([0x00, 1], c);
        Assert.Contains("2-byte notification", d.LastError);
        d.OnNotification(Notification(1, new int[171]), c);
        Assert.Contains("523-byte notification", d.LastError);
        Assert.Empty(c.Kinds);
        Assert.Equal(2, d.Counters.Unsupported);
        Assert.Equal(3, d.Counters.Malformed);
    }

    [Fact]
    public async Task Gatttool_output_piped_in_decodes_end_to_end()
    {
        var text = new StringBuilder();
        text.AppendLine("[EC:EA:02:85:D9:7A][LE]> connect");
        text.AppendLine("Connection successful");
        double t = 5e11;
        for (int k = 0; k < 5; k++)
        {
            t += 73 * PeriodNs;
            var v = Notification((ulong)t, Enumerable.Range(k * 73, 73).Select(i => i * 10 - 500).ToArray());
            text.Append("Notification handle = 0x004a value: ").AppendLine(string.Join(' ', v.Select(b => b.ToString("x2"))));
            text.AppendLine("Notification handle = 0x0010 value: 10 48"); // heart-rate characteristic: other handle
        }
        text.AppendLine("Notification handle = 0x004a value: 00 9"); // a torn line
        var d = new PolarPmdDecoder();
        var c = new Collect();
        var reader = PipeReader.Create(new MemoryStream(Encoding.ASCII.GetBytes(text.ToString())));
        var counters = await NotificationIngest.ReadAllAsync(reader, d, c, handle: 0x004a);
        Assert.Equal(5, counters.Notifications);
        Assert.Equal(5, counters.OtherHandle);
        Assert.Equal(2, counters.Ignored);
        Assert.Equal(1, counters.Malformed);
        Assert.Equal(13, counters.FirstMalformedLine);
        Assert.Equal(Enumerable.Range(0, 365).Select(i => (i * 10 - 500) / 1000f), c.Millivolts);
        Assert.Empty(c.Gaps);
    }

    [Fact]
    public async Task Our_frames_split_across_small_notifications_decode_with_gaps()
    {
        // default ATT MTU: 20-byte notifications; one notification lost mid-stream
        var device = new Support.FakeDevice();
        var ms = new MemoryStream();
        device.Write(ms, 0, 40);
        var bytes = ms.ToArray();
        var text = new StringBuilder();
        int lostAt = bytes.Length / 2 / 20;
        for (int i = 0, k = 0; i < bytes.Length; i += 20, k++)
            if (k != lostAt) text.AppendLine(Convert.ToHexString(bytes, i, Math.Min(20, bytes.Length - i)));
        var d = new BleWireDecoder();
        var sink = new Support.CheckingSink();
        await NotificationIngest.ReadAllAsync(PipeReader.Create(new MemoryStream(Encoding.ASCII.GetBytes(text.ToString()))), d, sink);
        Assert.Null(sink.FirstError);
        var gap = Assert.Single(sink.Gaps);
        Assert.InRange(gap.Frames, 1, 2);
        Assert.Equal(40 - gap.Frames, sink.Sequences.Count);
        Assert.Equal(1, d.Counters.CrcErrors + d.Counters.HeaderErrors > 0 ? 1 : 0);
    }
}
