namespace EcgStream.Training.Evaluation;

/// <summary>One class's decision threshold and what it was chosen on.</summary>
public sealed record ClassThreshold(string Class, double Threshold, double F1, int Positives);

/// <summary>
/// Per-class decision thresholds chosen on a validation set: for each class the probability
/// threshold with the best F1 (the runtime's tracker votes for a class at or above it). A class with
/// no positive in the validation set keeps <see cref="Default"/>; thresholds are kept inside
/// [<see cref="Lowest"/>, <see cref="Highest"/>] so one lucky validation window cannot pin a class on or off.
/// </summary>
public static class Thresholds
{
    public const double Default = 0.5, Lowest = 0.05, Highest = 0.95;

    /// <summary>The rule, in words (written beside chosen thresholds).</summary>
    public const string RuleDescription = "best F1 per class on the validation rows, inside [0.05, 0.95]";

    /// <param name="known">Per row, the classes its label rules on (rows leaving a class unknown do not count for it); empty: all known.</param>
    public static ClassThreshold[] Choose(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> masks, IReadOnlyList<string> classes, ReadOnlySpan<int> known = default)
    {
        int c = classes.Count, n = masks.Length;
        if (probabilities.Length != n * c) throw new ArgumentException($"{probabilities.Length} probabilities for {n} windows × {c} classes");
        var result = new ClassThreshold[c];
        var column = new float[n];
        for (int k = 0; k < c; k++)
        {
            int positives = 0;
            for (int i = 0; i < n; i++)
            {
                column[i] = probabilities[i * c + k];
                if ((masks[i] & (1 << k)) != 0 && (known.IsEmpty || (known[i] & (1 << k)) != 0)) positives++;
            }
            if (positives == 0) { result[k] = new ClassThreshold(classes[k], Default, double.NaN, 0); continue; }
            // Candidates: midpoints between consecutive distinct probabilities, inside the allowed range.
            var sorted = column.Distinct().Order().ToArray();
            double best = Default, bestF1 = Auroc.F1(probabilities, masks, c, k, Default, known);
            for (int j = 0; j + 1 < sorted.Length; j++)
            {
                double t = Math.Clamp(0.5 * (sorted[j] + sorted[j + 1]), Lowest, Highest);
                double f1 = Auroc.F1(probabilities, masks, c, k, t, known);
                if (f1 > bestF1) (best, bestF1) = (t, f1);
            }
            result[k] = new ClassThreshold(classes[k], best, bestF1, positives);
        }
        return result;
    }
}
