using EcgStream.Ingest.Tests.Support;
using EcgStream.Ingest.Wire;

namespace EcgStream.Ingest.Tests.Wire;

public class WireDecoderTests
{
    private sealed class Events : IIngestEventSink
    {
        public List<IngestEvent> All { get; } = [];
        public void OnEvent(in IngestEvent e) => All.Add(e);
    }

    [Fact]
    public void Device_time_is_unwrapped_across_the_32_bit_wrap()
    {
        var d = new WireDecoder();
        var ev = new Events();
        d.Push(Vectors.Bytes("basic_12lead_int16"), ev);
        var data = ev.All.Where(e => e.Kind == IngestEventKind.Data).ToList();
        Assert.Contains(data, e => e.RawTimestampMicros < 1_000_000); // the raw counter did wrap
        for (int i = 1; i < data.Count; i++) Assert.Equal(20_000, data[i].DeviceMicros - data[i - 1].DeviceMicros);
        Assert.True(data[^1].DeviceMicros > uint.MaxValue);
    }

    [Fact]
    public void Blocks_carry_millivolts_lead_off_and_indices()
    {
        var d = new WireDecoder(new WireDecoderOptions("bed-7"));
        var ev = new Events();
        var dev = new FakeDevice();
        var ms = new MemoryStream();
        dev.Write(ms, 7, 1);
        d.Push(ms.ToArray(), ev);
        var b = ev.All.Single(e => e.Kind == IngestEventKind.Data).Block;
        Assert.Equal("bed-7", b.StreamId);
        Assert.Equal(0, b.StartSample);
        Assert.Equal(500, b.SampleRate);
        Assert.Equal(0x0801, b.LeadOff.Mask); // seq 7: FakeDevice marks I and V6 off
        Assert.Equal(FakeDevice.Value(7, 3, 5) * 2.5e-3, b.Plane(5)[3], 5); // 2.5 µV per LSB
    }

    [Fact]
    public void Valid_frames_that_break_the_protocol_are_counted_not_delivered()
    {
        var buf = new byte[WireProtocol.MaxFrame];
        var ms = new MemoryStream();
        var dev = new FakeDevice();
        ms.Write(dev.DataFrame(1));                                               // before any INFO
        ms.Write(buf, 0, WireEncoder.EncodeFrame(1, [1, 2, 3], buf));             // INFO too short
        ms.Write(buf, 0, WireEncoder.EncodeFrame(9, [1, 2, 3], buf));             // unknown type
        ms.Write(buf, 0, WireEncoder.EncodeFrame(2, [1, 2, 3], buf, version: 2)); // future version
        ms.Write(buf, 0, dev.WriteInfo(buf));
        ms.Write(buf, 0, WireEncoder.EncodeFrame(2, new byte[100], buf));         // DATA of the wrong length
        ms.Write(dev.DataFrame(2));
        var d = new WireDecoder();
        var ev = new Events();
        d.Push(ms.ToArray(), ev);
        Assert.Equal([IngestEventKind.Info, IngestEventKind.Data], ev.All.Select(e => e.Kind));
        Assert.Equal(1, d.Counters.NoInfo);
        Assert.Equal(2, d.Counters.Malformed);
        Assert.Equal(2, d.Counters.Unsupported);
        Assert.Equal(7, d.Counters.Frames);
        Assert.Equal(0, d.Counters.BytesSkipped);
    }

    [Fact]
    public void Info_payload_errors_name_the_field()
    {
        var info = FakeDevice.Twelve;
        var p = new byte[64];
        int n = info.WritePayload(p);
        Assert.NotNull(DeviceInfo.TryParse(p.AsSpan(0, n), out _));
        p[10] = 7;
        Assert.Null(DeviceInfo.TryParse(p.AsSpan(0, n), out var e1));
        Assert.Contains("sample format 7", e1);
        Assert.Null(DeviceInfo.TryParse(p.AsSpan(0, n - 1), out var e2));
        Assert.Contains("offset 20", e2);
    }

    [Fact]
    public void A_new_info_resets_sequence_tracking_and_sample_indices()
    {
        var d = new WireDecoder();
        var ev = new Events();
        d.Push(Vectors.Bytes("changes"), ev);
        var infos = ev.All.Select((e, i) => (e, i)).Where(x => x.e.Kind == IngestEventKind.Info).ToList();
        Assert.Equal(2, infos.Count);
        var afterSecond = ev.All[infos[1].i + 1];
        Assert.Equal(IngestEventKind.Data, afterSecond.Kind);
        Assert.Equal(0, afterSecond.Block.StartSample);
        Assert.Equal(250, afterSecond.Block.SampleRate);
        Assert.Single(ev.All, e => e.Kind == IngestEventKind.Restart);
        Assert.DoesNotContain(ev.All, e => e.Kind == IngestEventKind.Gap);
    }
}
