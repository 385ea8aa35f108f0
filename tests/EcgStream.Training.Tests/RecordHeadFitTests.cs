using EcgStream.Core.Rhythms;
using EcgStream.Inference.Records;
using EcgStream.Training.Records;
using FsCheck;
using FsCheck.Fluent;

namespace EcgStream.Training.Tests;

/// <summary>The record head's logistic regression against a reference, and how a head is fitted and chosen per class.</summary>
public class RecordHeadFitTests
{
    private static readonly float[][] Tiny = [[0, 1], [1, 0], [2, 1], [3, 3], [4, 2], [5, 5], [1, 2], [3, 0]];
    private static readonly bool[] TinyLabels = [false, false, false, true, true, true, true, false];

    [Theory]
    // Reference: the same objective (Σ log-loss + λ/2 ‖w‖² on standardised features, bias free) solved by NumPy's Newton steps.
    [InlineData(1.0, 0.30985658, 0.74926308, -1.8855538353391224)]
    [InlineData(0.1, 0.46485335, 2.25481596, -4.248803315192118)]
    public void Logistic_fit_matches_a_numpy_reference(double lambda, double w0, double w1, double bias)
    {
        var (w, b) = LogisticRegression.Fit(Tiny, TinyLabels, lambda);

        Assert.Equal(w0, w[0], 4);
        Assert.Equal(w1, w[1], 4);
        Assert.Equal(bias, b, 4);
    }

    [Fact]
    public void A_constant_feature_gets_no_weight_and_a_huge_penalty_leaves_the_base_rate()
    {
        var rows = Tiny.Select(r => new[] { r[0], 7f, r[1] }).ToArray();

        var (w, b) = LogisticRegression.Fit(rows, TinyLabels, 1.0);
        Assert.Equal(0, w[1]);
        var (w2, b2) = LogisticRegression.Fit(Tiny, TinyLabels, 1.0);
        Assert.Equal(w2[0], w[0], 5);
        Assert.Equal(b2, b, 5);

        var (wide, bWide) = LogisticRegression.Fit(Tiny, TinyLabels, 1e9);
        Assert.All(wide, v => Assert.True(Math.Abs(v) < 1e-6));
        Assert.Equal(0, bWide, 4);      // 4 of 8 positive: logit(0.5)
    }

    [Fact]
    public void Separable_rows_give_finite_weights_that_separate_them()
    {
        float[][] rows = [[0], [1], [2], [3], [10], [11], [12], [13]];
        bool[] labels = [false, false, false, false, true, true, true, true];

        var (w, b) = LogisticRegression.Fit(rows, labels, 0.1);

        Assert.True(float.IsFinite(w[0]) && float.IsFinite(b));
        for (int i = 0; i < rows.Length; i++) Assert.Equal(labels[i], LogisticRegression.Probability(rows[i], w, b) > 0.5);
    }

