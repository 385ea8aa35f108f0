namespace EcgStream.Daemon.Sources;

/// <summary>
/// Reconnect delays: <c>initial × 2^attempt</c> up to <c>max</c>, each jittered uniformly by ±20 %
/// so that many beds that lost one switch do not all reconnect in the same instant.
/// <see cref="Reset"/> after a connection has delivered data.
/// </summary>
public sealed class Backoff(TimeSpan initial, TimeSpan max, Random? random = null)
{
    public const double Jitter = 0.2;
    private readonly Random _random = random ?? Random.Shared;
    private int _attempt;

    public int Attempt => _attempt;

    public TimeSpan Next()
    {
        double baseSeconds = Math.Min(max.TotalSeconds, initial.TotalSeconds * Math.Pow(2, Math.Min(_attempt, 30)));
        _attempt++;
        double factor = 1 + Jitter * (2 * _random.NextDouble() - 1);
        return TimeSpan.FromSeconds(baseSeconds * factor);
    }

    public void Reset() => _attempt = 0;
}
