namespace EcgStream.Ingest.Wire;

/// <summary>Constants of wire protocol v1 (firmware-bridge/PROTOCOL.md). Mirrors firmware-bridge/include/ecgb.h.</summary>
public static class WireProtocol
{
    public const byte Sync0 = 0xA5;
    public const byte Sync1 = 0x5A;
    public const byte Version = 1;
    /// <summary>sync(2) version(1) type(1) length(2) header-CRC(2).</summary>
    public const int HeaderSize = 8;
    /// <summary>Frame CRC over header and payload.</summary>
    public const int TrailerSize = 2;
    public const int Overhead = HeaderSize + TrailerSize;
    /// <summary>A header announcing a longer payload is rejected before any byte of it is awaited.</summary>
    public const int MaxPayload = 4080; // CRC-16/CCITT keeps Hamming distance 4 up to 32 751 covered bits
    public const int MaxFrame = Overhead + MaxPayload;
    public const int InfoFixedSize = 21;
    public const int FirmwareMax = 32;
    public const int DataHeaderSize = 10;
    public const ushort LeadMaskAll = 0x0FFF;
    /// <summary>A sequence number at most this far behind the expected one is a duplicate, not a restart.</summary>
    public const int DuplicateWindow = 64;
}

/// <summary>Frame types of protocol v1.</summary>
public enum FrameType : byte
{
    Info = 0x01,
    Data = 0x02,
}

/// <summary>How samples are packed in DATA frames.</summary>
public enum SampleFormat : byte
{
    Int16 = 1,
    Int24 = 2,
}
