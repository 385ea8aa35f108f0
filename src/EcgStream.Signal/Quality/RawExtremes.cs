namespace EcgStream.Signal.Quality;

/// <summary>
/// One lead's finite samples over a raw epoch, as the raw checks read them: the extremes and how many samples sat at each.
/// The stream accumulates one per lead across blocks (<see cref="SignalQualityMonitor"/>); whole-record windows build one per
/// second (<see cref="Windowing.RecordWindows"/>); both judge it with <see cref="Judge"/>, so they call the same leads flat
/// or railed.
/// </summary>
public struct RawExtremes
{
    public float Max, Min;
    public int AtMax, AtMin;

    /// <summary>Nothing seen yet (judged flat: no finite sample).</summary>
    public static RawExtremes Empty => new() { Max = float.NegativeInfinity, Min = float.PositiveInfinity };

    /// <summary>Adds <paramref name="samples"/>; non-finite ones are skipped.</summary>
    public void Add(ReadOnlySpan<float> samples)
    {
        foreach (var v in samples)
        {
            if (!float.IsFinite(v)) continue;
            // count samples equal to the running extreme, restarting when it moves: at the end this is the count at the
            // epoch's final max (min), in one pass
            if (v > Max) { Max = v; AtMax = 1; } else if (v == Max) AtMax++;
            if (v < Min) { Min = v; AtMin = 1; } else if (v == Min) AtMin++;
        }
    }

    /// <summary>
    /// The raw checks over an epoch of <paramref name="epochSamples"/> samples: <see cref="LeadProblem.Flat"/> when the
    /// range is under <see cref="QualityOptions.FlatRangeMillivolts"/> (also when no sample was finite),
    /// <see cref="LeadProblem.Saturated"/> when a share <see cref="QualityOptions.SaturationFraction"/> of the epoch sat at its
    /// two extremes together (a lead-off picking up mains hum clips at the top and the bottom in turn).
    /// </summary>
    public readonly LeadProblem Judge(int epochSamples, QualityOptions options)
    {
        double range = (double)Max - Min;
        if (!(range >= options.FlatRangeMillivolts)) return LeadProblem.Flat;
        return AtMax + AtMin >= options.SaturationFraction * epochSamples ? LeadProblem.Saturated : LeadProblem.None;
    }
}
