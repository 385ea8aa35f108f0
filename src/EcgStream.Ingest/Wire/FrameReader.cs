using System.Buffers;
using System.Buffers.Binary;

namespace EcgStream.Ingest.Wire;

/// <summary>
/// Framing and resynchronisation, Kestrel style: finds the next valid frame in a byte sequence.
/// The header (sync, version, type, length) is trusted only after its own CRC passed and the
/// length is within the cap; the frame is delivered only after the frame CRC passed. On any
/// failure exactly one byte is skipped and the scan resumes, so a valid frame that begins inside
/// a damaged or truncated one is still found; an incomplete candidate inside whose announced bytes a complete valid
/// frame already starts is skipped at once, not waited for. Same algorithm as ecgb_decoder_next in C.
/// </summary>
public static class FrameReader
{
    /// <summary>
    /// Reads the next valid frame. <c>false</c> means more bytes are needed: the reader then stands
    /// at the start of the incomplete candidate (or at the end), every byte before it having been
    /// skipped and counted. With <paramref name="isFinal"/> (no more input will come) incomplete
    /// candidates are skipped too, so <c>false</c> leaves the reader at the end.
    /// </summary>
    public static bool TryReadFrame(ref SequenceReader<byte> reader, bool isFinal, IngestCounters counters,
        out FrameHeader header, out ReadOnlySequence<byte> payload)
    {
        Span<byte> h = stackalloc byte[WireProtocol.HeaderSize];
        while (true)
        {
            if (reader.End) break;
            // fast path: skip to the next candidate sync byte
            if (reader.CurrentSpan[reader.CurrentSpanIndex] != WireProtocol.Sync0)
            {
                long before = reader.Consumed;
                if (!reader.TryAdvanceTo(WireProtocol.Sync0, advancePastDelimiter: false)) reader.AdvanceToEnd();
                counters.BytesSkipped += reader.Consumed - before;
                continue;
            }
            long remaining = reader.Remaining;
            if (remaining < 2) goto Incomplete;
            reader.TryPeek(1, out byte s1);
            if (s1 != WireProtocol.Sync1) { Skip(ref reader, counters); continue; }
            if (remaining < WireProtocol.HeaderSize) goto Incomplete;
            reader.TryCopyTo(h);
            int len = BinaryPrimitives.ReadUInt16LittleEndian(h[4..]);
            if (len > WireProtocol.MaxPayload || Crc16Ccitt.Compute(h[..6]) != BinaryPrimitives.ReadUInt16LittleEndian(h[6..]))
            {
                counters.HeaderErrors++;
                Skip(ref reader, counters);
                continue;
            }
            int body = WireProtocol.HeaderSize + len;
            if (remaining < body + WireProtocol.TrailerSize)
            {
                // A header can pass its 16-bit CRC and still lie about the length (random bytes do, 1 in 65536): waiting
                // for the bytes it announces would hold a slow stream back for seconds, its valid frames with it. When a
                // complete valid frame already starts inside those bytes, this header is no frame's: skip it now, as a
                // decoder holding all the bytes would once the frame CRC failed, so chunked and whole decoding agree.
                if (ValidFrameStartsInside(reader.UnreadSequence, remaining))
                {
                    counters.CrcErrors++;
                    Skip(ref reader, counters);
                    continue;
                }
                goto Incomplete;
            }
            ushort crc, stored;
            var unread = reader.UnreadSpan;
            if (unread.Length >= body + WireProtocol.TrailerSize)
            {
                crc = Crc16Ccitt.Compute(unread[..body]);
                stored = BinaryPrimitives.ReadUInt16LittleEndian(unread[body..]);
            }
            else
            {
                var seq = reader.UnreadSequence;
                crc = Crc16Ccitt.Compute(seq.Slice(0, body));
                Span<byte> t = stackalloc byte[2];
                seq.Slice(body, 2).CopyTo(t);
                stored = BinaryPrimitives.ReadUInt16LittleEndian(t);
            }
            if (crc != stored)
            {
                counters.CrcErrors++;
                Skip(ref reader, counters);
                continue;
            }
            header = new FrameHeader(h[2], h[3], len);
            payload = reader.UnreadSequence.Slice(WireProtocol.HeaderSize, len);
            reader.Advance(body + WireProtocol.TrailerSize);
            counters.Frames++;
            return true;

        Incomplete:
            if (!isFinal) break;
            Skip(ref reader, counters);
        }
        header = default;
        payload = default;
        return false;
    }

    /// <summary>
    /// Whether a complete frame with a valid header and frame CRC starts after the first byte of <paramref name="unread"/>
    /// (an incomplete candidate: fewer than <see cref="WireProtocol.MaxFrame"/> bytes). Copies to the stack, allocates nothing.
    /// </summary>
    private static bool ValidFrameStartsInside(ReadOnlySequence<byte> unread, long remaining)
    {
        Span<byte> b = stackalloc byte[(int)remaining];
        unread.Slice(0, remaining).CopyTo(b);
        for (int at = 1; at + WireProtocol.HeaderSize + WireProtocol.TrailerSize <= b.Length; at++)
        {
            int next = b[at..].IndexOf(WireProtocol.Sync0);
            if (next < 0) return false;
            at += next;
            var f = b[at..];
            if (f.Length < WireProtocol.HeaderSize + WireProtocol.TrailerSize || f[1] != WireProtocol.Sync1) continue;
            int len = BinaryPrimitives.ReadUInt16LittleEndian(f[4..]);
            int body = WireProtocol.HeaderSize + len;
            if (len > WireProtocol.MaxPayload || f.Length < body + WireProtocol.TrailerSize) continue;
            if (Crc16Ccitt.Compute(f[..6]) != BinaryPrimitives.ReadUInt16LittleEndian(f[6..])) continue;
            if (Crc16Ccitt.Compute(f[..body]) == BinaryPrimitives.ReadUInt16LittleEndian(f[body..])) return true;
        }
        return false;
    }

    private static void Skip(ref SequenceReader<byte> reader, IngestCounters counters)
    {
        reader.Advance(1);
        counters.BytesSkipped++;
    }
}
