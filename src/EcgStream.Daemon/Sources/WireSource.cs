using System.IO.Pipelines;
using EcgStream.Daemon.Beds;
using EcgStream.Daemon.Configuration;
using EcgStream.Ingest.Transports;
using EcgStream.Ingest.Wire;
using Microsoft.Extensions.Logging;

namespace EcgStream.Daemon.Sources;

/// <summary>
/// A device speaking our wire protocol over TCP (either direction) or a serial port. When the
/// connection drops or cannot be made, waits with <see cref="Backoff"/> and tries again (a tcp-server
/// accepts again at once, and retries with the backoff only a listener that cannot bind). One
/// <see cref="WireDecoder"/> serves every connection, so a device that reconnects and goes on
/// counting has what it lost reported as a gap from its sequence numbers; one that restarts (its
/// sequence jumps back, or it describes itself anew) is re-based on the host clock by the bed.
/// </summary>
public sealed class WireSource(SourceConfig config, ILogger log) : IBedSource
{
    public string Description => config.Kind switch
    {
        SourceKind.TcpClient => $"tcp-client {config.Host}:{config.Port}",
        SourceKind.TcpServer => $"tcp-server {config.Address}:{config.Port}",
        _ => $"serial {config.Path}@{config.Baud}",
    };

    /// <summary>tcp-server: the bound port (useful when configured as 0), once listening.</summary>
    public int? ListeningPort { get; private set; }

    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>tcp-server: completes once the listener is bound.</summary>
    public Task Listening => _listening.Task;

    public async Task RunAsync(Bed bed, CancellationToken ct)
    {
        var decoder = new WireDecoder(new WireDecoderOptions(StreamId: bed.Id));
        bed.Ingest = decoder.Counters;
        var backoff = new Backoff(TimeSpan.FromSeconds(config.ReconnectInitialSeconds), TimeSpan.FromSeconds(config.ReconnectMaxSeconds));
        TcpServer? server = null;
        try
        {
            if (config.Kind == SourceKind.TcpServer) server = await BindAsync(bed, backoff, ct);
            bool everConnected = false;
            while (!ct.IsCancellationRequested)
            {
                Stream? stream = null;
                try
                {
                    stream = config.Kind switch
                    {
                        SourceKind.TcpClient => await TcpTransport.ConnectAsync(new TcpClientOptions(config.Host, config.Port), ct),
                        SourceKind.TcpServer => await server!.AcceptAsync(ct),
                        _ => SerialPort.Open(new SerialPortOptions(config.Path!, config.Baud)).Stream,
                    };
                    if (everConnected) bed.Reconnects++;
                    everConnected = true;
                    bed.SetConnected(true);
                    bed.LastError = null;
                    log.LogInformation("bed {Bed}: connected ({Source})", bed.Id, Description);
                    var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
                    await foreach (var e in decoder.ReadEventsAsync(reader, ct))
                    {
                        switch (e.Kind)
                        {
                            case IngestEventKind.Info:
                            case IngestEventKind.Restart:
                                bed.MarkDiscontinuity();
                                break;
                            case IngestEventKind.Data:
                                backoff.Reset();
                                bed.Push(e.Block);
                                break;
                        }
                    }
                    await reader.CompleteAsync();
                    if (!ct.IsCancellationRequested) log.LogWarning("bed {Bed}: source closed the connection", bed.Id);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException or ObjectDisposedException)
                {
                    bed.LastError = e.Message;
                    log.LogWarning("bed {Bed}: {Source}: {Error}", bed.Id, Description, e.Message);
                }
                finally
                {
                    bed.SetConnected(false);
                    if (stream is not null) await stream.DisposeAsync();
                }
                if (ct.IsCancellationRequested) break;
                // accepting waits by itself: a client that connected and left must not hold the next device off
                if (config.Kind == SourceKind.TcpServer) continue;
                var delay = backoff.Next();
                log.LogInformation("bed {Bed}: reconnecting in {Delay:F2} s (attempt {Attempt})", bed.Id, delay.TotalSeconds, backoff.Attempt);
                try { await Task.Delay(delay, ct); }
                catch (OperationCanceledException) { break; }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        finally
        {
            server?.Dispose();
            _listening.TrySetCanceled();
        }
    }

    /// <summary>Binds the listener; while it cannot (the port is taken), the bed shows "source_error" and it is retried with the backoff.</summary>
    private async Task<TcpServer> BindAsync(Bed bed, Backoff backoff, CancellationToken ct)
    {
        var options = new TcpServerOptions(config.Port, System.Net.IPAddress.Parse(config.Address));
        string? reported = null;
        while (true)
        {
            try
            {
                var server = TcpServer.Start(options);
                backoff.Reset();
                bed.SourceRecovered();
                ListeningPort = server.LocalEndPoint.Port;
                _listening.TrySetResult();
                log.LogInformation("bed {Bed}: waiting for a device on {Endpoint}", bed.Id, server.LocalEndPoint);
                return server;
            }
            catch (IOException e)
            {
                bed.SourceFailed(e.Message);
                var delay = backoff.Next();
                // once per distinct problem; the retries themselves are routine
                if (reported != e.Message) log.LogError("bed {Bed}: {Error}; retrying (every {Delay:F2} s at first, up to {Max} s)", bed.Id, e.Message, delay.TotalSeconds, config.ReconnectMaxSeconds);
                reported = e.Message;
                await Task.Delay(delay, ct);
            }
        }
    }
}