    [Fact]
    public void Fit_refuses_what_it_cannot_fit()
    {
        Assert.Contains("no rows", Assert.Throws<ArgumentException>(() => LogisticRegression.Fit([], [], 1)).Message);
        Assert.Contains("7 labels for 8 rows", Assert.Throws<ArgumentException>(() => LogisticRegression.Fit(Tiny, TinyLabels[..7], 1)).Message);
        Assert.Contains("rows of 1 and 2 features", Assert.Throws<ArgumentException>(() => LogisticRegression.Fit([.. Tiny, [1f]], [.. TinyLabels, true], 1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LogisticRegression.Fit(Tiny, TinyLabels, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LogisticRegression.Fit(Tiny, TinyLabels, 0));
    }

    /// <summary>Rows drawn from a known logistic model: with many of them the fit finds its weights.</summary>
    [Fact]
    public void Fit_recovers_the_weights_rows_were_drawn_with()
    {
        Prop.ForAll(Gen.Choose(1, 1_000_000).ToArbitrary(), seed =>
        {
            var rng = new Random(seed);
            double[] truth = [1.5, -2, 0];
            double trueBias = -0.5;
            var rows = new List<float[]>();
            var labels = new List<bool>();
            for (int i = 0; i < 4000; i++)
            {
                var x = new[] { (float)(rng.NextDouble() * 4 - 2), (float)(rng.NextDouble() * 2), (float)(rng.NextDouble() * 10) };
                double z = trueBias + truth[0] * x[0] + truth[1] * x[1] + truth[2] * x[2];
                rows.Add(x);
                labels.Add(rng.NextDouble() < 1 / (1 + Math.Exp(-z)));
            }
            var (w, b) = LogisticRegression.Fit(rows, labels, 0.01);
            return Math.Abs(w[0] - truth[0]) < 0.3 && Math.Abs(w[1] - truth[1]) < 0.4 && Math.Abs(w[2]) < 0.08 && Math.Abs(b - trueBias) < 0.5;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(8));
    }

    /// <summary>
    /// Rows whose AF label follows the last window's rhythm feature 3 (an RR irregularity the median does not see)
    /// while the AF median is noise: the head beats the median on validation and is used. SR's train labels follow
    /// feature 4 while its validation labels follow the median (the head learns what does not hold on validation):
    /// the median wins and SR keeps it. Too few NOISE records are labelled, and VF is a class the model does not score.
    /// The median is what `classify` falls back to, so it is judged at the model's threshold, not at its own best one.
    /// </summary>
    [Fact]
    public void A_class_gets_a_head_only_where_it_beats_the_median_at_the_models_threshold_on_validation()
    {
        var rng = new Random(11);
        List<RecordRow> Rows(int n, string part)
        {
            var rows = new List<RecordRow>();
            for (int i = 0; i < n; i++)
            {
                bool af = rng.NextDouble() < 0.3, sr = !af && rng.NextDouble() < 0.6, noise = i % 50 == 0;
                var x = new float[RecordFeatures.Count];
                var median = new float[RhythmClasses.Count];
                median[(int)RhythmClass.AF] = (float)rng.NextDouble();
                x[RecordFeatures.MedianLogit((int)RhythmClass.AF)] = (float)Math.Log(median[(int)RhythmClass.AF] / (1 - median[(int)RhythmClass.AF]));
                bool srFeature = part == "t" ? sr : rng.NextDouble() < 0.5;     // on validation, feature 4 says nothing about SR
                bool srMedian = part == "v" ? sr : rng.NextDouble() < 0.5;      // on train, the median says nothing about SR
                median[(int)RhythmClass.SR] = srMedian ? 0.9f : 0.1f;
                x[RecordFeatures.MedianLogit((int)RhythmClass.SR)] = srMedian ? 2.2f : -2.2f;
                x[RhythmClasses.Count * 4 + 3] = (float)((af ? 1 : 0) + 0.3 * rng.NextDouble());
                x[RhythmClasses.Count * 4 + 4] = (float)((srFeature ? 1 : 0) + 0.3 * rng.NextDouble());
                int mask = (af ? 1 << (int)RhythmClass.AF : 0) | (sr ? 1 << (int)RhythmClass.SR : 0) | (noise ? 1 << (int)RhythmClass.NOISE : 0) | (af ? 1 << (int)RhythmClass.VF : 0);
                int known = (1 << (int)RhythmClass.AF) | (1 << (int)RhythmClass.SR) | (1 << (int)RhythmClass.VF) | (i % 10 == 0 ? 1 << (int)RhythmClass.NOISE : 0);
                rows.Add(new RecordRow("test", $"{part}{i}", 1 + i % 4, x, median, mask, known));
            }
            return rows;
        }
        var thresholds = Enumerable.Repeat(0.5, RhythmClasses.Count).ToArray();
        thresholds[(int)RhythmClass.VF] = double.NaN;       // the model does not score VF

        var train = Rows(600, "t");
        var validation = Rows(200, "v");
        var (head, report) = RecordHeadFit.Fit(train, validation, thresholds, decidedElsewhere: [RhythmClass.STACH]);

        var af = report.Single(r => r.Class == "AF");
        Assert.True(af.Used);
        Assert.True(af.HeadF1 > 0.95 && af.MedianF1 < 0.6, $"AF F1 head {af.HeadF1}, median {af.MedianF1}");
        Assert.Contains(af.Lambda!.Value, RecordHeadFit.Lambdas);
        var sr = report.Single(r => r.Class == "SR");
        Assert.Equal(1.0, sr.MedianF1);
        Assert.False(sr.Used, $"SR head F1 {sr.HeadF1} against the median's {sr.MedianF1}");
        Assert.Equal("validation F1 below the median's at the model's threshold", sr.Reason);
        Assert.Equal("fewer than 20 train records on one side", report.Single(r => r.Class == "NOISE").Reason);
        Assert.Equal("the model does not score it", report.Single(r => r.Class == "VF").Reason);
        Assert.Equal("decided by the record's heart rate", report.Single(r => r.Class == "STACH").Reason);
        Assert.Equal([RhythmClass.AF], head.Classes.Select(c => c.Class));
        Assert.Equal(report.Where(r => r.Used).Select(r => r.Class), head.Classes.Select(c => RhythmClasses.Name(c.Class)));
        Assert.Equal(RhythmClasses.Count, report.Count);
        Assert.Equal(4, head.MaxWindows);      // the longest train record

        // With a model threshold above every SR median (0.95 against 0.9), the fallback decides no record SR (F1 0),
        // though the median at its own best threshold would be perfect: the head, better than the fallback, is used.
        thresholds[(int)RhythmClass.SR] = 0.95;
        var (strict, strictReport) = RecordHeadFit.Fit(train, validation, thresholds, decidedElsewhere: [RhythmClass.STACH]);
        var srStrict = strictReport.Single(r => r.Class == "SR");
        Assert.Equal(0.0, srStrict.MedianF1);
        Assert.Equal(1.0, srStrict.MedianBestF1);
        Assert.True(srStrict.Used, $"SR head F1 {srStrict.HeadF1} against the fallback's {srStrict.MedianF1}");
        Assert.Equal("validation F1 at least the median's at the model's threshold", srStrict.Reason);
        Assert.Equal([RhythmClass.SR, RhythmClass.AF], strict.Classes.Select(c => c.Class));
    }
}
