using EcgStream.Signal.Windowing;
using EcgStream.Training.Data;

namespace EcgStream.Training.Distillation;

/// <summary>
/// More windows for the teacher to teach where the train split has few: perturbed copies of the windows with at least
/// <c>minLeads</c> leads (12-lead records are a few hundred of the ~17 000 train windows, and every student deficit on
/// test was on them). A student matches its teacher best when it sees the teacher's answer on many inputs near the data,
/// not only on the data (Beyer et al., "Knowledge distillation: a good teacher is patient and consistent", 2022); the
/// teacher labels each copy itself (<see cref="SoftTargets"/> runs it on every window), so a copy needs no label of its own.
/// <para>
/// A copy of window <c>w</c> is <c>λ·w + (1 − λ)·p + σ·n</c>, standardised again per present lead as the contract's
/// windows are: <c>p</c> another window of the same lead set and split (drawn at random), λ ∈ [<see cref="MinOwnShare"/>, 1],
/// <c>n</c> white Gaussian noise with σ ∈ [0, <see cref="MaxNoise"/>] (in the standardised window's units). Copies keep
/// their window's record id (a record stays in one split), lead set and rhythm features (the RR context is the original's),
/// and carry no label (known mask 0): only the teacher's term trains on them, never the hard labels a mix would blur.
/// </para>
/// Copies are a function of (set, seed): a resumed run sees the same windows.
/// </summary>
public static class TeacherTaughtCopies
{
    /// <summary>The least share of a copy that is its own window (the rest is the partner's).</summary>
    public const double MinOwnShare = 0.7;
    /// <summary>The most noise added, in standard deviations of the standardised window.</summary>
    public const double MaxNoise = 0.2;

    /// <summary>
    /// Appends <paramref name="copies"/> copies of every window of <paramref name="set"/> with at least
    /// <paramref name="minLeads"/> leads; returns the number appended. (`train distill` calls it on the real windows,
    /// before the synthetic ones join.) Draws with <see cref="Random"/>, not the generator of EcgStream.Synthetic: the
    /// shipped student's copies were drawn with it, and `train distill --teacher-copies 8` must give them again.
    /// </summary>
    public static int Append(WindowSet set, int copies, int minLeads, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentOutOfRangeException.ThrowIfNegative(copies);
        if (minLeads is < 1 or > Core.Models.ModelContract.LeadCount) throw new ArgumentOutOfRangeException(nameof(minLeads), minLeads, "a lead count within 1…12");
        if (copies == 0) return 0;
        var originals = set.IndicesByLeadSet()
            .Select(bucket => bucket.Where(i => set.Leads(i).Count >= minLeads).ToArray())
            .Where(bucket => bucket.Length > 0)
            .ToList();
        var random = new Random(unchecked((int)(seed ^ (seed >> 32)) ^ 0x7EAC4));
        var own = new float[WindowSet.WindowValues];
        var copy = new float[WindowSet.WindowValues];
        var rhythm = new float[Signal.Rhythms.RhythmFeatures.Count];
        int added = 0;
        foreach (var bucket in originals)
            foreach (int i in bucket)
            {
                set.CopyEcg(i, own);
                var leads = set.Leads(i);
                set.Rhythm(i).CopyTo(rhythm);     // copied: Add grows the list the span lies over
                for (int c = 0; c < copies; c++)
                {
                    set.CopyEcg(bucket[random.Next(bucket.Length)], copy);       // the partner, mixed in place
                    float share = (float)(MinOwnShare + (1 - MinOwnShare) * random.NextDouble());
                    float noise = (float)(MaxNoise * random.NextDouble());
                    for (int k = 0; k < copy.Length; k++)
                        copy[k] = share * own[k] + (1 - share) * copy[k] + noise * Gaussian(random);
                    WindowStandardiser.Standardise(copy, Core.Models.ModelContract.WindowSamples, leads);
                    set.Add(copy, leads, classMask: 0, set.RecordId(i), knownMask: 0, rhythm);
                    added++;
                }
            }
        return added;
    }

    private static float Gaussian(Random random)
    {
        double u = 1 - random.NextDouble();       // (0, 1]: log is finite
        return (float)(Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble()));
    }
}
