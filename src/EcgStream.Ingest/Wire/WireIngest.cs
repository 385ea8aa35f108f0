using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace EcgStream.Ingest.Wire;

/// <summary>The read loop: a <see cref="PipeReader"/> of wire bytes → decoded events.</summary>
public static class WireIngest
{
    /// <summary>
    /// Reads until the pipe completes (or <paramref name="cancellationToken"/> fires), yielding every
    /// event. Each event's block is valid until the next MoveNextAsync. Does not complete the reader.
    /// </summary>
    public static async IAsyncEnumerable<IngestEvent> ReadEventsAsync(this WireDecoder decoder, PipeReader reader,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(reader);
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            bool final = result.IsCompleted || result.IsCanceled;
            while (TryNext(decoder, ref buffer, final, out var e)) yield return e;
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (final) yield break;
        }
    }

    /// <summary>Drains a pipe, delivering events to <paramref name="sink"/>; returns when the pipe completes.</summary>
    public static async Task ReadAllAsync(this WireDecoder decoder, PipeReader reader, IIngestEventSink sink,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sink);
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            bool final = result.IsCompleted || result.IsCanceled;
            while (TryNext(decoder, ref buffer, final, out var e)) sink.OnEvent(e);
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (final) return;
        }
    }

    private static bool TryNext(WireDecoder decoder, ref ReadOnlySequence<byte> buffer, bool final, out IngestEvent e)
    {
        var r = new SequenceReader<byte>(buffer);
        bool ok = decoder.TryRead(ref r, final, out e);
        buffer = buffer.Slice(r.Position);
        return ok;
    }
}
