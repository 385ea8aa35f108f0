using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;

namespace EcgStream.Inference.Records;

/// <summary>
/// What a record head reads of a whole record (layout <see cref="Version"/>): how the model's window probabilities
/// spread over the record and the RR features of the record's beats. The median alone, which `classify` used before
/// record heads, drops both the spread (one AF-looking window among three) and the record's own RR irregularity.
/// <para>
/// Order: for each class-set-v1 class the median, mean, maximum and minimum over the windows of logit(p), p clipped to
/// [1e-4, 1 − 1e-4] (44; 0 for a class the model does not score) · the last window's rhythm features (14: the beats of
/// the last 60 s, for most records all of them) · the maximum over windows of each rhythm feature (14) · ln(windows) ·
/// leads / 12. Every feature is finite.
/// </para>
/// </summary>
public static class RecordFeatures
{
    public const string Version = "record-v1";
    private const int PerClass = 4;
    private const int Rhythm = ModelContract.RhythmFeatureCount;
    public const int Count = RhythmClasses.Count * PerClass + 2 * Rhythm + 2;
    private const float Clip = 1e-4f;

    /// <summary>Index of class <paramref name="c"/>'s median logit.</summary>
    public static int MedianLogit(int c) => c * PerClass;

    /// <summary>Names in feature order, for reports.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        .. RhythmClasses.Names.SelectMany(c => new[] { $"{c} median", $"{c} mean", $"{c} max", $"{c} min" }),
        .. Enumerable.Range(0, Rhythm).Select(i => $"rr{i} last"),
        .. Enumerable.Range(0, Rhythm).Select(i => $"rr{i} max"),
        "ln windows", "leads / 12",
    ];

    /// <param name="probabilities">Per window, the probabilities in class-set-v1 order (NaN: not scored).</param>
    /// <param name="rhythm">Per window, its <see cref="Rhythm"/> rhythm features, row after row, or empty (a v1 model: 0).</param>
    /// <param name="leads">How many leads the record has.</param>
    public static float[] Compute(IReadOnlyList<float[]> probabilities, ReadOnlySpan<float> rhythm, int leads)
    {
        int n = probabilities.Count;
        if (n == 0) throw new ArgumentException("no windows", nameof(probabilities));
        if (!rhythm.IsEmpty && rhythm.Length != n * Rhythm)
            throw new ArgumentException($"{rhythm.Length} rhythm values for {n} windows × {Rhythm}", nameof(rhythm));
        var features = new float[Count];
        var column = new float[n];
        for (int c = 0; c < RhythmClasses.Count; c++)
        {
            bool scored = true;
            for (int w = 0; w < n; w++)
            {
                float p = probabilities[w][c];
                if (!float.IsFinite(p)) { scored = false; break; }
                p = Math.Clamp(p, Clip, 1 - Clip);
                column[w] = MathF.Log(p / (1 - p));
            }
            if (!scored) continue;
            Array.Sort(column);
            float sum = 0;
            foreach (var v in column) sum += v;
            int at = c * PerClass;
            features[at] = n % 2 == 1 ? column[n / 2] : 0.5f * (column[n / 2 - 1] + column[n / 2]);
            features[at + 1] = sum / n;
            features[at + 2] = column[n - 1];
            features[at + 3] = column[0];
        }
        int rr = RhythmClasses.Count * PerClass;
        if (!rhythm.IsEmpty)
        {
            rhythm.Slice((n - 1) * Rhythm, Rhythm).CopyTo(features.AsSpan(rr, Rhythm));
            for (int i = 0; i < Rhythm; i++)
            {
                float max = rhythm[i];
                for (int w = 1; w < n; w++) max = Math.Max(max, rhythm[w * Rhythm + i]);
                features[rr + Rhythm + i] = max;
            }
        }
        for (int i = rr; i < rr + 2 * Rhythm; i++)
            if (!float.IsFinite(features[i])) features[i] = 0;
        features[Count - 2] = MathF.Log(n);
        features[Count - 1] = leads / (float)ModelContract.LeadCount;
        return features;
    }
}
