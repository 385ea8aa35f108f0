using EcgStream.Core.Events;
using EcgStream.Core.Rhythms;
using EcgStream.Runtime.Evaluation;

namespace EcgStream.Runtime.Tests;

public class EpisodeMetricsTests
{
    private static RhythmEvent On(double start, double detected) =>
        new("s", EventType.Rhythm, EventKind.Onset, "AF", start, null, detected, 0.9, EventSource.Rule);
    private static RhythmEvent Off(double start, double end) =>
        new("s", EventType.Rhythm, EventKind.Offset, "AF", start, end, end + 2, 0.9, EventSource.Rule);

    [Fact]
    public void Counts_overlaps_latency_and_durations()
    {
        var reference = new[] { new Episode("AF", 100, 200), new Episode("AF", 500, 600), new Episode("AFL", 0, 1000) };
        var events = new[] { On(110, 118), Off(110, 210), On(300, 305), Off(300, 320) };
        var m = EpisodeMetrics.Compute("AF", reference, events);
        Assert.Equal(2, m.ReferenceEpisodes);
        Assert.Equal(2, m.DetectedEpisodes);
        Assert.Equal(1, m.ReferenceEpisodesDetected);
        Assert.Equal(1, m.DetectedEpisodesTrue);
        Assert.Equal(0.5, m.EpisodeSensitivity);
        Assert.Equal(0.5, m.EpisodePositivePredictivity);
        Assert.Equal(18, m.MedianOnsetLatency);
        Assert.Equal(90, m.OverlapSeconds);
        Assert.Equal(90.0 / 200, m.DurationSensitivity);
        Assert.Equal(90.0 / 120, m.DurationPositivePredictivity);
    }

    [Fact]
    public void Unbalanced_events_are_reported_not_miscounted()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => EpisodeMetrics.Compute("AF", [], [On(1, 2)]));
        Assert.Contains("never closed", ex.Message);
    }
}
