using System.Diagnostics;
using EcgStream.Core.Leads;
using EcgStream.Synthetic;

namespace EcgStream.Cluster;

/// <summary>
/// Simulated beds for the gateway: one endless synthetic patient per bed (<see cref="SyntheticEcgStream"/>, seeded by
/// bed number, so a run is reproducible), paced to real time on one thread, one block per bed per tick.
/// </summary>
public sealed class SimulatedBeds : IAsyncDisposable
{
    private readonly BedGateway _gateway;
    private readonly SyntheticEcgStream[] _streams;
    private readonly int _block;
    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;

    public SimulatedBeds(BedGateway gateway, int beds, double sampleRate = 250, LeadSet? leads = null, double blockSeconds = 0.1, int seed = 1000)
    {
        if (beds < 1) throw new ArgumentOutOfRangeException(nameof(beds), beds, "at least one bed");
        _gateway = gateway;
        _streams = Enumerable.Range(0, beds).Select(i => new SyntheticEcgStream(seed + i, sampleRate, leads ?? LeadSet.All)).ToArray();
        _block = Math.Max(1, (int)Math.Round(blockSeconds * sampleRate));
        Ids = Enumerable.Range(1, beds).Select(BedId).ToArray();
    }

    public static string BedId(int number) => $"bed{number:D3}";
    public IReadOnlyList<string> Ids { get; }
    /// <summary>Stream seconds generated per bed.</summary>
    public double PositionSeconds => _streams[0].PositionSeconds;
    /// <summary>Samples per lead generated, all beds.</summary>
    public long SamplesGenerated => _streams.Sum(s => s.Position);
    /// <summary>Ticks on which generation fell behind real time by more than a block.</summary>
    public long LateTicks { get; private set; }

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "ecgstream-simulated-beds" };
        _thread.Start();
    }

    private void Run()
    {
        var clock = Stopwatch.StartNew();
        double blockSeconds = _block / _streams[0].SampleRate;
        for (long tick = 0; !_stop.IsCancellationRequested; tick++)
        {
            for (int i = 0; i < _streams.Length; i++)
            {
                var b = _streams[i].ReadBlock(Ids[i], _block);
                _gateway.Publish(b);
            }
            double due = (tick + 1) * blockSeconds;
            double wait = due - clock.Elapsed.TotalSeconds;
            if (wait > 0.001) _stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(wait));
            else if (wait < -blockSeconds) LateTicks++;
        }
    }

    /// <summary>Stops generating (after the tick in progress).</summary>
    public void Stop()
    {
        _stop.Cancel();
        _thread?.Join();
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
