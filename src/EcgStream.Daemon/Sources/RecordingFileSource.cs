using EcgStream.Daemon.Beds;
using EcgStream.Daemon.Configuration;
using EcgStream.Formats;
using EcgStream.Ingest.Replay;
using Microsoft.Extensions.Logging;

namespace EcgStream.Daemon.Sources;

/// <summary>
/// A recorded file (WFDB, EDF, .mat) played at real time × speed; looped on request, each pass
/// continuing the stream's time. A file that cannot be read (missing, garbage, a rate no block can
/// hold) does not kill the bed: it shows state "source_error" with the reason in last_error, and the
/// file is tried again with the reconnect backoff (it may be replaced while the daemon runs).
/// </summary>
public sealed class RecordingFileSource(SourceConfig config, ILogger? log = null) : IBedSource
{
    public string Description => $"file {config.Path} ×{config.Speed}";

    public async Task RunAsync(Bed bed, CancellationToken ct)
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(config.ReconnectInitialSeconds), TimeSpan.FromSeconds(config.ReconnectMaxSeconds));
        string? lastProblem = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var recording = RecordReader.Read(config.Path!);
                bed.SourceRecovered();   // a problem reported before (truncated, missing) is over: last_error clears
                await PlayAsync(bed, recording, ct);
                if (!ct.IsCancellationRequested)
                {
                    // the end of a recording is not a lost signal: no SIGNAL_LOSS/GAP for it, and it is said once
                    string why = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"{config.Path}: end of the recording ({recording.Samples[0].Length / recording.SampleRate:0.###} s of signal played)");
                    bed.SourceEnded(why);
                    log?.LogInformation("bed {Bed}: {Why}", bed.Id, why);
                }
                return;
            }
            catch (Exception e) when (e is EcgFormatException or IOException or InvalidDataException or FormatException or UnauthorizedAccessException
                                        or ArgumentException or OverflowException)
            {
                // the readers' messages usually name the file already: name it once
                string first = e.Message.Split('\n', 2)[0].Trim();
                string problem = config.Path is { } p && first.StartsWith(p, StringComparison.Ordinal) ? first : $"{config.Path}: {first}";
                bed.SourceFailed(problem);
                var delay = backoff.Next();
                // once per distinct problem, not once per retry
                if (problem != lastProblem) log?.LogError("bed {Bed}: cannot play {Problem}; retrying with backoff (next in {Delay:F1} s)", bed.Id, problem, delay.TotalSeconds);
                lastProblem = problem;
                try { await Task.Delay(delay, ct); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task PlayAsync(Bed bed, Recording recording, CancellationToken ct)
    {
        bed.SetConnected(true);
        try
        {
            do
            {
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                // blocks arrive every 40 ms of host time whatever the speed: a fixed 0.04 s of signal arrived every 4 s at speed 0.01,
                // and every such wait longer than signalLossSeconds raised (and closed) a false SIGNAL_LOSS and GAP
                double blockSeconds = Math.Max(1.0 / recording.SampleRate, 0.04 * Math.Min(1.0, config.Speed));
                var blocks = RecordingSource.Play(recording, new ReplayOptions { Speed = config.Speed, StreamId = bed.Id, BlockSeconds = blockSeconds });
                using (blocks.Subscribe(b => bed.Push(b), e => done.TrySetException(e), () => done.TrySetResult()))
                using (ct.Register(() => done.TrySetResult()))
                    await done.Task;
                bed.MarkDiscontinuity(); // the next pass starts at sample 0 again
            } while (config.Loop && !ct.IsCancellationRequested);
        }
        finally { bed.SetConnected(false); }
    }
}
