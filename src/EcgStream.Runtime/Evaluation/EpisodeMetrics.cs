using EcgStream.Core.Events;
using EcgStream.Core.Rhythms;

namespace EcgStream.Runtime.Evaluation;

/// <summary>
/// Episode-level agreement between detected and reference episodes of one rhythm, in the spirit of
/// ANSI/AAMI EC57's AF episode statistics: a reference episode is detected when some detected
/// episode overlaps it; a detected episode is a true positive when it overlaps some reference
/// episode. Onset latency: for each detected reference episode whose first overlapping detection
/// was emitted after the reference onset, the emission time minus the reference onset. (A reference
/// episode that falls inside a detection already open, such as two annotated episodes a few seconds
/// apart detected as one, has no onset latency of its own and is left out of it.)
/// Duration statistics (time-weighted sensitivity/predictivity) complete the picture.
/// </summary>
public sealed record EpisodeMetrics(
    string Rhythm,
    int ReferenceEpisodes,
    int DetectedEpisodes,
    int ReferenceEpisodesDetected,
    int DetectedEpisodesTrue,
    double ReferenceSeconds,
    double DetectedSeconds,
    double OverlapSeconds,
    IReadOnlyList<double> OnsetLatencies)
{
    public double EpisodeSensitivity => ReferenceEpisodes == 0 ? double.NaN : (double)ReferenceEpisodesDetected / ReferenceEpisodes;
    public double EpisodePositivePredictivity => DetectedEpisodes == 0 ? double.NaN : (double)DetectedEpisodesTrue / DetectedEpisodes;
    public double DurationSensitivity => ReferenceSeconds == 0 ? double.NaN : OverlapSeconds / ReferenceSeconds;
    public double DurationPositivePredictivity => DetectedSeconds == 0 ? double.NaN : OverlapSeconds / DetectedSeconds;
    public double MedianOnsetLatency => Median(OnsetLatencies);

    /// <summary>Compares detections (onset/offset events of <paramref name="rhythm"/>) with reference episodes.</summary>
    public static EpisodeMetrics Compute(string rhythm, IEnumerable<Episode> reference, IEnumerable<RhythmEvent> events)
    {
        var refs = reference.Where(e => e.Rhythm == rhythm).OrderBy(e => e.StartSeconds).ToList();
        var detections = Pair(rhythm, events);
        int refsHit = 0;
        var latencies = new List<double>();
        foreach (var r in refs)
        {
            var hit = detections.Where(d => d.Episode.Overlaps(r)).OrderBy(d => d.OnsetDetected).FirstOrDefault();
            if (hit.Episode.Rhythm is null) continue;
            refsHit++;
            if (hit.OnsetDetected >= r.StartSeconds) latencies.Add(hit.OnsetDetected - r.StartSeconds);
        }
        int detTrue = detections.Count(d => refs.Any(r => r.Overlaps(d.Episode)));
        double overlap = 0;
        foreach (var d in detections)
            foreach (var r in refs)
                overlap += Math.Max(0, Math.Min(d.Episode.EndSeconds, r.EndSeconds) - Math.Max(d.Episode.StartSeconds, r.StartSeconds));
        return new EpisodeMetrics(rhythm, refs.Count, detections.Count, refsHit, detTrue,
            refs.Sum(r => r.Duration), detections.Sum(d => d.Episode.Duration), overlap, latencies);
    }

    /// <summary>Pairs each onset with its offset (events of one stream and source, in emission order).</summary>
    public static List<(Episode Episode, double OnsetDetected)> Pair(string rhythm, IEnumerable<RhythmEvent> events)
    {
        var result = new List<(Episode, double)>();
        RhythmEvent? open = null;
        foreach (var e in events.Where(e => e.Rhythm == rhythm))
        {
            if (e.Kind == EventKind.Onset)
            {
                if (open is not null) throw new InvalidOperationException($"{rhythm}: onset at {e.StartSeconds:F1} s while an episode from {open.StartSeconds:F1} s is open");
                open = e;
            }
            else
            {
                if (open is null) throw new InvalidOperationException($"{rhythm}: offset at {e.EndSeconds:F1} s without an onset");
                result.Add((new Episode(rhythm, open.StartSeconds, e.EndSeconds ?? e.DetectedSeconds), open.DetectedSeconds));
                open = null;
            }
        }
        if (open is not null) throw new InvalidOperationException($"{rhythm}: episode from {open.StartSeconds:F1} s never closed");
        return result;
    }

    private static double Median(IReadOnlyList<double> xs)
    {
        if (xs.Count == 0) return double.NaN;
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }
}
