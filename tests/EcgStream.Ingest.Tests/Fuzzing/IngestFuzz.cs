using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using EcgStream.Ingest.Ble;
using EcgStream.Ingest.Wire;

namespace EcgStream.Ingest.Tests.Fuzzing;

/// <summary>Result of a fuzz run.</summary>
public sealed record FuzzReport(long Inputs, long Bytes, long FramesFound, long Notifications, TimeSpan Elapsed, TimeSpan SlowestInput);

/// <summary>
/// Deterministic fuzzing of every decoder in the ingest: random bytes and mutated valid inputs
/// (bit flips, protocol-significant bytes, insertions, deletions, splices) into the wire decoder
/// (fed in random chunks, then completed), the notification line parser and the Polar PMD decoder.
/// Checks that no exception escapes and that every wire byte is accounted for (in a valid frame or
/// skipped). Used by the test suite (small runs) and by tools/bench/EcgStream.Benchmarks (`fuzz N`).
/// </summary>
public static class IngestFuzz
{
    private sealed class NullSink : IIngestEventSink
    {
        public long Touched;
        public void OnEvent(in IngestEvent e)
        {
            // read every delivered sample: out-of-range access would throw here
            if (e.Kind == IngestEventKind.Data)
                foreach (float v in e.Block.Samples.Span) Touched += float.IsFinite(v) ? 1 : 0;
        }
    }

