using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using EcgStream.Daemon.Beds;
using EcgStream.Daemon.Configuration;
using EcgStream.Ingest.Transports;
using EcgStream.Ingest.Wire;
using Microsoft.Extensions.Logging;

namespace EcgStream.Daemon.Sources;

/// <summary>
/// A device speaking our wire protocol over TCP (either direction) or a serial port. One
/// <see cref="WireDecoder"/> serves every connection, so a device that reconnects and goes on
/// counting has what it lost reported as a gap from its sequence numbers; one that restarts (its
/// sequence jumps back, or it describes itself anew) is re-based on the host clock by the bed.
/// <para>No connection can hold the bed: one that delivers no samples for <see cref="SourceConfig.IdleSeconds"/>
/// is closed and made again, and a tcp-server bed keeps accepting while it reads: a new connection replaces the
/// current one once the current one has delivered no samples for <see cref="StreamingWithin"/> (a device that
/// rebooted comes back on a new connection while the old one, half-open, may never end), and is closed while the
/// current device streams (a health probe or a port scan must not knock a live device off). tcp-client connects and serial opens are retried with
/// <see cref="Backoff"/>; a tcp-server accepts at once (accepting waits by itself) and retries only a
/// listener that cannot bind.</para>
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

    private bool _everConnected;
    private Task<NetworkStream>? _next;   // tcp-server: the next device's accept, waiting while one is served
    private long _lastSamples;            // Stopwatch ticks of the current connection's latest samples (0: none yet)

    /// <summary>tcp-server: a current connection that delivered samples this recently is streaming, and a new one is closed.</summary>
    public static readonly TimeSpan StreamingWithin = TimeSpan.FromSeconds(1);

    public async Task RunAsync(Bed bed, CancellationToken ct)
    {
        var decoder = new WireDecoder(new WireDecoderOptions(StreamId: bed.Id));
        bed.Ingest = decoder.Counters;
        var backoff = new Backoff(TimeSpan.FromSeconds(config.ReconnectInitialSeconds), TimeSpan.FromSeconds(config.ReconnectMaxSeconds));
        try
        {
            if (config.Kind == SourceKind.TcpServer) await ServeAsync(bed, decoder, backoff, ct);
            else await ConnectAsync(bed, decoder, backoff, ct);
        }
        // stopping: the interrupted read may end with any of these
        catch (Exception e) when (ct.IsCancellationRequested && (e is OperationCanceledException || IsConnectionError(e))) { }
        finally { _listening.TrySetCanceled(); }
    }

    /// <summary>tcp-client and serial: connect (open), read until the connection ends, wait, again.</summary>
    private async Task ConnectAsync(Bed bed, WireDecoder decoder, Backoff backoff, CancellationToken ct)
    {
        while (true)
        {
            Stream? stream = null;
            try
            {
                stream = config.Kind == SourceKind.TcpClient
                    ? await TcpTransport.ConnectAsync(new TcpClientOptions(config.Host, config.Port), ct)
                    : SerialPort.Open(new SerialPortOptions(config.Path!, config.Baud)).Stream;
                await ReadConnectionAsync(bed, decoder, backoff, stream, Description, server: null, ct);
            }
            catch (Exception e) when (IsConnectionError(e) && !ct.IsCancellationRequested)
            {
                bed.LastError = e.Message;
                log.LogWarning("bed {Bed}: {Source}: {Error}", bed.Id, Description, e.Message);
            }
            finally
            {
                if (stream is not null) await stream.DisposeAsync();
            }
            ct.ThrowIfCancellationRequested();
            var delay = backoff.Next();
            log.LogInformation("bed {Bed}: reconnecting in {Delay:F2} s (attempt {Attempt})", bed.Id, delay.TotalSeconds, backoff.Attempt);
            await Task.Delay(delay, ct);
        }
    }

    /// <summary>
    /// tcp-server: bind (retried while the address is taken), then serve one device at a time while the next
    /// accept is already waiting: a new connection replaces the current one.
    /// </summary>
    private async Task ServeAsync(Bed bed, WireDecoder decoder, Backoff backoff, CancellationToken ct)
    {
        using var server = await BindAsync(bed, backoff, ct);
        _next = AcceptAsync(bed, server, ct);
        try
        {
            while (true)
            {
                var stream = await _next;
                _next = AcceptAsync(bed, server, ct);
                try { await ReadConnectionAsync(bed, decoder, backoff, stream, $"tcp-server {stream.Socket.LocalEndPoint} from {stream.Socket.RemoteEndPoint}", server, ct); }
                catch (Exception e) when (IsConnectionError(e) && !ct.IsCancellationRequested)
                {
                    bed.LastError = e.Message;
                    log.LogWarning("bed {Bed}: {Source}: {Error}", bed.Id, Description, e.Message);
                }
                finally { await stream.DisposeAsync(); }
            }
        }
        finally
        {
            // a device accepted while stopping was never served: close it rather than leak its socket
            server.Dispose();
            try { await (await _next).DisposeAsync(); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
        }
    }

    /// <summary>Binds the listener; while it cannot (the port is taken), the bed shows "source_error" and it is retried with the backoff.</summary>
    private async Task<TcpServer> BindAsync(Bed bed, Backoff backoff, CancellationToken ct)
    {
        var options = new TcpServerOptions(config.Port, IPAddress.Parse(config.Address));
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

    /// <summary>The next device; an accept that fails (out of file descriptors) is tried again after a moment, not given up.</summary>
    private async Task<NetworkStream> AcceptAsync(Bed bed, TcpServer server, CancellationToken ct)
    {
        while (true)
        {
            try { return await server.AcceptAsync(ct); }
            catch (SocketException e) when (!ct.IsCancellationRequested && e.SocketErrorCode != SocketError.OperationAborted)
            {
                log.LogWarning("bed {Bed}: {Source}: accept failed: {Error}", bed.Id, Description, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(config.ReconnectInitialSeconds), ct);
            }
        }
    }

    /// <summary>
    /// Reads one connection until it ends, it delivers no samples for <see cref="SourceConfig.IdleSeconds"/>, or
    /// (tcp-server, <paramref name="server"/> given) the next accepted device replaces it: at once if this one has been
    /// quiet for <see cref="StreamingWithin"/>; while this one streams, the newcomer is closed and the next accept waits.
    /// </summary>
    private async Task ReadConnectionAsync(Bed bed, WireDecoder decoder, Backoff backoff, Stream stream, string peer,
        TcpServer? server, CancellationToken ct)
    {
        if (_everConnected) bed.Reconnects++;
        _everConnected = true;
        bed.SetConnected(true);
        bed.LastError = null;
        log.LogInformation("bed {Bed}: connected ({Source})", bed.Id, peer);
        var idle = TimeSpan.FromSeconds(config.IdleSeconds);
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // a stream whose pending read ignores cancellation (a serial port) still ends when it is closed
        using var close = connection.Token.Register(static s => ((Stream)s!).Dispose(), stream);
        connection.CancelAfter(idle);
        bool replaced = false, ended = false;
        long skippedBefore = decoder.Counters.BytesSkipped, framesBefore = decoder.Counters.Frames;
        Volatile.Write(ref _lastSamples, 0);
        var reading = PumpAsync(bed, decoder, backoff, stream, connection, idle);
        try
        {
            while (server is not null && await Task.WhenAny(reading, _next!) == _next && _next.IsCompletedSuccessfully && !reading.IsCompleted)
            {
                var newcomer = _next.Result;
                long last = Volatile.Read(ref _lastSamples);
                if (last != 0 && Stopwatch.GetElapsedTime(last) < StreamingWithin)
                {
                    log.LogInformation("bed {Bed}: a connection from {New} while the device streams: closed", bed.Id, newcomer.Socket.RemoteEndPoint);
                    await newcomer.DisposeAsync();
                    _next = AcceptAsync(bed, server, ct);
                    continue;
                }
                replaced = true;
                log.LogWarning("bed {Bed}: a new device connection from {New} replaces the quiet one from {Old}, which is closed",
                    bed.Id, newcomer.Socket.RemoteEndPoint, (stream as NetworkStream)?.Socket.RemoteEndPoint);
                await connection.CancelAsync();
                break;
            }
            await reading;
            ended = true;
        }
        // ended by us (idle or replaced): whatever the interrupted read threw
        catch (Exception e) when (connection.IsCancellationRequested && !ct.IsCancellationRequested
                                  && (e is OperationCanceledException || IsConnectionError(e))) { ended = true; }
        finally
        {
            // why it ended is said before the bed reads as disconnected: whoever sees it disconnected also sees why
            if (ended && !replaced && !ct.IsCancellationRequested)
                ReportEnd(bed, idleClosed: connection.IsCancellationRequested,
                    decoder.Counters.BytesSkipped - skippedBefore, decoder.Counters.Frames - framesBefore);
            bed.SetConnected(false);
        }
        ct.ThrowIfCancellationRequested();
    }

    /// <summary>Logs how a connection ended that neither shutdown nor a new device ended; an idle close is also the bed's last error.</summary>
    private void ReportEnd(Bed bed, bool idleClosed, long bytesSkipped, long frames)
    {
        if (idleClosed)
        {
            // bytes and not one frame say "wrong baud rate or not our protocol", not "silent device"; after valid frames the
            // count is said without that guess (stray bytes over hours of streaming are no sign of a wrong baud rate)
            string garbage = bytesSkipped == 0 ? ""
                : frames == 0 ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $" ({bytesSkipped} byte(s) received and not one valid frame: wrong baud rate, or not the EcgStream wire protocol?)")
                : string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $" ({bytesSkipped} byte(s) of this connection formed no valid frame)");
            string why = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"no samples for {config.IdleSeconds:0.###} s{garbage}; closing the connection");
            bed.LastError = why;
            log.LogWarning("bed {Bed}: {Why}", bed.Id, why);
        }
        else log.LogWarning("bed {Bed}: source closed the connection", bed.Id);
    }

    private async Task PumpAsync(Bed bed, WireDecoder decoder, Backoff backoff, Stream stream, CancellationTokenSource connection, TimeSpan idle)
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            await foreach (var e in decoder.ReadEventsAsync(reader, connection.Token))
            {
                switch (e.Kind)
                {
                    case IngestEventKind.Info:
                    case IngestEventKind.Restart:
                        bed.MarkDiscontinuity();
                        break;
                    case IngestEventKind.Data:
                        Volatile.Write(ref _lastSamples, Stopwatch.GetTimestamp());
                        backoff.Reset();
                        // no idle timeout while the bed takes the block (a new rate waits up to 10 s for the old session to
                        // close), then it starts again: the timer is reused, nothing allocated
                        connection.CancelAfter(Timeout.InfiniteTimeSpan);
                        bed.Push(e.Block);
                        connection.CancelAfter(idle);
                        break;
                }
            }
        }
        finally { await reader.CompleteAsync(); }
    }

    private static bool IsConnectionError(Exception e) =>
        e is IOException or SocketException or UnauthorizedAccessException or ObjectDisposedException;
}
