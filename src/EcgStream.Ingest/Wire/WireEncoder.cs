using System.Buffers.Binary;

namespace EcgStream.Ingest.Wire;

/// <summary>
/// Writes protocol v1 frames (the C library's ecgb_encode_* in C#): used by tests, the fake
/// devices in them, and by anything that needs to produce our wire format from .NET.
/// </summary>
public static class WireEncoder
{
    /// <summary>Frames <paramref name="payload"/> as a frame of <paramref name="type"/>; returns the bytes written.</summary>
    public static int EncodeFrame(byte type, ReadOnlySpan<byte> payload, Span<byte> dest, byte version = WireProtocol.Version)
    {
        if (payload.Length > WireProtocol.MaxPayload)
            throw new ArgumentOutOfRangeException(nameof(payload), payload.Length, $"payload exceeds {WireProtocol.MaxPayload} bytes");
        int total = WireProtocol.Overhead + payload.Length;
        if (dest.Length < total) ThrowHelper.DestinationTooSmall(dest.Length, total);
        payload.CopyTo(dest[WireProtocol.HeaderSize..]); // first: payload may alias dest
        WriteHeaderAndCrc(type, version, payload.Length, dest);
        return total;
    }

    public static int EncodeInfo(DeviceInfo info, Span<byte> dest)
    {
        int len = info.InfoPayloadLength;
        if (dest.Length < len + WireProtocol.Overhead) ThrowHelper.DestinationTooSmall(dest.Length, len + WireProtocol.Overhead);
        info.WritePayload(dest[WireProtocol.HeaderSize..]);
        WriteHeaderAndCrc((byte)FrameType.Info, WireProtocol.Version, len, dest);
        return len + WireProtocol.Overhead;
    }

    /// <summary>
    /// Encodes a DATA frame. <paramref name="samples"/>: samples-per-frame × leads values in LSB,
    /// sample-major (all leads of the first sample, then the next), leads in lead order.
    /// </summary>
    public static int EncodeData(DeviceInfo info, uint sequence, uint timestampMicros, ushort leadOff,
        ReadOnlySpan<int> samples, Span<byte> dest)
    {
        int need = info.SamplesPerFrame * info.Leads.Count;
        if (samples.Length != need) ThrowHelper.SampleCount(samples.Length, need);
        if ((leadOff & ~WireProtocol.LeadMaskAll) != 0) ThrowHelper.LeadOff(leadOff);
        int len = info.DataPayloadLength;
        if (dest.Length < len + WireProtocol.Overhead) ThrowHelper.DestinationTooSmall(dest.Length, len + WireProtocol.Overhead);
        var p = dest.Slice(WireProtocol.HeaderSize, len);
        BinaryPrimitives.WriteUInt32LittleEndian(p, sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(p[4..], timestampMicros);
        BinaryPrimitives.WriteUInt16LittleEndian(p[8..], leadOff);
        var s = p[WireProtocol.DataHeaderSize..];
        if (info.Format == SampleFormat.Int16)
        {
            for (int i = 0; i < samples.Length; i++)
            {
                int v = samples[i];
                if (v is < short.MinValue or > short.MaxValue) ThrowHelper.SampleOutOfRange(i, v, info.Format);
                BinaryPrimitives.WriteInt16LittleEndian(s.Slice(2 * i), (short)v);
            }
        }
        else
        {
            for (int i = 0; i < samples.Length; i++)
            {
                int v = samples[i];
                if (v is < -8388608 or > 8388607) ThrowHelper.SampleOutOfRange(i, v, info.Format);
                s[3 * i] = (byte)v;
                s[3 * i + 1] = (byte)(v >> 8);
                s[3 * i + 2] = (byte)(v >> 16);
            }
        }
        WriteHeaderAndCrc((byte)FrameType.Data, WireProtocol.Version, len, dest);
        return len + WireProtocol.Overhead;
    }

    private static void WriteHeaderAndCrc(byte type, byte version, int payloadLength, Span<byte> dest)
    {
        dest[0] = WireProtocol.Sync0;
        dest[1] = WireProtocol.Sync1;
        dest[2] = version;
        dest[3] = type;
        BinaryPrimitives.WriteUInt16LittleEndian(dest[4..], (ushort)payloadLength);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[6..], Crc16Ccitt.Compute(dest[..6]));
        int body = WireProtocol.HeaderSize + payloadLength;
        BinaryPrimitives.WriteUInt16LittleEndian(dest[body..], Crc16Ccitt.Compute(dest[..body]));
    }
}
