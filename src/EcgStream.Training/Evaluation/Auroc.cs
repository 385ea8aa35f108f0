namespace EcgStream.Training.Evaluation;

/// <summary>Area under the ROC curve and related multi-label scores.</summary>
public static class Auroc
{
    /// <summary>
    /// AUROC of <paramref name="scores"/> for binary <paramref name="labels"/>: the probability that a
    /// random positive scores above a random negative, ties counting one half (Mann–Whitney U with
    /// mid-ranks). NaN when either class is absent.
    /// </summary>
    public static double Compute(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels)
    {
        if (scores.Length != labels.Length) throw new ArgumentException($"{scores.Length} scores for {labels.Length} labels");
        int n = scores.Length;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var s = scores.ToArray();
        Array.Sort(order, (a, b) => s[a].CompareTo(s[b]));
        double positiveRankSum = 0;
        long positives = 0;
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && s[order[j + 1]] == s[order[i]]) j++;
            double midRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++)
                if (labels[order[k]]) { positiveRankSum += midRank; positives++; }
            i = j + 1;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>
    /// Per-class AUROC of row-major [n, classes] scores against a class bit mask per sample; the macro
    /// average is over the classes that have both positives and negatives (NaN when none has).
    /// </summary>
    /// <param name="known">Per sample, the classes its label rules on; a class's AUROC reads only the samples that rule on it. Empty: all known.</param>
    public static (double[] PerClass, double Macro) MultiLabel(ReadOnlySpan<float> scores, ReadOnlySpan<int> masks, int classes, ReadOnlySpan<int> known = default)
    {
        int n = masks.Length;
        if (scores.Length != n * classes) throw new ArgumentException($"{scores.Length} scores for {n} samples × {classes} classes");
        if (!known.IsEmpty && known.Length != n) throw new ArgumentException($"{known.Length} known masks for {n} samples");
        var perClass = new double[classes];
        var column = new float[n];
        var labels = new bool[n];
        double sum = 0;
        int counted = 0;
        for (int c = 0; c < classes; c++)
        {
            int m = 0;
            for (int i = 0; i < n; i++)
            {
                if (!known.IsEmpty && (known[i] & (1 << c)) == 0) continue;
                column[m] = scores[i * classes + c];
                labels[m++] = (masks[i] & (1 << c)) != 0;
            }
            perClass[c] = Compute(column.AsSpan(0, m), labels.AsSpan(0, m));
            if (!double.IsNaN(perClass[c])) { sum += perClass[c]; counted++; }
        }
        return (perClass, counted == 0 ? double.NaN : sum / counted);
    }

    /// <summary>F1 of one class at <paramref name="threshold"/> on probabilities (NaN when there are no positives and no predictions).</summary>
    /// <param name="known">Per sample, the classes its label rules on; a sample whose label leaves the class unknown is not counted. Empty: all known.</param>
    public static double F1(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> masks, int classes, int classIndex, double threshold = 0.5, ReadOnlySpan<int> known = default)
    {
        long tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < masks.Length; i++)
        {
            if (!known.IsEmpty && (known[i] & (1 << classIndex)) == 0) continue;
            bool predicted = probabilities[i * classes + classIndex] >= threshold, actual = (masks[i] & (1 << classIndex)) != 0;
            if (predicted && actual) tp++;
            else if (predicted) fp++;
            else if (actual) fn++;
        }
        return tp + fp + fn == 0 ? double.NaN : 2.0 * tp / (2.0 * tp + fp + fn);
    }
}
