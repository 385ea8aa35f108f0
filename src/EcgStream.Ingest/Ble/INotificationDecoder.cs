using EcgStream.Ingest.Wire;

namespace EcgStream.Ingest.Ble;

/// <summary>Turns GATT notification values of one characteristic into ingest events.</summary>
public interface INotificationDecoder
{
    IngestCounters Counters { get; }
    void OnNotification(ReadOnlySpan<byte> value, IIngestEventSink sink);
    /// <summary>No more notifications will come.</summary>
    void Complete(IIngestEventSink sink);
}
