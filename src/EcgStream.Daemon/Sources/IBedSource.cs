using EcgStream.Daemon.Beds;

namespace EcgStream.Daemon.Sources;

/// <summary>Produces a bed's blocks until cancelled (or, for finite sources, until the end). Pushes into <see cref="Bed.Push"/> from one thread at a time.</summary>
public interface IBedSource
{
    string Description { get; }
    Task RunAsync(Bed bed, CancellationToken cancellationToken);
}
