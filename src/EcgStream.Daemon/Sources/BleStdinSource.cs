using System.IO.Pipelines;
using EcgStream.Daemon.Beds;
using EcgStream.Daemon.Configuration;
using EcgStream.Ingest.Ble;
using EcgStream.Ingest.Wire;
using Microsoft.Extensions.Logging;

namespace EcgStream.Daemon.Sources;

/// <summary>
/// BLE notification records on standard input (one per line, as docs/ble.md describes; e.g. piped
/// from BlueZ's tools), decoded as our frames or as Polar H10 PMD ECG. Ends with the input.
/// </summary>
public sealed class BleStdinSource(SourceConfig config, Stream? input = null, ILogger? log = null) : IBedSource
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
            var lines = await NotificationIngest.ReadAllAsync(reader, decoder, new Sink(bed), config.Handle, ct);
            // the input ended: say so, and what it held (broken lines, other handles, frames the decoder refused), once
            string why = $"standard input ended after {lines.Lines} line(s): {lines.Notifications} notification(s), "
                         + $"{lines.Malformed} malformed line(s){(lines.FirstMalformedLine > 0 ? $" (first: line {lines.FirstMalformedLine})" : "")}, "
                         + $"{lines.OtherHandle} of another handle, {lines.Ignored} other line(s); decoder: {decoder.Counters.DataFrames} data, "
                         + $"{decoder.Counters.Malformed} malformed, {decoder.Counters.Unsupported} unsupported, {decoder.Counters.Duplicates} duplicate(s)";
            bed.LastError = why;
            log?.LogWarning("bed {Bed}: {Why}", bed.Id, why);
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
