using EcgStream.Training.Runs;
using EcgStream.Training.Data;
using EcgStream.Training.Evaluation;
using EcgStream.Training.Heads;
using EcgStream.Training.Model;
using static TorchSharp.torch;

namespace EcgStream.Training.Tests;

public sealed class EvaluationTests
{
    [Fact]
    public void Records_labelled_whole_fold_to_their_median_and_stream_windows_stay_rows()
    {
        const int c = 11;
        int af = 1 << (int)Core.Rhythms.RhythmClass.AF, sr = 1 << (int)Core.Rhythms.RhythmClass.SR;
        var set = new WindowSet();
        var window = new float[WindowSet.WindowValues];
        var lead = Core.Leads.LeadSet.Of(Core.Leads.Lead.I);
        set.Add(window, lead, af, "physionet2017/A1");
        set.Add(window, lead, 0, "mitdb/201", WindowSet.AllKnown);
        set.Add(window, lead, af, "physionet2017/A1");
        set.Add(window, lead, af, "physionet2017/A1");
        set.Add(window, lead, 0, "physionet2017/O1", af | sr);
        var p = new float[set.Count * c];
        float[] afP = [0.9f, 0.2f, 0.1f, 0.7f, 0.3f];
        for (int i = 0; i < set.Count; i++) p[i * c + (int)Core.Rhythms.RhythmClass.AF] = afP[i];
        var (rows, masks, known, units) = RecordLevel.Fold(p, set);
        Assert.Equal(["mitdb/201#1", "physionet2017/A1", "physionet2017/O1"], units);
        Assert.Equal(0.7f, rows[1 * c + (int)Core.Rhythms.RhythmClass.AF]);   // median of 0.9, 0.1, 0.7
        Assert.Equal(af, masks[1]);
        Assert.Equal(af | sr, known[2]);
    }

    [Fact]
    public void Thresholds_and_f1_leave_out_rows_whose_label_does_not_rule_on_the_class()
    {
        // Two classes; row 2 is a positive for class 0 only as far as we know: class 1 unknown there.
        float[] p = [0.9f, 0.8f, 0.2f, 0.1f, 0.6f, 0.95f];
        int[] masks = [1, 0, 1];
        int[] known = [3, 3, 1];
        // Class 1 has no positive: with row 2 counted its 0.95 would be a false positive at any threshold below it.
        Assert.Equal(0.0, Auroc.F1(p, masks, 2, 0, 0.95, known));
        Assert.Equal(1.0, Auroc.F1(p, masks, 2, 0, 0.5, known));
        Assert.Equal(0.0, Auroc.F1(p, [2, 0, 1], 2, 1, 0.99, known));          // row 0 missed
        Assert.Equal(1.0, Auroc.F1(p, [2, 0, 1], 2, 1, 0.5, known));          // row 0 (0.8) positive; row 2's 0.95 not counted
        Assert.Equal(2.0 / 3, Auroc.F1(p, [2, 0, 1], 2, 1, 0.5), 12);          // without masks it would be a false positive
        var t = Thresholds.Choose(p, [2, 0, 1], ["A", "B"], known);
        Assert.Equal(1.0, t[1].F1);
        Assert.Equal(1, t[1].Positives);
    }

    [Fact]
    public void AurocCountsPairsWithTiesAsHalves()
    {
        // Positives 0.8, 0.4; negatives 0.4, 0.1: pairs (0.8>0.4) (0.8>0.1) (0.4=0.4 → ½) (0.4>0.1) = 3.5 / 4.
        Assert.Equal(0.875, Auroc.Compute([0.8f, 0.4f, 0.4f, 0.1f], [true, true, false, false]), 12);
        Assert.Equal(1.0, Auroc.Compute([0.9f, 0.1f], [true, false]));
        Assert.Equal(0.0, Auroc.Compute([0.1f, 0.9f], [true, false]));
        Assert.True(double.IsNaN(Auroc.Compute([0.1f, 0.9f], [true, true])));
    }

    [Fact]
    public void MacroAurocSkipsClassesWithoutBothLabelsAndF1CountsErrors()
    {
        // Two classes; class 1 has no positive so only class 0 counts.
        float[] scores = [0.9f, 0.2f, 0.1f, 0.3f, 0.6f, 0.4f];
        int[] masks = [1, 0, 1];
        var (perClass, macro) = Auroc.MultiLabel(scores, masks, 2);
        // Class 0 scores: 0.9 (positive), 0.1 (negative), 0.6 (positive): both positives above → 1.
        Assert.Equal(1.0, perClass[0], 12);
        Assert.True(double.IsNaN(perClass[1]));
        Assert.Equal(perClass[0], macro);
        // F1 of class 0 at 0.5: predicted {0, 2}, actual {0, 2} → 1.
        Assert.Equal(1.0, Auroc.F1(scores, masks, 2, 0));
        Assert.Equal(0.0, Auroc.F1([0.9f, 0.1f], [0, 1], 1, 0));   // one false positive, one missed positive
    }

