using EcgStream.Core.Rhythms;

namespace EcgStream.Synthetic.Engine;

/// <summary>
/// Ground truth as it is generated: rhythm-class and alarm episodes (adjacent segments with the same
/// label merge into one episode) and the annotated beats.
/// </summary>
internal sealed class TruthBook
{
    // Label slots: the rhythm classes, then the alarms.
    private const int PauseSlot = RhythmClasses.Count, AsystoleSlot = RhythmClasses.Count + 1, LeadOffSlot = RhythmClasses.Count + 2, Slots = RhythmClasses.Count + 3;

    private readonly List<Episode> _episodes = [];
    private readonly List<int> _slots = [];
    private readonly int[] _open = Enumerable.Repeat(-1, Slots).ToArray();
    private int _pendingPause = -1;

    public List<long> BeatSamples { get; } = [];
    public List<char> BeatCodes { get; } = [];
    public IReadOnlyList<Episode> Episodes => _episodes;

    public void OnSegmentEntered(Segment seg, double lastBeat)
    {
        foreach (var c in seg.Classes) Add((int)c, seg.Start, seg.End);
        if (!double.IsNaN(seg.Snr) && seg.Snr <= 0) Add((int)RhythmClass.NOISE, seg.Start, seg.End);
        if (!seg.LeadOff.IsEmpty) Add(LeadOffSlot, seg.Start, seg.End);
        if (seg.Rhythm == SyntheticRhythm.ASYSTOLE) Add(AsystoleSlot, seg.Start, seg.End);
        if (seg.Rhythm == SyntheticRhythm.PAUSE)
        {
            // A pause runs from the last beat before it to the first beat after it (closed in OnBeat).
            if (_pendingPause >= 0) Extend(_pendingPause, seg.End);
            else
            {
                double start = double.IsNaN(lastBeat) ? seg.Start : lastBeat;
                _pendingPause = Add(PauseSlot, start, seg.End);
            }
        }
    }

    public void OnBeat(double time, long sample, char code)
    {
        BeatSamples.Add(sample);
        BeatCodes.Add(code);
        if (_pendingPause >= 0)
        {
            var e = _episodes[_pendingPause];
            _episodes[_pendingPause] = e with { EndSeconds = time };
            _pendingPause = -1;
        }
    }

    /// <summary>Bits (1 &lt;&lt; class) of the rhythm classes with an episode overlapping [start, end).</summary>
    public int ClassMask(double start, double end)
    {
        int mask = 0;
        for (int i = _episodes.Count - 1; i >= 0; i--)
        {
            var e = _episodes[i];
            if (_slots[i] < RhythmClasses.Count && e.StartSeconds < end && start < e.EndSeconds) mask |= 1 << _slots[i];
        }
        return mask;
    }

    /// <summary>Clips every episode to the end of a finite record.</summary>
    public void Finish(double end)
    {
        for (int i = 0; i < _episodes.Count; i++)
            if (_episodes[i].EndSeconds > end) _episodes[i] = _episodes[i] with { EndSeconds = end };
        _pendingPause = -1;
    }

    private int Add(int slot, double start, double end)
    {
        int o = _open[slot];
        if (o >= 0 && _episodes[o].EndSeconds >= start - 1e-9)
        {
            Extend(o, end);
            return o;
        }
        _episodes.Add(new Episode(Label(slot), start, end));
        _slots.Add(slot);
        _open[slot] = _episodes.Count - 1;
        return _episodes.Count - 1;
    }

    private void Extend(int i, double end)
    {
        if (_episodes[i].EndSeconds < end) _episodes[i] = _episodes[i] with { EndSeconds = end };
    }

    private static string Label(int slot) => slot switch
    {
        PauseSlot => SyntheticRhythms.Pause,
        AsystoleSlot => SyntheticRhythms.Asystole,
        LeadOffSlot => SyntheticRhythms.LeadOff,
        _ => RhythmClasses.Names[slot],
    };
}
