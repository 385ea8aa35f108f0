using System.Diagnostics;
using EcgStream.Core.Events;
using EcgStream.Core.Leads;
using EcgStream.Daemon.Configuration;
using EcgStream.Runtime.Metrics;
using EcgStream.Synthetic;
using Microsoft.Extensions.Logging;

namespace EcgStream.Daemon.Demo;

/// <summary>What <see cref="LatencyBenchmark.RunAsync"/> measured.</summary>
public sealed record LatencyReport(int Beds, double Speed, double WallSeconds, long Frames, long Events, long Unattributed,
    double P50Milliseconds, double P99Milliseconds, double MaxMilliseconds);

/// <summary>
/// Device-to-event latency of the daemon: several simulated devices (<see cref="SimulatedWireDevice"/>,
/// 12 leads at 500 Hz, 10 samples per frame) stamp each frame as they write it to TCP loopback; the
/// daemon connects to each as a tcp-client bed. For every rule event, the latency is the host time from
/// the write of the frame whose arrival produced it (the bed's current frame when the event reaches the
/// sinks) to the moment the event has passed the JSON-lines and event-stream sinks. Model events are
/// left out (they are produced on the inference thread; the scheduler times them itself).
/// </summary>
public static class LatencyBenchmark
{
    public static async Task<LatencyReport> RunAsync(int beds, double speed, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(beds, 1);
        var devices = new List<SimulatedWireDevice>();
        var histogram = new LatencyHistogram("frame_written_to_event_sunk");
        long events = 0, unattributed = 0;
        try
        {
            for (int i = 0; i < beds; i++)
            {
                var scenario = DemoRunner.DefaultScenario() with { Seed = 100 + i, Leads = LeadSet.All };
                var d = new SimulatedWireDevice(new SyntheticEcgStream(scenario, loop: true), speed);
                devices.Add(d);
            }
            var config = new DaemonConfig
            {
                Listen = "http://127.0.0.1:0",
                Beds = devices.Select((d, i) => new BedConfig
                {
                    Id = $"bench-{i}",
                    Source = new SourceConfig { Kind = SourceKind.TcpClient, Port = d.Port, ReconnectInitialSeconds = 0.05, ReconnectMaxSeconds = 0.5 },
                }).ToList(),
                Sinks = new SinksConfig { Jsonl = "stdout" },
                Http = new HttpConfig { Token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)) }, // HTTP unused here
            };
            DaemonHost? host = null;
            host = DaemonHost.Build(config, new DaemonHostOptions
            {
                Stdout = Stream.Null,
                HandleSignals = false,
                MinimumLogLevel = LogLevel.Warning,
                OnEvent = e =>
                {
                    long now = Stopwatch.GetTimestamp();
                    if (e.Source != EventSource.Rule) return;
                    Interlocked.Increment(ref events);
                    int bed = int.Parse(e.StreamId.AsSpan("bench-".Length), provider: System.Globalization.CultureInfo.InvariantCulture);
                    long seq = host!.Beds[bed].CurrentSequence;
                    long written = seq < 0 ? 0 : devices[bed].WriteTicks((uint)seq);
                    if (written == 0) { Interlocked.Increment(ref unattributed); return; }
                    histogram.RecordTicks(now - written);
                },
            });
            await using (host)
            {
                await host.StartAsync(cancellationToken);
                foreach (var d in devices) d.Start();
                var clock = Stopwatch.StartNew();
                try { await Task.Delay(duration, cancellationToken); }
                catch (OperationCanceledException) { }
                await host.StopAsync(CancellationToken.None);
                return new LatencyReport(beds, speed, clock.Elapsed.TotalSeconds, devices.Sum(d => d.FramesWritten), events, unattributed,
                    histogram.Percentile(0.5).TotalMilliseconds, histogram.Percentile(0.99).TotalMilliseconds, histogram.Max.TotalMilliseconds);
            }
        }
        finally
        {
            foreach (var d in devices) await d.DisposeAsync();
        }
    }
}