    [Fact]
    public void SvgPlotHasOnePointPerFiniteValueAndEscapesText()
    {
        var svg = SvgLinePlot.Render("AUROC <per layer>", "layer", "macro AUROC", [0, 1, 2, 3], [0.7, 0.8, double.NaN, 0.75]);
        Assert.StartsWith("<svg", svg);
        Assert.Equal(3, svg.Split("<circle").Length - 1);
        Assert.Contains("AUROC &lt;per layer&gt;", svg);
        Assert.Throws<ArgumentException>(() => SvgLinePlot.Render("t", "x", "y", [1], []));
    }

    [Fact]
    public void LongSeriesAreThinnedWithFewTicksAndSeveralSeriesGetALegend()
    {
        var x = Enumerable.Range(0, 4000).Select(i => (double)i).ToList();
        var y = x.Select(v => 1.0 / (1 + v)).ToList();
        var svg = SvgLinePlot.Render("loss", "step", "loss", [new PlotSeries("loss per step", x, y), new PlotSeries("mean of 50", x, RunReport.MovingMean(y, 50))]);
        Assert.Equal(0, svg.Split("<circle").Length - 1);                       // no markers on long series
        Assert.Equal(2, svg.Split("<polyline").Length - 1);
        var firstLine = svg.Split("<polyline")[1];
        Assert.Equal(SvgLinePlot.MaxPointsPerSeries, firstLine[(firstLine.IndexOf("points=\"", StringComparison.Ordinal) + 8)..firstLine.IndexOf("\"/>", StringComparison.Ordinal)].Split(' ').Length);
        Assert.Contains(">mean of 50</text>", svg);
        Assert.True(svg.Split("text-anchor=\"middle\">").Length < 12, "at most a handful of x ticks");
    }

    [Fact]
    public void ThresholdsTakeEachClassesBestValidationF1AndKeepTheDefaultWithoutPositives()
    {
        // Two classes, four windows. Class 0: positives score 0.3 and 0.4, negatives 0.1 and 0.2 → any
        // threshold in (0.2, 0.3] separates them (F1 1); the midpoint 0.25 is chosen. Class 1 has no positive.
        float[] p = [0.3f, 0.9f, 0.4f, 0.8f, 0.1f, 0.7f, 0.2f, 0.6f];
        int[] masks = [1, 1, 0, 0];
        var t = Thresholds.Choose(p, masks, ["A", "B"]);
        Assert.Equal(0.25, t[0].Threshold, 6);
        Assert.Equal(1.0, t[0].F1);
        Assert.Equal(2, t[0].Positives);
        Assert.Equal(Thresholds.Default, t[1].Threshold);
        Assert.Equal(0, t[1].Positives);
        // Never outside [0.05, 0.95]: the perfect cut 0.025 lies lower, so 0.05 it is (F1 2/3, better than 0.5's 0).
        var low = Thresholds.Choose([0.3f, 0.04f, 0.01f], [1, 1, 0], ["A"]);
        Assert.Equal(Thresholds.Lowest, low[0].Threshold);
        Assert.Equal(2.0 / 3, low[0].F1, 9);
    }

    [Fact]
    public void MovingMeanAveragesTheLastValuesAndHtmlIsEscaped()
    {
        Assert.Equal([1.0, 1.5, 2.5, 3.5], RunReport.MovingMean([1, 2, 3, 4], 2));
        var html = new HtmlReport("a <b>").Table(["k"], [["x & y"]]).Render();
        Assert.Contains("<title>a &lt;b&gt;</title>", html);
        Assert.Contains("<td>x &amp; y</td>", html);
        Assert.Throws<ArgumentException>(() => new HtmlReport("t").Table(["a", "b"], [["1"]]));
        Assert.Throws<ArgumentException>(() => new HtmlReport("t").Svg("<script>"));
    }

    [TorchFact]
    public void EveryLayerGetsAProbeScoredOnHeldOutWindows()
    {
        manual_seed(51);
        using var encoder = new StMemEncoder(EncoderConfig.Tiny());
        var data = SyntheticData.Small;
        var half = Enumerable.Range(0, data.Count).Select(data.RecordId).Distinct().ToList();
        var train = data.Subset(half.Take(4).ToHashSet());
        var heldOut = data.Subset(half.Skip(4).ToHashSet());
        var scores = LayerAnalysis.ProbeEveryLayer(encoder, train, heldOut, new HeadTrainOptions { Steps = 20, BatchSize = 8, LearningRate = 1e-2, WarmupSteps = 2 });
        Assert.Equal([0, 1, 2, 3], scores.Select(s => s.Layer));
        Assert.All(scores, s => Assert.True(double.IsNaN(s.MacroAuroc) || s.MacroAuroc is >= 0 and <= 1));
        Assert.All(scores, s => Assert.Equal(Core.Rhythms.RhythmClasses.Count, s.PerClassAuroc.Length));
    }
}
