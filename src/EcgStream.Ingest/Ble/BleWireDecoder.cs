using EcgStream.Ingest.Wire;

namespace EcgStream.Ingest.Ble;

/// <summary>
/// Our wire protocol carried in notifications (PROTOCOL.md, "BLE carriage"): the values,
/// concatenated in order, are the byte stream; a frame may span notifications and a value may hold
/// several frames. A lost notification shows up as a CRC failure, resynchronisation and a gap.
/// </summary>
public sealed class BleWireDecoder(WireDecoderOptions? options = null) : INotificationDecoder
{
    private readonly WireDecoder _decoder = new(options);

    public IngestCounters Counters => _decoder.Counters;
    public DeviceInfo? Info => _decoder.Info;

    public void OnNotification(ReadOnlySpan<byte> value, IIngestEventSink sink) => _decoder.Push(value, sink);

    public void Complete(IIngestEventSink sink) => _decoder.Complete(sink);
}
