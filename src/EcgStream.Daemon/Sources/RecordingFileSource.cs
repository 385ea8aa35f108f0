using System.Reactive.Linq;
using EcgStream.Daemon.Beds;
using EcgStream.Daemon.Configuration;
using EcgStream.Formats;
using EcgStream.Ingest.Replay;

namespace EcgStream.Daemon.Sources;

/// <summary>A recorded file (WFDB, EDF, .mat, CSV) played at real time × speed; looped on request, each pass continuing the stream's time.</summary>
public sealed class RecordingFileSource(SourceConfig config) : IBedSource
{
    public string Description => $"file {config.Path} ×{config.Speed}";

    public async Task RunAsync(Bed bed, CancellationToken ct)
    {
        var recording = RecordReader.Read(config.Path!);
        bed.SetConnected(true);
        try
        {
            do
            {
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var blocks = RecordingSource.Play(recording, new ReplayOptions { Speed = config.Speed, StreamId = bed.Id, BlockSeconds = 0.04 });
                using (blocks.Subscribe(b => bed.Push(b), e => done.TrySetException(e), () => done.TrySetResult()))
                using (ct.Register(() => done.TrySetResult()))
                    await done.Task;
                bed.MarkDiscontinuity(); // the next pass starts at sample 0 again
            } while (config.Loop && !ct.IsCancellationRequested);
        }
        finally { bed.SetConnected(false); }
    }
}
