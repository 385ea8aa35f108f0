using System.Buffers;
using System.IO.Pipelines;

namespace EcgStream.Ingest.Ble;

/// <summary>Counts of a notification-record stream.</summary>
public sealed class NotificationCounters
{
    public long Lines { get; internal set; }
    public long Notifications { get; internal set; }
    /// <summary>Notifications of another handle than the one selected.</summary>
    public long OtherHandle { get; internal set; }
    /// <summary>Lines that are not notifications (tool prompts, messages).</summary>
    public long Ignored { get; internal set; }
    public long Malformed { get; internal set; }
    /// <summary>1-based number of the first malformed line, 0 if none.</summary>
    public long FirstMalformedLine { get; internal set; }
}

/// <summary>
/// Reads notification records — text lines as printed by BlueZ tools, or plain hex (see
/// <see cref="NotificationLine"/>) — from stdin, a file or TCP, and feeds the values to a decoder.
/// </summary>
public static class NotificationIngest
{
    private const int MaxLine = 8192;

    /// <summary>
    /// Runs until the input ends. <paramref name="handle"/>: only notifications of this attribute
    /// handle (those that name none are always taken); null takes all.
    /// </summary>
    public static async Task<NotificationCounters> ReadAllAsync(PipeReader lines, INotificationDecoder decoder,
        Wire.IIngestEventSink sink, int? handle = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(sink);
        var counters = new NotificationCounters();
        var value = new byte[NotificationLine.MaxValue];
        var line = new byte[MaxLine];
        while (true)
        {
            var result = await lines.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            Process(ref buffer, result.IsCompleted, decoder, sink, handle, counters, value, line);
            lines.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled) break;
        }
        decoder.Complete(sink);
        return counters;
    }

    private static void Process(ref ReadOnlySequence<byte> buffer, bool final, INotificationDecoder decoder, Wire.IIngestEventSink sink,
        int? handle, NotificationCounters c, byte[] value, byte[] lineBuf)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (true)
        {
            ReadOnlySequence<byte> lineSeq;
            if (!reader.TryReadTo(out lineSeq, (byte)'\n'))
            {
                if (reader.Remaining > MaxLine) // a "line" that never ends: drop what we have
                {
                    c.Lines++;
                    Malformed(c);
                    reader.AdvanceToEnd();
                }
                else if (final && !reader.End)
                {
                    lineSeq = reader.UnreadSequence;
                    reader.AdvanceToEnd();
                    Handle(lineSeq, decoder, sink, handle, c, value, lineBuf);
                }
                break;
            }
            Handle(lineSeq, decoder, sink, handle, c, value, lineBuf);
        }
        buffer = buffer.Slice(reader.Position);
    }

    private static void Handle(in ReadOnlySequence<byte> lineSeq, INotificationDecoder decoder, Wire.IIngestEventSink sink,
        int? handle, NotificationCounters c, byte[] value, byte[] lineBuf)
    {
        c.Lines++;
        if (lineSeq.Length > MaxLine) { Malformed(c); return; }
        ReadOnlySpan<byte> line;
        if (lineSeq.IsSingleSegment) line = lineSeq.FirstSpan;
        else
        {
            lineSeq.CopyTo(lineBuf);
            line = lineBuf.AsSpan(0, (int)lineSeq.Length);
        }
        switch (NotificationLine.Parse(line, value, out int length, out int h))
        {
            case NotificationLineKind.Notification:
                if (handle is { } want && h >= 0 && h != want) { c.OtherHandle++; return; }
                c.Notifications++;
                decoder.OnNotification(value.AsSpan(0, length), sink);
                break;
            case NotificationLineKind.Malformed:
                Malformed(c);
                break;
            default:
                c.Ignored++;
                break;
        }
    }

    private static void Malformed(NotificationCounters c)
    {
        c.Malformed++;
        if (c.FirstMalformedLine == 0) c.FirstMalformedLine = c.Lines;
    }
}
