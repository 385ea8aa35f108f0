namespace EcgStream.Signal.Rhythms;

/// <summary>
/// A whole record's heart rate from its beats, read as the stream's rules read a rate: 60 / the median RR interval. Only
/// intervals the signal vouches for count: none longer than the rules' pause limit (<see cref="RuleOptions.PauseSeconds"/>:
/// a pause or missed beats, not a rate) and none touching a stretch no lead could be read in (lead-off, noise, a gap),
/// where the detector's "beats" are noise peaks; the rules give no rate opinion there either. When the intervals left
/// cover less than <see cref="MinimumCoverage"/> of the record, or fewer than two are left, the record has no rate (NaN).
/// </summary>
public static class RecordHeartRate
{
    /// <summary>Share of the record the counted intervals must span for its rate to stand for the record.</summary>
    public const double MinimumCoverage = 0.5;

    /// <param name="rPeaks">The beats' R peaks, in order (samples at <paramref name="sampleRate"/>).</param>
    /// <param name="unreadable">Stretches no lead could be read in (start inclusive, end exclusive), in the same samples, in order.</param>
    /// <param name="recordSamples">The record's length in those samples.</param>
    public static double Bpm(IReadOnlyList<long> rPeaks, IReadOnlyList<(long Start, long End)> unreadable, long recordSamples, double sampleRate, double pauseSeconds)
    {
        ArgumentNullException.ThrowIfNull(rPeaks);
        ArgumentNullException.ThrowIfNull(unreadable);
        if (!(sampleRate > 0)) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "must be above 0");
        var kept = new List<double>();
        double covered = 0;
        int span = 0;   // beats and stretches both run forward in time: one walk over each (a day-long Holter record stays linear)
        for (int i = 1; i < rPeaks.Count; i++)
        {
            long a = rPeaks[i - 1], b = rPeaks[i];
            while (span < unreadable.Count && unreadable[span].End <= a) span++;
            bool touches = span < unreadable.Count && unreadable[span].Start <= b;
            double rr = (b - a) / sampleRate;
            if (!(rr > 0) || rr > pauseSeconds || touches) continue;
            kept.Add(rr);
            covered += rr;
        }
        if (kept.Count < 2 || covered < MinimumCoverage * recordSamples / sampleRate) return double.NaN;
        kept.Sort();
        int n = kept.Count;
        double median = n % 2 == 1 ? kept[n / 2] : 0.5 * (kept[n / 2 - 1] + kept[n / 2]);
        return 60 / median;
    }
}
