namespace EcgStream.Ingest.Wire;

/// <summary>Settings of a <see cref="WireDecoder"/>.</summary>
/// <param name="StreamId">Bed or stream id stamped on every sample block.</param>
/// <param name="DuplicateWindow">A sequence number at most this many frames behind the expected one is a duplicate; further back is a device restart.</param>
public sealed record WireDecoderOptions(string StreamId = "stream", int DuplicateWindow = WireProtocol.DuplicateWindow)
{
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(StreamId);
        if (DuplicateWindow is < 1 or > 1 << 20)
            throw new ArgumentOutOfRangeException(nameof(DuplicateWindow), DuplicateWindow, "duplicate window must be within 1..1048576 frames");
    }
}
