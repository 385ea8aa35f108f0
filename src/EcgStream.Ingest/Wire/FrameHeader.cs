namespace EcgStream.Ingest.Wire;

/// <summary>A validated frame header: the header CRC and the frame CRC have both passed.</summary>
public readonly record struct FrameHeader(byte Version, byte Type, int PayloadLength)
{
    /// <summary>Bytes the frame occupies on the wire.</summary>
    public int FrameLength => WireProtocol.Overhead + PayloadLength;
}
