namespace EcgStream.Signal.Tests.Support;

/// <summary>Beat-by-beat comparison in the manner of ANSI/AAMI EC57 (bxb): a detection matches a reference
/// beat within the match window; each is used once; nearest pairs first.</summary>
internal readonly record struct BeatScore(int TruePositives, int FalseNegatives, int FalsePositives)
{
    public double Sensitivity => TruePositives / (double)Math.Max(1, TruePositives + FalseNegatives);
    public double PositivePredictivity => TruePositives / (double)Math.Max(1, TruePositives + FalsePositives);
    public static BeatScore operator +(BeatScore a, BeatScore b) =>
        new(a.TruePositives + b.TruePositives, a.FalseNegatives + b.FalseNegatives, a.FalsePositives + b.FalsePositives);
    public override string ToString() =>
        $"TP {TruePositives} FN {FalseNegatives} FP {FalsePositives} Se {Sensitivity:P2} +P {PositivePredictivity:P2}";

    /// <summary>Both lists in seconds, sorted. Beats inside an excluded interval are ignored on both sides.</summary>
    public static BeatScore Compare(IReadOnlyList<double> reference, IReadOnlyList<double> detected, double window,
        double from, double to, IReadOnlyList<(double Start, double End)>? excluded = null)
    {
        bool Counted(double t) => t >= from && t < to && (excluded is null || !excluded.Any(e => t >= e.Start && t < e.End));
        var refs = reference.Where(Counted).ToArray();
        var dets = detected.Where(Counted).ToArray();
        var usedDet = new bool[dets.Length];
        int tp = 0, j = 0;
        foreach (var r in refs)
        {
            while (j < dets.Length && dets[j] < r - window) j++;
            int best = -1;
            double bestDist = double.MaxValue;
            for (int k = j; k < dets.Length && dets[k] <= r + window; k++)
            {
                if (usedDet[k]) continue;
                double dist = Math.Abs(dets[k] - r);
                if (dist < bestDist) { bestDist = dist; best = k; }
            }
            if (best >= 0) { usedDet[best] = true; tp++; }
        }
        return new BeatScore(tp, refs.Length - tp, dets.Length - tp);
    }
}
