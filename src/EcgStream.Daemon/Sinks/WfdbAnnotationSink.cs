using EcgStream.Core.Events;
using EcgStream.Core.Rhythms;
using EcgStream.Formats.Labels;
using EcgStream.Formats.Wfdb;

namespace EcgStream.Daemon.Sinks;

/// <summary>
/// Keeps each bed's rhythm episodes (onset/offset pairs of class-set-v1 rhythms) and writes them as
/// WFDB rhythm annotations to <c>DIR/BED.atr</c>, at the bed's sample rate: periodically (episodes
/// still open end at the newest detection) and at shutdown, after the pipelines closed them.
/// With a model, the model's episodes are written; without, the rules'. Alarms are not rhythms and
/// stay out. Each write replaces the file with this run's whole history (atomically, via a temporary
/// file). A file left by an earlier run is never overwritten: before this run's first write it is
/// rotated to <c>BED.atr.YYYYMMDDTHHMMSSZ</c> (its last write time, UTC), still readable as annotator
/// <c>atr.YYYYMMDDTHHMMSSZ</c> of record BED (<c>rdann -r BED -a atr.…</c>).
/// </summary>
public sealed class WfdbAnnotationSink(string directory, EventSource source)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, BedEpisodes> _beds = new(StringComparer.Ordinal);

    public string Directory { get; } = directory;
    public long FilesWritten { get; private set; }

    public void OnEvent(RhythmEvent e, double sampleRate)
    {
        if (e.Type != EventType.Rhythm || e.Source != source || !RhythmClasses.TryParse(e.Rhythm, out _)) return;
        lock (_gate)
        {
            if (!_beds.TryGetValue(e.StreamId, out var bed)) _beds[e.StreamId] = bed = new BedEpisodes();
            bed.SampleRate = sampleRate;
            bed.LatestSeconds = Math.Max(bed.LatestSeconds, e.DetectedSeconds);
            if (e.Kind == EventKind.Onset) bed.Open[e.Rhythm] = e.StartSeconds;
            else
            {
                bed.Open.Remove(e.Rhythm);
                bed.Closed.Add(new Episode(e.Rhythm, e.StartSeconds, e.EndSeconds ?? e.DetectedSeconds));
            }
            bed.Dirty = true;
        }
    }

    /// <summary>Writes every bed that changed since the last write. Returns the files written.</summary>
    public IReadOnlyList<string> Flush()
    {
        var written = new List<string>();
        lock (_gate)
        {
            foreach (var (id, bed) in _beds)
            {
                if (!bed.Dirty || bed.SampleRate <= 0) continue;
                var episodes = bed.Closed
                    .Concat(bed.Open.Select(o => new Episode(o.Key, o.Value, Math.Max(o.Value, bed.LatestSeconds))))
                    .OrderBy(e => e.StartSeconds)
                    .ToList();
                var annotations = RhythmLabels.ToAnnotations(episodes, bed.SampleRate);
                System.IO.Directory.CreateDirectory(Directory);
                if (!bed.Rotated)
                {
                    RotatePrevious(id);
                    bed.Rotated = true;
                }
                string tmp = Path.Combine(Directory, $".{id}.tmp");
                Wfdb.WriteAnnotations(tmp, "atr", annotations);
                string final = Path.Combine(Directory, id + ".atr");
                File.Move(tmp + ".atr", final, overwrite: true);
                bed.Dirty = false;
                FilesWritten++;
                written.Add(final);
            }
        }
        return written;
    }

    /// <summary>Moves an earlier run's DIR/BED.atr aside; returns its new path, or null if there was none.</summary>
    private string? RotatePrevious(string id)
    {
        string final = Path.Combine(Directory, id + ".atr");
        if (!File.Exists(final)) return null;
        string stamp = File.GetLastWriteTimeUtc(final).ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        string target = final + "." + stamp;
        for (int n = 1; File.Exists(target); n++) target = $"{final}.{stamp}-{n}";
        File.Move(final, target);
        return target;
    }

    private sealed class BedEpisodes
    {
        public bool Rotated;
        public double SampleRate;
        public double LatestSeconds;
        public bool Dirty;
        public readonly Dictionary<string, double> Open = new(StringComparer.Ordinal);
        public readonly List<Episode> Closed = [];
    }
}
