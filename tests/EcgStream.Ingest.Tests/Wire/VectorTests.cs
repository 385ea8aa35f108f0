using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using EcgStream.Core.Leads;
using EcgStream.Ingest.Tests.Support;
using EcgStream.Ingest.Wire;

namespace EcgStream.Ingest.Tests.Wire;

/// <summary>The C# decoder produces exactly the committed expected output of every shared vector.</summary>
public class VectorTests
{
    private static void AssertSame(string name, IReadOnlyList<string> got)
    {
        var want = Vectors.Expected(name);
        for (int i = 0; i < Math.Min(want.Length, got.Count); i++)
            if (want[i] != got[i])
                Assert.Fail($"{name}: line {i + 1} differs\n expected: {Trim(want[i])}\n decoded:  {Trim(got[i])}");
        Assert.Equal(want.Length, got.Count);

        static string Trim(string s) => s.Length > 160 ? s[..160] + "…" : s;
    }

    [Theory]
    [MemberData(nameof(Vectors.All), MemberType = typeof(Vectors))]
    public void Push_decodes_vector_exactly_whatever_the_chunking(string name)
    {
        var bytes = Vectors.Bytes(name);
        foreach (int chunk in new[] { bytes.Length, 1, 7, 333 })
        {
            var decoder = new WireDecoder();
            var r = new VectorRenderer();
            for (int i = 0; i < bytes.Length; i += chunk) decoder.Push(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)), r);
            decoder.Complete(r);
            r.End(decoder.Counters);
            AssertSame(name, r.Lines);
        }
    }

    [Theory]
    [MemberData(nameof(Vectors.All), MemberType = typeof(Vectors))]
    public async Task PipeReader_loop_decodes_vector_exactly_across_segments(string name)
    {
        var bytes = Vectors.Bytes(name);
        // tiny segments force frames, headers and CRCs to straddle segment boundaries
        var pipe = new Pipe(new PipeOptions(minimumSegmentSize: 16, pauseWriterThreshold: 0));
        var writer = Task.Run(async () =>
        {
            var rng = new Random(5);
            for (int i = 0; i < bytes.Length;)
            {
                int n = Math.Min(1 + rng.Next(300), bytes.Length - i);
                await pipe.Writer.WriteAsync(bytes.AsMemory(i, n));
                i += n;
            }
            await pipe.Writer.CompleteAsync();
        });
        var decoder = new WireDecoder();
        var r = new VectorRenderer();
        await foreach (var e in decoder.ReadEventsAsync(pipe.Reader)) r.OnEvent(e);
        await writer;
        r.End(decoder.Counters);
        AssertSame(name, r.Lines);
    }

    [Theory]
    [InlineData("basic_12lead_int16")]
    [InlineData("ads1298_int24")]
    [InlineData("single_lead_130hz")]
    [InlineData("changes")]
    public void Encoder_reproduces_clean_vectors_byte_for_byte(string name)
    {
        // rebuild the stream from the expected file alone; repeated INFO frames are not in it,
        // so compare frame by frame, skipping INFO repeats in the original
        var original = Vectors.Bytes(name);
        var rebuilt = new ArrayBufferWriter<byte>();
        DeviceInfo? info = null;
        var buf = new byte[WireProtocol.MaxFrame];
        foreach (var line in Vectors.Expected(name))
        {
            var f = line.Split(',');
            switch (f[0])
            {
                case "info":
                    info = new DeviceInfo
                    {
                        SampleRateMilliHz = uint.Parse(f[1], CultureInfo.InvariantCulture),
                        GainPicovolts = uint.Parse(f[2], CultureInfo.InvariantCulture),
                        Leads = new LeadSet(ushort.Parse(f[3], CultureInfo.InvariantCulture)),
                        Format = (SampleFormat)byte.Parse(f[4], CultureInfo.InvariantCulture),
                        SamplesPerFrame = int.Parse(f[5], CultureInfo.InvariantCulture),
                        DeviceId = ulong.Parse(f[6], CultureInfo.InvariantCulture),
                        Firmware = f[7],
                    };
                    rebuilt.Write(buf.AsSpan(0, WireEncoder.EncodeInfo(info, buf)));
                    break;
                case "frame":
                    var samples = f.Skip(5).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                    int n = WireEncoder.EncodeData(info!, uint.Parse(f[1], CultureInfo.InvariantCulture),
                        uint.Parse(f[2], CultureInfo.InvariantCulture), ushort.Parse(f[3], CultureInfo.InvariantCulture), samples, buf);
                    rebuilt.Write(buf.AsSpan(0, n));
                    break;
            }
        }
        var withoutRepeats = StripRepeatedInfo(original);
        Assert.Equal(withoutRepeats, rebuilt.WrittenSpan.ToArray());
    }

    /// <summary>The original stream minus INFO frames identical to the previous INFO.</summary>
    private static byte[] StripRepeatedInfo(byte[] stream)
    {
        var counters = new IngestCounters();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(stream));
        var output = new List<byte>();
        byte[]? lastInfo = null;
        long start = 0;
        while (FrameReader.TryReadFrame(ref reader, true, counters, out var h, out var payload))
        {
            var frame = stream.AsSpan((int)(reader.Consumed - h.FrameLength), h.FrameLength).ToArray();
            Assert.Equal(start, reader.Consumed - h.FrameLength); // clean vectors have no gaps between frames
            start = reader.Consumed;
            if (h.Type == (byte)FrameType.Info)
            {
                if (lastInfo is not null && lastInfo.AsSpan().SequenceEqual(frame)) continue;
                lastInfo = frame;
            }
            output.AddRange(frame);
        }
        return output.ToArray();
    }
}
