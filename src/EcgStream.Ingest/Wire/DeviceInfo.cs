using System.Buffers.Binary;
using System.Text;
using EcgStream.Core.Leads;

namespace EcgStream.Ingest.Wire;

/// <summary>
/// What a device says about itself in an INFO frame. Immutable; equality is by value, so a
/// periodic repeat of the same INFO is recognised as such.
/// </summary>
public sealed record DeviceInfo
{
    /// <summary>Samples per second × 1000 (130 Hz = 130 000).</summary>
    public required uint SampleRateMilliHz { get; init; }
    /// <summary>One LSB in picovolts (nV per LSB × 1000).</summary>
    public required uint GainPicovolts { get; init; }
    public required LeadSet Leads { get; init; }
    public required SampleFormat Format { get; init; }
    /// <summary>Samples per lead in each DATA frame.</summary>
    public required int SamplesPerFrame { get; init; }
    public ulong DeviceId { get; init; }
    /// <summary>Printable ASCII, at most 32 characters.</summary>
    public string Firmware { get; init; } = "";

    public double SampleRate => SampleRateMilliHz / 1000.0;
    /// <summary>Millivolts per LSB.</summary>
    public double MillivoltsPerLsb => GainPicovolts * 1e-9;
    public int BytesPerSample => Format == SampleFormat.Int16 ? 2 : 3;
    public int DataPayloadLength => WireProtocol.DataHeaderSize + SamplesPerFrame * Leads.Count * BytesPerSample;
    public int InfoPayloadLength => WireProtocol.InfoFixedSize + Firmware.Length;

    /// <summary>Null when valid, else why not (the field and its value).</summary>
    public string? Validate()
    {
        if (SampleRateMilliHz == 0) return "sample rate is 0";
        if (GainPicovolts == 0) return "gain is 0 pV/LSB";
        if (Leads.IsEmpty || (Leads.Mask & ~WireProtocol.LeadMaskAll) != 0) return $"lead mask 0x{Leads.Mask:X4} is empty or has bits above 11";
        if (Format is not (SampleFormat.Int16 or SampleFormat.Int24)) return $"sample format {(byte)Format} is neither 1 (int16) nor 2 (int24)";
        if (SamplesPerFrame is < 1 or > 255) return $"samples per frame {SamplesPerFrame} is outside 1..255";
        if (Firmware.Length > WireProtocol.FirmwareMax) return $"firmware id has {Firmware.Length} characters, at most {WireProtocol.FirmwareMax}";
        foreach (char c in Firmware)
            if (c is < ' ' or > '~') return $"firmware id has a non-printable character U+{(int)c:X4}";
        if (DataPayloadLength > WireProtocol.MaxPayload)
            return $"a DATA frame would carry {DataPayloadLength} bytes, more than {WireProtocol.MaxPayload}";
        return null;
    }

    /// <summary>Parses an INFO payload. Returns null and a reason when it breaks the protocol.</summary>
    public static DeviceInfo? TryParse(ReadOnlySpan<byte> p, out string? error)
    {
        if (p.Length < WireProtocol.InfoFixedSize)
        {
            error = $"INFO payload has {p.Length} bytes, at least {WireProtocol.InfoFixedSize} needed";
            return null;
        }
        int fwLen = p[20];
        if (p.Length != WireProtocol.InfoFixedSize + fwLen)
        {
            error = $"INFO payload has {p.Length} bytes but its firmware length byte (offset 20) says {WireProtocol.InfoFixedSize + fwLen}";
            return null;
        }
        var info = new DeviceInfo
        {
            SampleRateMilliHz = BinaryPrimitives.ReadUInt32LittleEndian(p),
            GainPicovolts = BinaryPrimitives.ReadUInt32LittleEndian(p[4..]),
            Leads = new LeadSet(BinaryPrimitives.ReadUInt16LittleEndian(p[8..])),
            Format = (SampleFormat)p[10],
            SamplesPerFrame = p[11],
            DeviceId = BinaryPrimitives.ReadUInt64LittleEndian(p[12..]),
            Firmware = fwLen > WireProtocol.FirmwareMax ? "" : Encoding.Latin1.GetString(p.Slice(21, fwLen)),
        };
        error = fwLen > WireProtocol.FirmwareMax ? $"firmware length {fwLen} exceeds {WireProtocol.FirmwareMax}" : info.Validate();
        return error is null ? info : null;
    }

    /// <summary>Writes the INFO payload (not the framing) into <paramref name="dest"/>; returns its length.</summary>
    public int WritePayload(Span<byte> dest)
    {
        if (Validate() is { } why) ThrowHelper.InvalidInfo(why);
        int len = InfoPayloadLength;
        if (dest.Length < len) ThrowHelper.DestinationTooSmall(dest.Length, len);
        BinaryPrimitives.WriteUInt32LittleEndian(dest, SampleRateMilliHz);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[4..], GainPicovolts);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[8..], Leads.Mask);
        dest[10] = (byte)Format;
        dest[11] = (byte)SamplesPerFrame;
        BinaryPrimitives.WriteUInt64LittleEndian(dest[12..], DeviceId);
        dest[20] = (byte)Firmware.Length;
        Encoding.Latin1.GetBytes(Firmware, dest[21..]);
        return len;
    }

    public override string ToString() =>
        $"{SampleRate:0.###} Hz, {GainPicovolts / 1000.0:0.###} nV/LSB, leads {Leads}, {Format}, {SamplesPerFrame} samples/frame, device {DeviceId}, firmware \"{Firmware}\"";
}