    public static FuzzReport Run(long inputs, int seed, IReadOnlyList<byte[]> wireCorpus)
    {
        var rng = new Random(seed);
        var sink = new NullSink();
        var lineValue = new byte[NotificationLine.MaxValue];
        var polarCorpus = PolarCorpus();
        var lineCorpus = LineCorpus(polarCorpus);
        var input = new byte[16 * 1024];
        long bytes = 0, frames = 0, notifications = 0;
        var slowest = TimeSpan.Zero;
        var total = Stopwatch.StartNew();
        for (long i = 0; i < inputs; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            int kind = (int)(i % 3);
            int len;
            try
            {
                switch (kind)
                {
                    case 0:
                        len = MakeInput(rng, wireCorpus, input, 4096, syncBias: true);
                        frames += FuzzWire(rng, input.AsSpan(0, len), sink);
                        break;
                    case 1:
                        len = MakeInput(rng, lineCorpus, input, 1200, syncBias: false);
                        NotificationLine.Parse(input.AsSpan(0, len), lineValue, out _, out _);
                        break;
                    default:
                        len = MakeInput(rng, polarCorpus, input, NotificationLine.MaxValue, syncBias: false);
                        var polar = new PolarPmdDecoder();
                        // a few notifications in a row so the gap and duplicate logic runs too
                        for (int k = 0; k < 3; k++)
                        {
                            polar.OnNotification(input.AsSpan(0, len), sink);
                            if (len > 9) BinaryPrimitives.WriteUInt64LittleEndian(input.AsSpan(1), (ulong)rng.NextInt64());
                        }
                        notifications += 3;
                        break;
                }
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"fuzz input {i} (seed {seed}, decoder {kind}) threw {e.GetType().Name}: {e.Message}", e);
            }
            bytes += len;
            var dt = Stopwatch.GetElapsedTime(t0);
            if (dt > slowest) slowest = dt;
        }
        return new FuzzReport(inputs, bytes, frames, notifications, total.Elapsed, slowest);
    }

    /// <summary>Decodes one input through the push API in random chunks and checks byte accounting.</summary>
    private static long FuzzWire(Random rng, ReadOnlySpan<byte> data, IIngestEventSink sink)
    {
        var decoder = new WireDecoder();
        for (int pos = 0; pos < data.Length;)
        {
            int n = Math.Min(1 + rng.Next(512), data.Length - pos);
            decoder.Push(data.Slice(pos, n), sink);
            pos += n;
        }
        decoder.Complete(sink);

        // the same bytes through FrameReader in one piece: every byte is in a frame or skipped
        var counters = new IngestCounters();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(data.ToArray()));
        long framed = 0;
        while (FrameReader.TryReadFrame(ref reader, true, counters, out var h, out _)) framed += h.FrameLength;
        if (framed + counters.BytesSkipped != data.Length)
            throw new InvalidOperationException($"{framed} framed + {counters.BytesSkipped} skipped != {data.Length} bytes");
        if (counters.Frames != decoder.Counters.Frames || counters.BytesSkipped != decoder.Counters.BytesSkipped)
            throw new InvalidOperationException($"chunked decode found {decoder.Counters.Frames} frames/{decoder.Counters.BytesSkipped} skipped, whole decode {counters.Frames}/{counters.BytesSkipped}");
        return counters.Frames;
    }

    private static int MakeInput(Random rng, IReadOnlyList<byte[]> corpus, byte[] input, int max, bool syncBias)
    {
        int len;
        if (corpus.Count == 0 || rng.Next(4) == 0)
        {
            len = rng.Next(max);
            for (int k = 0; k < len; k++)
            {
                int r = rng.Next(256 * 5);
                input[k] = syncBias && r % 5 == 0 ? (r < 640 ? WireProtocol.Sync0 : WireProtocol.Sync1) : (byte)r;
            }
            return len;
        }
        var src = corpus[rng.Next(corpus.Count)];
        int off = src.Length > max ? rng.Next(src.Length - max) : 0;
        len = Math.Min(max, src.Length - off);
        src.AsSpan(off, len).CopyTo(input);
        for (int k = 1 + rng.Next(8); k > 0 && len > 0; k--)
        {
            int pos = rng.Next(len);
            switch (rng.Next(6))
            {
                case 0: input[pos] ^= (byte)(1 << rng.Next(8)); break;
                case 1: input[pos] = Interesting[rng.Next(Interesting.Length)]; break;
                case 2:
                    if (len + 16 < input.Length)
                    {
                        int n = 1 + rng.Next(16);
                        Array.Copy(input, pos, input, pos + n, len - pos);
                        for (int m = 0; m < n; m++) input[pos + m] = (byte)rng.Next(256);
                        len += n;
                    }
                    break;
                case 3:
                {
                    int n = Math.Min(1 + rng.Next(64), len - pos);
                    Array.Copy(input, pos + n, input, pos, len - pos - n);
                    len -= n;
                    break;
                }
                case 4:
                {
                    int from = rng.Next(len), n = Math.Min(Math.Min(1 + rng.Next(300), len - pos), len - from);
                    Array.Copy(input, from, input, pos, n);
                    break;
                }
                default: input[pos] = (byte)rng.Next(256); break;
            }
        }
        return len;
    }

    private static readonly byte[] Interesting = [0, 0xFF, 0x7F, 0x80, WireProtocol.Sync0, WireProtocol.Sync1, 1, 2, 0x10, (byte)' ', (byte)':', (byte)'x'];

    private static List<byte[]> PolarCorpus()
    {
        var list = new List<byte[]>();
        var rng = new Random(1);
        foreach (int n in new[] { 1, 5, 73, 167 })
        {
            var v = new byte[10 + 3 * n];
            BinaryPrimitives.WriteUInt64LittleEndian(v.AsSpan(1), 599_000_000_000UL);
            rng.NextBytes(v.AsSpan(10));
            list.Add(v);
        }
        return list;
    }

    private static List<byte[]> LineCorpus(List<byte[]> polar)
    {
        var lines = new List<byte[]>();
        foreach (var v in polar)
        {
            string hex = string.Join(' ', v.Select(b => b.ToString("x2")));
            lines.Add(Encoding.ASCII.GetBytes("Notification handle = 0x004a value: " + hex));
            lines.Add(Encoding.ASCII.GetBytes("\tHandle Value Not/Ind: 0x004a - " + hex));
            lines.Add(Encoding.ASCII.GetBytes("0x004a: " + Convert.ToHexString(v)));
        }
        return lines;
    }
}
