using System.IO.Pipelines;
using EcgStream.Daemon.Beds;
using EcgStream.Daemon.Configuration;
using EcgStream.Ingest.Ble;
using EcgStream.Ingest.Wire;

namespace EcgStream.Daemon.Sources;

/// <summary>
/// BLE notification records on standard input (one per line, as docs/ble.md describes; e.g. piped
/// from BlueZ's tools), decoded as our frames or as Polar H10 PMD ECG. Ends with the input.
/// </summary>
public sealed class BleStdinSource(SourceConfig config, Stream? input = null) : IBedSource
{
    public string Description => $"ble-stdin ({config.Decoder})";

    public async Task RunAsync(Bed bed, CancellationToken ct)
    {
        INotificationDecoder decoder = config.Decoder == "polar"
            ? new PolarPmdDecoder(new PolarPmdOptions(StreamId: bed.Id))
            : new BleWireDecoder(new WireDecoderOptions(StreamId: bed.Id));
        bed.Ingest = decoder.Counters;
        bed.SetConnected(true);
        var reader = PipeReader.Create(input ?? Console.OpenStandardInput(), new StreamPipeReaderOptions(leaveOpen: input is not null));
        try
        {
            await NotificationIngest.ReadAllAsync(reader, decoder, new Sink(bed), config.Handle, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        finally
        {
            bed.SetConnected(false);
            await reader.CompleteAsync();
        }
    }

    private sealed class Sink(Bed bed) : IIngestEventSink
    {
        public void OnEvent(in IngestEvent e)
        {
            if (e.Kind is IngestEventKind.Info or IngestEventKind.Restart) bed.MarkDiscontinuity();
            else if (e.Kind == IngestEventKind.Data) bed.Push(e.Block);
        }
    }
}
