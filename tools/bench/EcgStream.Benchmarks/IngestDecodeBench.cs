using System.Buffers;
using System.Diagnostics;
using EcgStream.Core.Leads;
using EcgStream.Ingest.Wire;

namespace EcgStream.Ingest.Bench;

/// <summary>
/// Frames decoded per second on one thread: 12 leads × 10 samples int16 frames (260 bytes), through
/// FrameReader + WireDecoder (CRC, sequence tracking, transposition to planar mV) with every sample
/// read by the consumer. Also reports bytes allocated per frame in steady state.
/// </summary>
public static class IngestDecodeBench
{
    private sealed class SumSink : IIngestEventSink
    {
        public double Sum;
        public long Frames;
        public void OnEvent(in IngestEvent e)
        {
            if (e.Kind != IngestEventKind.Data) return;
            Frames++;
            foreach (float v in e.Block.Samples.Span) Sum += v;
        }
    }

    public static int Run(double seconds)
    {
        var info = new DeviceInfo
        {
            SampleRateMilliHz = 500_000, GainPicovolts = 2_500_000, Leads = LeadSet.All, Format = SampleFormat.Int16,
            SamplesPerFrame = 10, Firmware = "bench",
        };
        const int framesPerPass = 10_000;
        var stream = new byte[64 + framesPerPass * 260];
        int len = WireEncoder.EncodeInfo(info, stream);
        var samples = new int[120];
        for (uint s = 0; s < framesPerPass; s++)
        {
            for (int k = 0; k < 120; k++) samples[k] = (int)((s * 131 + k * 17) % 4000) - 2000;
            len += WireEncoder.EncodeData(info, s, s * 20_000, 0, samples, stream.AsSpan(len));
        }
        var sequence = new ReadOnlySequence<byte>(stream, 0, len);

        Measure("SequenceReader (PipeReader path)", seconds, sequence, pushChunk: 0);
        Measure("Push API, 4 KiB chunks", seconds, sequence, pushChunk: 4096);
        // a serial port or BLE notification hands over a few dozen bytes: most pushes end inside a frame
        Measure("Push API, 64-byte chunks", seconds, sequence, pushChunk: 64);
        return 0;
    }

    private static void Measure(string name, double seconds, ReadOnlySequence<byte> sequence, int pushChunk)
    {
        var sink = new SumSink();
        var bytes = sequence.ToArray();
        // warm-up (tiering) then the timed loop
        RunPass(sequence, bytes, pushChunk, sink);
        long frames = 0, passes = 0;
        long alloc0 = GC.GetAllocatedBytesForCurrentThread();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        do
        {
            frames += RunPass(sequence, bytes, pushChunk, sink);
            passes++;
        } while (sw.Elapsed.TotalSeconds < seconds);
        sw.Stop();
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        long alloc = GC.GetAllocatedBytesForCurrentThread() - alloc0;
        // per core = per CPU-second: on a shared machine the wall clock also counts time we were not running
        double fps = frames / cpu;
        Console.WriteLine($"C# {name}: {fps:N0} frames per CPU-second ({fps * 260 / 1e6:F1} MB/s, {fps * 120 / 1e6:F1} M samples/s per core; " +
                          $"wall-clock {frames / sw.Elapsed.TotalSeconds:N0} frames/s at {100 * cpu / sw.Elapsed.TotalSeconds:F0}% of a core), " +
                          $"{frames:N0} frames, allocated {alloc / (double)frames:F2} B/frame " +
                          $"({alloc / passes:N0} B per pass of 10 000 frames: one decoder per pass), checksum {sink.Sum:E3}");
    }

    private static long RunPass(ReadOnlySequence<byte> sequence, byte[] bytes, int pushChunk, SumSink sink)
    {
        var decoder = new WireDecoder();
        long before = sink.Frames;
        if (pushChunk == 0)
        {
            var reader = new SequenceReader<byte>(sequence);
            while (decoder.TryRead(ref reader, true, out var e)) sink.OnEvent(e);
        }
        else
        {
            for (int i = 0; i < bytes.Length; i += pushChunk) decoder.Push(bytes.AsSpan(i, Math.Min(pushChunk, bytes.Length - i)), sink);
            decoder.Complete(sink);
        }
        return sink.Frames - before;
    }
}
