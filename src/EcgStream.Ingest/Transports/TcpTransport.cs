using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

namespace EcgStream.Ingest.Transports;

/// <summary>TCP as a byte source: a client that connects out, or a server that accepts devices (both with TCP keepalive on).</summary>
public static class TcpTransport
{
    /// <summary>Keepalive: seconds a connection may be idle before the first probe, seconds between probes, probes unanswered before it is dead.</summary>
    public const int KeepAliveIdleSeconds = 10, KeepAliveIntervalSeconds = 5, KeepAliveProbes = 3;

    /// <summary>
    /// Turns on TCP keepalive, so that a peer which vanished without closing (cable pulled, device powered off) ends
    /// the connection with an error within about <see cref="KeepAliveIdleSeconds"/> + probes × interval, instead of never.
    /// Where the platform does not take the timings, its own defaults apply.
    /// </summary>
    public static void EnableKeepAlive(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, KeepAliveIdleSeconds);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, KeepAliveIntervalSeconds);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, KeepAliveProbes);
        }
        catch (Exception e) when (e is SocketException or PlatformNotSupportedException) { }
    }

    /// <summary>Connects and returns the connection's stream (owning the socket).</summary>
    public static async Task<NetworkStream> ConnectAsync(TcpClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Host);
        if (options.Port is < 1 or > 65535) throw new ArgumentOutOfRangeException(nameof(options), options.Port, "TCP port must be 1..65535");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = options.NoDelay };
        try { EnableKeepAlive(socket); }
        catch { socket.Dispose(); throw; }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout ?? TimeSpan.FromSeconds(10));
        try
        {
            await socket.ConnectAsync(options.Host, options.Port, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            throw new IOException($"connect to {options.Host}:{options.Port} failed: {(e is SocketException s ? s.Message : "timed out")}", e);
        }
        return new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>A pipe reader over a stream (closing the reader closes the stream).</summary>
    public static PipeReader AsPipeReader(Stream stream) => PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: false));
}

/// <summary>Accepts devices that connect to us. Loopback by default; accepted connections have TCP keepalive on.</summary>
public sealed class TcpServer : IDisposable
{
    private readonly Socket _listener;

    private TcpServer(Socket listener) => _listener = listener;

    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    public static TcpServer Start(TcpServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(options), options.Port, "TCP port must be 0..65535");
        var address = options.EffectiveAddress;
        var s = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            s.Bind(new IPEndPoint(address, options.Port));
            s.Listen(options.Backlog);
        }
        catch (SocketException e)
        {
            s.Dispose();
            throw new IOException($"listen on {address}:{options.Port} failed: {e.Message}", e);
        }
        return new TcpServer(s);
    }

    /// <summary>Waits for the next device; returns its stream (owning the socket).</summary>
    public async Task<NetworkStream> AcceptAsync(CancellationToken cancellationToken = default)
    {
        var socket = await _listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            socket.NoDelay = true;
            TcpTransport.EnableKeepAlive(socket);
        }
        catch
        {
            socket.Dispose();   // a peer that reset before we set it up: its socket must not leak
            throw;
        }
        return new NetworkStream(socket, ownsSocket: true);
    }

    public void Dispose() => _listener.Dispose();
}
