using EcgStream.Synthetic.Model;

namespace EcgStream.Synthetic.Engine;

/// <summary>
/// The segments laid end to end, materialised lazily (one ahead of what is asked, so a segment knows
/// whether its rhythm continues into the next) and forgotten once rendering is past them.
/// </summary>
internal sealed class Timeline(ISegmentSource source, Patient patient, long seed, NoiseSpec noise, Action<Segment> onCreated)
{
    private readonly List<Segment> _segments = [];
    private int _base;        // index of _segments[0]
    private bool _exhausted;
    private double _end;      // end time of the last materialised segment

    /// <summary>Segment <paramref name="index"/>, or null past the end of a finite scenario.</summary>
    public Segment? Get(int index)
    {
        while (!_exhausted && _base + _segments.Count <= index + 1) Materialise();
        int i = index - _base;
        if (i < 0) throw new InvalidOperationException($"segment {index} was already released");
        return i < _segments.Count ? _segments[i] : null;
    }

    /// <summary>The segment containing time <paramref name="t"/> (start ≤ t &lt; end), or null beyond the end.</summary>
    public Segment? At(double t)
    {
        for (int index = _base; ; index++)
        {
            var s = Get(index);
            if (s is null) return null;
            if (t < s.End) return s;
        }
    }

    /// <summary>Total duration, once the source is exhausted (finite scenarios); +∞ before.</summary>
    public double KnownEnd => _exhausted ? _end : double.PositiveInfinity;

    public bool Exhausted => _exhausted;

    /// <summary>Drops segments that end before <paramref name="t"/> (keeping at least one).</summary>
    public void ReleaseBefore(double t)
    {
        int n = 0;
        while (n < _segments.Count - 1 && _segments[n].End < t) n++;
        if (n > 16) { _segments.RemoveRange(0, n); _base += n; }
    }

    private void Materialise()
    {
        var spec = source.Next();
        if (spec is null) { _exhausted = true; return; }
        int index = _base + _segments.Count;
        var prev = _segments.Count > 0 ? _segments[^1] : null;
        var seg = new Segment(index, spec, _end, patient, seed, noise, prev);
        _end = seg.End;
        _segments.Add(seg);
        onCreated(seg);
    }
}
