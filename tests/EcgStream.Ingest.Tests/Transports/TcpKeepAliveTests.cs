using System.Net.Sockets;
using EcgStream.Ingest.Transports;

namespace EcgStream.Ingest.Tests.Transports;

/// <summary>A device that vanished without closing its connection must not hold it open forever: both ends probe.</summary>
public class TcpKeepAliveTests
{
    private static (int On, int Idle, int Interval, int Probes) KeepAlive(Socket s) => (
        (int)s.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive)!,
        (int)s.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime)!,
        (int)s.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval)!,
        (int)s.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount)!);

    [Fact]
    public async Task Client_and_accepted_connections_have_keepalive_on_with_our_timings()
    {
        using var server = TcpServer.Start(new TcpServerOptions());
        var accepting = server.AcceptAsync();
        await using var client = await TcpTransport.ConnectAsync(new TcpClientOptions("127.0.0.1", server.LocalEndPoint.Port));
        await using var accepted = await accepting.WaitAsync(TimeSpan.FromSeconds(10));
        var expected = (1, TcpTransport.KeepAliveIdleSeconds, TcpTransport.KeepAliveIntervalSeconds, TcpTransport.KeepAliveProbes);
        Assert.Equal(expected, KeepAlive(client.Socket));
        Assert.Equal(expected, KeepAlive(accepted.Socket));
    }
}
