using System.Buffers;
using EcgStream.Ingest.Tests.Support;
using EcgStream.Ingest.Wire;

namespace EcgStream.Ingest.Tests.Wire;

public class AllocationTests
{
    private sealed class Sum : IIngestEventSink
    {
        public double Total;
        public void OnEvent(in IngestEvent e)
        {
            if (e.Kind == IngestEventKind.Data) foreach (float v in e.Block.Samples.Span) Total += v;
        }
    }

    [Fact]
    public void Steady_state_decoding_allocates_nothing()
    {
        var ms = new MemoryStream();
        new FakeDevice().Write(ms, 0, 2000, duplicate: 0.01, drop: 0.01, corrupt: 0.01);
        var bytes = ms.ToArray();
        int half = bytes.Length / 2;
        var decoder = new WireDecoder();
        var sink = new Sum();
        decoder.Push(bytes.AsSpan(0, half), sink); // warm-up: buffers sized, INFO parsed, code tiered

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = half; i < bytes.Length; i += 512) decoder.Push(bytes.AsSpan(i, Math.Min(512, bytes.Length - i)), sink);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes, 0, 0));
        decoder.TryRead(ref reader, false, out _);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(decoder.Counters.DataFrames > 1900);
        Assert.Equal(0, allocated);
    }
}
