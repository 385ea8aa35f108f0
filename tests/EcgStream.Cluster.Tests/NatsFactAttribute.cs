using EcgStream.Cluster;

namespace EcgStream.Cluster.Tests;

/// <summary>A fact that starts its own nats-server processes; skipped with a message where nats-server is not installed.</summary>
public sealed class NatsFactAttribute : FactAttribute
{
    public NatsFactAttribute()
    {
        if (LoopbackNatsCluster.FindServer() is null) Skip = "nats-server not installed (Debian package nats-server, or set NATS_SERVER): cluster tests skipped";
    }
}
