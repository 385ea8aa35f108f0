using EcgStream.Runtime.Evaluation;

namespace EcgStream.Cli.Commands.Benchmark;

/// <summary>
/// One record's episode comparison for one source, with everything pooling needs: the EC57-style counts and
/// durations (<see cref="EpisodeMetrics"/>), the onset latencies, and the record's length, so false episodes per
/// hour can be summed over records whose reference has none of the rhythm.
/// </summary>
public sealed record EpisodeRecord(string Dataset, string Record, string Source, double Hours, EpisodeMetrics Metrics)
{
    /// <summary>Whether the reference holds none of the rhythm (such records give the false-alarm rate).</summary>
    public bool ReferenceFree => Metrics.ReferenceEpisodes == 0;

    /// <summary>Detected episodes per hour on a record without the rhythm (NaN on records with it).</summary>
    public double FalsePerHour => ReferenceFree ? Metrics.DetectedEpisodes / Hours : double.NaN;

    /// <summary>
    /// Pools records: counts, seconds and latencies summed (episode statistics over all episodes, as EC57's gross
    /// statistics), false episodes per hour = detections on reference-free records ÷ their hours.
    /// </summary>
    public static (EpisodeMetrics Metrics, double Hours, double FreeHours, int FreeDetections) Pool(string rhythm, IReadOnlyCollection<EpisodeRecord> records)
    {
        var all = records.Select(r => r.Metrics).ToList();
        var metrics = new EpisodeMetrics(
            rhythm, all.Sum(m => m.ReferenceEpisodes), all.Sum(m => m.DetectedEpisodes), all.Sum(m => m.ReferenceEpisodesDetected),
            all.Sum(m => m.DetectedEpisodesTrue), all.Sum(m => m.ReferenceSeconds), all.Sum(m => m.DetectedSeconds), all.Sum(m => m.OverlapSeconds),
            all.SelectMany(m => m.OnsetLatencies).ToList());
        var free = records.Where(r => r.ReferenceFree).ToList();
        return (metrics, records.Sum(r => r.Hours), free.Sum(r => r.Hours), free.Sum(r => r.Metrics.DetectedEpisodes));
    }
}
