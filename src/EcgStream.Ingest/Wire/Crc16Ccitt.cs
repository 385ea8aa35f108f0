using System.Buffers;

namespace EcgStream.Ingest.Wire;

/// <summary>
/// CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR;
/// check value over "123456789" is 0x29B1. Table-driven, one lookup per byte.
/// </summary>
public static class Crc16Ccitt
{
    public const ushort Initial = 0xFFFF;

    private static readonly ushort[] Table = BuildTable();

    private static ushort[] BuildTable()
    {
        var t = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            int c = i << 8;
            for (int b = 0; b < 8; b++) c = (c & 0x8000) != 0 ? (c << 1) ^ 0x1021 : c << 1;
            t[i] = (ushort)c;
        }
        return t;
    }

    public static ushort Compute(ReadOnlySpan<byte> data, ushort crc = Initial)
    {
        var table = Table;
        foreach (byte b in data) crc = (ushort)((crc << 8) ^ table[((crc >> 8) ^ b) & 0xFF]);
        return crc;
    }

    public static ushort Compute(in ReadOnlySequence<byte> data, ushort crc = Initial)
    {
        if (data.IsSingleSegment) return Compute(data.FirstSpan, crc);
        foreach (var segment in data) crc = Compute(segment.Span, crc);
        return crc;
    }
}
