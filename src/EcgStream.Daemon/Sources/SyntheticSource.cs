using System.Diagnostics;
using EcgStream.Daemon.Beds;
using EcgStream.Daemon.Configuration;
using EcgStream.Synthetic;

namespace EcgStream.Daemon.Sources;

/// <summary>
/// The synthetic generator as a bed, paced to real time × speed in blocks of 40 ms of stream time:
/// a scenario file (finite unless looped) or an endless random stream from a seed.
/// </summary>
public sealed class SyntheticSource(SourceConfig config) : IBedSource
{
    private const double BlockSeconds = 0.04;

    public string Description => config.Scenario is { } s ? $"synthetic {s} ×{config.Speed}" : $"synthetic seed {config.Seed} ×{config.Speed}";

    public async Task RunAsync(Bed bed, CancellationToken ct)
    {
        var stream = config.Scenario is { } path
            ? new SyntheticEcgStream(ScenarioFile.Load(path), loop: config.Loop)
            : new SyntheticEcgStream(config.Seed, sampleRate: 500);
        int block = Math.Max(1, (int)Math.Round(BlockSeconds * stream.SampleRate));
        var clock = Stopwatch.StartNew();
        bed.SetConnected(true);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var b = stream.ReadBlock(bed.Id, block);
                if (b.Length == 0) break;
                bed.Push(b);
                double due = stream.PositionSeconds / config.Speed;
                double wait = due - clock.Elapsed.TotalSeconds;
                if (wait > 0.001)
                {
                    try { await Task.Delay(TimeSpan.FromSeconds(wait), ct); }
                    catch (OperationCanceledException) { break; }
                }
            }
        }
        finally { bed.SetConnected(false); }
    }
}
