namespace EcgStream.Synthetic.Engine;

/// <summary>Where the timeline's segments come from: a scenario's list (optionally looped) or an endless random chain.</summary>
internal interface ISegmentSource
{
    /// <summary>The next segment, or null at the end of a finite scenario.</summary>
    ScenarioSegment? Next();
}

internal sealed class ListSegmentSource(IReadOnlyList<ScenarioSegment> segments, bool loop) : ISegmentSource
{
    private int _next;

    public ScenarioSegment? Next()
    {
        if (_next >= segments.Count)
        {
            if (!loop || segments.Count == 0) return null;
            _next = 0;
        }
        return segments[_next++];
    }
}
