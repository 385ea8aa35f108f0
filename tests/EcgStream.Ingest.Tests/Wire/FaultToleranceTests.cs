using EcgStream.Ingest.Tests.Support;
using EcgStream.Ingest.Wire;

namespace EcgStream.Ingest.Tests.Wire;

/// <summary>With 1 % of frames corrupted and 1 % dropped, every valid frame is delivered and every gap reported with its length.</summary>
public class FaultToleranceTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 7)]
    [InlineData(3, 4096)]
    public void Every_valid_frame_delivered_and_every_gap_reported(int seed, int chunk)
    {
        var device = new FakeDevice(seed: seed);
        var ms = new MemoryStream();
        device.Write(ms, 0xFFFF_F000u, 6_000, corrupt: 0.01, drop: 0.01, duplicate: 0.005); // sequence wraps too
        var bytes = ms.ToArray();

        var decoder = new WireDecoder();
        var sink = new CheckingSink();
        for (int i = 0; i < bytes.Length; i += chunk) decoder.Push(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)), sink);
        decoder.Complete(sink);

        Assert.Null(sink.FirstError);
        Assert.True(device.Lost.Count > 80, $"only {device.Lost.Count} frames lost: the test would prove little");
        Assert.Equal(device.Intact, sink.Sequences);

        // the gaps are exactly the runs of lost sequence numbers, with their lengths
        var expected = new List<(uint, long)>();
        var lostSorted = device.Lost.Select(s => s - 0xFFFF_F000u).Order().ToList();
        for (int i = 0; i < lostSorted.Count;)
        {
            int j = i;
            while (j + 1 < lostSorted.Count && lostSorted[j + 1] == lostSorted[j] + 1) j++;
            expected.Add((lostSorted[i] + 0xFFFF_F000u, j - i + 1));
            i = j + 1;
        }
        Assert.Equal(expected, sink.Gaps.Select(g => (g.FromSequence, g.Frames)).ToList());
        Assert.All(sink.Gaps, g => Assert.Equal(g.Frames * 10, g.Samples));
        Assert.Equal(device.Lost.Count, decoder.Counters.GapFrames);
        Assert.Equal(device.Duplicated, decoder.Counters.Duplicates);
        Assert.Equal(6_000L * 10, sink.LastEndSample); // sample indices account for every lost frame
    }

    [Fact]
    public void Header_with_oversized_length_is_rejected_without_waiting()
    {
        // valid header CRC, length 0xFFFF: a trusting decoder would wait for 64 KiB
        byte[] h = [0xA5, 0x5A, 1, 2, 0xFF, 0xFF, 0, 0];
        ushort crc = Crc16Ccitt.Compute(h.AsSpan(0, 6));
        h[6] = (byte)crc;
        h[7] = (byte)(crc >> 8);
        var device = new FakeDevice();
        var info = new byte[128];
        var stream = h.Concat(info.AsSpan(0, device.WriteInfo(info)).ToArray()).Concat(device.DataFrame(0).ToArray()).ToArray();
        var decoder = new WireDecoder();
        var sink = new CheckingSink();
        decoder.Push(stream, sink); // no Complete(): the frame must come out without end-of-input
        Assert.Equal([0u], sink.Sequences);
        Assert.Equal(1, decoder.Counters.HeaderErrors);
        Assert.Equal(8, decoder.Counters.BytesSkipped);
    }

    [Theory]
    [InlineData(2, 4080)]   // DATA longer than the current INFO's frames: a slow stream would wait seconds for 4090 bytes
    [InlineData(1, 4000)]   // an INFO no version-1 device writes
    [InlineData(2, 12)]     // DATA shorter than them: complete at once, its frame CRC fails
    public void A_header_that_passes_its_crc_but_lies_about_the_length_does_not_hold_back_the_frames_behind_it(byte type, int length)
    {
        // valid header CRC, so only the frames behind it give it away (review, session 21: a 300 B/s bed waited 10 s for
        // the 4090 bytes, raised a false SIGNAL_LOSS and lost the frames queued behind the header)
        byte[] h = [0xA5, 0x5A, 1, type, (byte)length, (byte)(length >> 8), 0, 0];
        ushort crc = Crc16Ccitt.Compute(h.AsSpan(0, 6));
        h[6] = (byte)crc;
        h[7] = (byte)(crc >> 8);
        var device = new FakeDevice();
        var info = new byte[128];
        var stream = info.AsSpan(0, device.WriteInfo(info)).ToArray().Concat(device.DataFrame(0).ToArray()).Concat(h)
            .Concat(device.DataFrame(1).ToArray()).Concat(device.DataFrame(2).ToArray()).ToArray();
        var decoder = new WireDecoder();
        var sink = new CheckingSink();
        decoder.Push(stream, sink); // no Complete(): the frames behind the bogus header come out as they arrive
        Assert.Equal([0u, 1u, 2u], sink.Sequences);
        Assert.Equal(1, decoder.Counters.CrcErrors);
        Assert.Equal(0, decoder.Counters.HeaderErrors);
        Assert.Equal(8, decoder.Counters.BytesSkipped);
    }

    [Fact]
    public void Crc_check_value_and_every_single_bit_flip_is_detected()
    {
        Assert.Equal(0x29B1, Crc16Ccitt.Compute("123456789"u8));
        var frame = new FakeDevice().DataFrame(5).ToArray();
        for (int bit = 0; bit < frame.Length * 8; bit++)
        {
            var f = (byte[])frame.Clone();
            f[bit / 8] ^= (byte)(1 << (bit % 8));
            var decoder = new WireDecoder();
            var sink = new CheckingSink();
            decoder.Push(f, sink);
            decoder.Complete(sink);
            Assert.Equal(0, decoder.Counters.Frames);
            Assert.Equal(f.Length, decoder.Counters.BytesSkipped);
        }
    }

    [Fact]
    public void Encoder_refuses_bad_input_with_messages()
    {
        var info = FakeDevice.Twelve;
        var buf = new byte[WireProtocol.MaxFrame];
        Assert.Contains("120", Assert.Throws<ArgumentException>(() => WireEncoder.EncodeData(info, 0, 0, 0, new int[5], buf)).Message);
        var big = new int[120];
        big[3] = 40000;
        Assert.Contains("sample 3 = 40000", Assert.Throws<ArgumentOutOfRangeException>(() => WireEncoder.EncodeData(info, 0, 0, 0, big, buf)).Message);
        Assert.Contains("0x1000", Assert.Throws<ArgumentOutOfRangeException>(() => WireEncoder.EncodeData(info, 0, 0, 0x1000, new int[120], buf)).Message);
        var bad = info with { SamplesPerFrame = 255, Format = SampleFormat.Int24 };
        Assert.Contains("more than 4080", Assert.Throws<ArgumentException>(() => WireEncoder.EncodeInfo(bad, buf)).Message);
        Assert.Contains("holds 10 bytes", Assert.Throws<ArgumentException>(() => WireEncoder.EncodeInfo(info, new byte[10])).Message);
    }
}
