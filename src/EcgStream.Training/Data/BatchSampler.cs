namespace EcgStream.Training.Data;

/// <summary>
/// Which windows a training step reads: a function of (seed, step) only, so a resumed run draws
/// exactly the batches the uninterrupted run would have.
/// </summary>
public static class BatchSampler
{
    /// <summary>Fills <paramref name="into"/> with window indices in [0, <paramref name="count"/>), drawn with replacement.</summary>
    public static void Draw(int count, ulong seed, long step, Span<int> into)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ulong state = StepSeed(seed, step);
        for (int i = 0; i < into.Length; i++) into[i] = (int)(SplitMix64(ref state) % (ulong)count);
    }

    /// <summary>
    /// Fills <paramref name="into"/> with indices from one bucket: the bucket drawn with probability
    /// proportional to its size, then windows uniformly from it, so each window is as likely as with
    /// <see cref="Draw"/> while a batch shares one lead set (see <see cref="WindowSet.CompactBatch"/>).
    /// </summary>
    /// <param name="flattening">0: buckets by size (every window equally likely); 1: every non-empty bucket equally
    /// likely (each lead set gets the same share of steps); between: a bucket's weight is its size^(1 − flattening).</param>
    public static void DrawFromBuckets(IReadOnlyList<int[]> buckets, ulong seed, long step, Span<int> into, double flattening = 0)
    {
        long total = Total(buckets, flattening);
        ulong state = StepSeed(seed, step);
        var members = buckets[PickBucket(buckets, total, flattening, ref state, out _)];   // one bucket draws exactly as Draw over its members
        for (int i = 0; i < into.Length; i++) into[i] = members[(int)(SplitMix64(ref state) % (ulong)members.Length)];
    }

    /// <summary>A bucket drawn with probability proportional to size^<paramref name="exponent"/> (empty buckets never).</summary>
    private static int WeightedBucket(IReadOnlyList<int[]> buckets, double exponent, ref ulong state)
    {
        double sum = 0;
        foreach (var bucket in buckets) sum += bucket.Length == 0 ? 0 : Math.Pow(bucket.Length, exponent);
        double pick = (SplitMix64(ref state) >> 11) * (1.0 / (1UL << 53)) * sum;   // uniform in [0, sum)
        int last = 0;
        for (int b = 0; b < buckets.Count; b++)
        {
            if (buckets[b].Length == 0) continue;
            last = b;
            pick -= Math.Pow(buckets[b].Length, exponent);
            if (pick < 0) return b;
        }
        return last;   // rounding at the top end
    }

    /// <summary>
    /// Fills <paramref name="into"/> with indices drawn window by window: for each, a bucket by the same weights as
    /// <see cref="DrawFromBuckets"/>, then a window uniformly from it. A batch then mixes lead sets as the data does
    /// (with flattening 0 every window is equally likely, as with <see cref="Draw"/>); the encoder runs once per lead
    /// set in it (<see cref="LeadSetBatch"/>). Heads and students learn from these: batches of one lead set at a time
    /// pull a head's biases towards one source per step, and a head trained on them lost 0.13 validation AF F1.
    /// </summary>
    public static void DrawMixed(IReadOnlyList<int[]> buckets, ulong seed, long step, Span<int> into, double flattening = 0)
    {
        long total = Total(buckets, flattening);
        ulong state = StepSeed(seed, step);
        for (int i = 0; i < into.Length; i++)
        {
            var members = buckets[PickBucket(buckets, total, flattening, ref state, out long within)];
            into[i] = within >= 0 ? members[within] : members[(int)(SplitMix64(ref state) % (ulong)members.Length)];
        }
    }

    /// <summary>The number of windows in the buckets, after checking the arguments.</summary>
    private static long Total(IReadOnlyList<int[]> buckets, double flattening)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        if (!(flattening is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(flattening), flattening, "lead-set flattening must be within 0…1");
        long total = 0;
        foreach (var bucket in buckets) total += bucket.Length;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(total);
        return total;
    }

    /// <summary>
    /// A bucket: with flattening 0 by size, through a window drawn uniformly over all of them (<paramref name="within"/>:
    /// its position in the bucket); otherwise by weight size^(1 − flattening) (<paramref name="within"/> −1). A single
    /// bucket is taken without a draw.
    /// </summary>
    private static int PickBucket(IReadOnlyList<int[]> buckets, long total, double flattening, ref ulong state, out long within)
    {
        within = -1;
        if (buckets.Count <= 1) return 0;
        if (flattening > 0) return WeightedBucket(buckets, 1 - flattening, ref state);
        long pick = (long)(SplitMix64(ref state) % (ulong)total);
        int chosen = 0;
        while (pick >= buckets[chosen].Length) pick -= buckets[chosen++].Length;
        within = pick;
        return chosen;
    }

    /// <summary>A well-mixed 64-bit seed for one step (also seeds libtorch's generator for that step's masking).</summary>
    public static ulong StepSeed(ulong seed, long step)
    {
        ulong state = seed ^ (0x9E3779B97F4A7C15UL * (ulong)(step + 1));
        return SplitMix64(ref state);
    }

    private static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
