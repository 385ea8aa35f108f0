using System.Net;

namespace EcgStream.Ingest.Transports;

/// <summary>Connect to a device (or vdev --tcp-listen) at Host:Port.</summary>
public sealed record TcpClientOptions(string Host, int Port, bool NoDelay = true, TimeSpan? ConnectTimeout = null);

/// <summary>Listen for a device that connects to us (vdev --tcp-connect). Loopback unless said otherwise.</summary>
public sealed record TcpServerOptions(int Port = 0, IPAddress? Address = null, int Backlog = 4)
{
    public IPAddress EffectiveAddress => Address ?? IPAddress.Loopback;
}
