using EcgStream.Core.Leads;
using EcgStream.Core.Rhythms;
using EcgStream.Training.Data;
using EcgStream.Training.Evaluation;

namespace EcgStream.Training.Tests;

/// <summary>
/// Held-out scores as classify reads them: a record labelled as a whole is the median of its windows, an annotated stream
/// stays window by window, a class is read only where the label rules on it; per source and over all.
/// </summary>
public sealed class RecordScoresTests
{
    [Fact]
    public void Records_fold_to_medians_streams_stay_windows_and_unknown_labels_are_left_out()
    {
        int af = 1 << (int)RhythmClass.AF, sr = 1 << (int)RhythmClass.SR;
        var set = new WindowSet();
        var window = new float[WindowSet.WindowValues];
        // physionet2017/1: AF, three windows (AF 0.9, 0.1, 0.8 → median 0.8); physionet2017/2: SR (AF 0.3);
        // physionet2017/3: its label rules on AF only (not AF), and its SR score 0.95 must not count as an SR negative;
        // mitdb/4: an annotated stream, an SR window (AF 0.2) and an AF window (AF 0.6): two rows.
        (string Record, int Mask, int Known, float Af, float Sr)[] rows =
        [
            ("physionet2017/1", af, WindowSet.AllKnown, 0.9f, 0.1f), ("physionet2017/1", af, WindowSet.AllKnown, 0.1f, 0.9f),
            ("physionet2017/1", af, WindowSet.AllKnown, 0.8f, 0.2f), ("physionet2017/2", sr, WindowSet.AllKnown, 0.3f, 0.7f),
            ("physionet2017/3", 0, af, 0.2f, 0.95f), ("mitdb/4", sr, WindowSet.AllKnown, 0.2f, 0.8f), ("mitdb/4", af, WindowSet.AllKnown, 0.6f, 0.4f),
        ];
        var probabilities = new float[rows.Length * RhythmClasses.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            set.Add(window, LeadSet.Of(Lead.I), rows[i].Mask, rows[i].Record, rows[i].Known);
            probabilities[i * RhythmClasses.Count + (int)RhythmClass.AF] = rows[i].Af;
            probabilities[i * RhythmClasses.Count + (int)RhythmClass.SR] = rows[i].Sr;
        }

        var scores = RecordScores.Score(set, probabilities, afThreshold: 0.7);

        Assert.Equal(["mitdb", "physionet2017", RecordScores.AllSources], scores.Select(s => s.Source));
        var (mitdb, cinc2017, all) = (scores[0], scores[1], scores[2]);
        Assert.Equal((1, 2, 2, 1), (mitdb.Records, mitdb.Windows, mitdb.Rows, mitdb.AfPositives));
        Assert.Equal((3, 5, 3, 1), (cinc2017.Records, cinc2017.Windows, cinc2017.Rows, cinc2017.AfPositives));
        Assert.Equal((4, 7, 5, 2), (all.Records, all.Windows, all.Rows, all.AfPositives));
        Assert.Equal(1.0, cinc2017.AfAuroc);      // 0.8 above 0.3 and 0.2
        Assert.Equal(1.0, cinc2017.AfF1);         // 0.8 ≥ 0.7 predicted, the others not
        Assert.Equal(0.0, mitdb.AfF1);            // the AF window's 0.6 < 0.7
        // SR: positive physionet2017/2 (0.7) above physionet2017/1 (median 0.2); physionet2017/3's 0.95 is unknown for SR.
        Assert.Equal(1.0, cinc2017.PerClassAuroc[(int)RhythmClass.SR]);
        Assert.Equal(1.0, cinc2017.MacroAuroc);
        // All: AF positives 0.8, 0.6 above negatives 0.3, 0.2, 0.2; F1 at 0.7: one TP, one FN → 2/3.
        Assert.Equal(1.0, all.AfAuroc);
        Assert.Equal(2.0 / 3, all.AfF1, 1e-12);
    }

    [Fact]
    public void A_class_auroc_reads_only_the_samples_whose_label_rules_on_it()
    {
        // Class 0: samples 0 (positive, 0.9) and 1 (negative, 0.1) known; sample 2 (negative, 0.95) unknown → AUROC 1; with it known, 0.5.
        float[] scores = [0.9f, 0.1f, 0.95f];
        int[] masks = [1, 0, 0];
        Assert.Equal(1.0, Auroc.MultiLabel(scores, masks, 1, [1, 1, 0]).PerClass[0]);
        Assert.Equal(0.5, Auroc.MultiLabel(scores, masks, 1).PerClass[0]);
    }
}

/// <summary>A model with an input beyond ecg and lead_mask (as contract v2's <c>rhythm</c>) is scored and calibrated by input name.</summary>
public sealed class ExtraInputTests
{
    [Fact]
    public void Scoring_and_calibration_feed_an_extra_input_by_name()
    {
        var g = new EcgStream.Onnx.Graph.GraphBuilder("extra_input");
        g.Input("ecg", EcgStream.Onnx.Graph.ElementType.Float, "N", 12, 2250);
        g.Input("lead_mask", EcgStream.Onnx.Graph.ElementType.Float, "N", 12);
        var rhythm = g.Input("rhythm", EcgStream.Onnx.Graph.ElementType.Float, "N", 2);
        var w = new float[2 * RhythmClasses.Count];
        w[0] = 1; w[RhythmClasses.Count + 1] = -2;   // logit 0 = rhythm[0], logit 1 = −2·rhythm[1]
        g.Node("MatMul", [rhythm, g.Initializer("w", w, 2, RhythmClasses.Count)], ["logits"]);
        g.Output("logits", EcgStream.Onnx.Graph.ElementType.Float, "N", RhythmClasses.Count);
        var model = g.Build();
        var set = new WindowSet();
        for (int i = 0; i < 3; i++) set.Add(new float[WindowSet.WindowValues], LeadSet.Of(Lead.I), 1, $"r/{i}");
        var tensors = new List<EcgStream.Inference.OrtTensor>();
        IReadOnlyList<(string, EcgStream.Inference.OrtTensor)> Rhythm(int[] batch)
        {
            var t = EcgStream.Inference.OrtTensor.FromData([.. batch.SelectMany(i => new[] { (float)i, 1f })], [batch.Length, 2]);
            tensors.Add(t);
            return [("rhythm", t)];
        }
        try
        {
            using var session = EcgStream.Inference.InferenceSession.Load(Google.Protobuf.MessageExtensions.ToByteArray(model));
            var outputs = EcgStream.Training.Evaluation.OnnxScoring.Run(session, set, extraInputs: Rhythm);
            Assert.Equal([0f, 1f, 2f], Enumerable.Range(0, 3).Select(i => outputs.Logits[i * RhythmClasses.Count]));
            Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(-2f, outputs.Logits[i * RhythmClasses.Count + 1]));
            Assert.Equal(0, outputs.Layers);

            using var calibrator = new EcgStream.Inference.Quantization.ActivationCalibrator(model);
            EcgStream.Training.Evaluation.OnnxScoring.ForEachBatch(set, 2, (_, inputs) => calibrator.Observe(inputs), extraInputs: Rhythm);
            Assert.Equal(["rhythm"], calibrator.Activations);
            Assert.Equal(2f, calibrator.Ranges["rhythm"].MaxAbs);

            var e = Assert.Throws<ArgumentException>(() => EcgStream.Training.Evaluation.OnnxScoring.Run(session, set));
            Assert.StartsWith("(in-memory model) needs input 'rhythm' [N,2], which was not given", e.Message);
        }
        finally { foreach (var t in tensors) t.Dispose(); }
    }

    [Fact]
    public void A_contract_v2_model_gets_the_windows_own_rhythm_features()
    {
        var g = new EcgStream.Onnx.Graph.GraphBuilder("v2_rhythm");
        g.Input("ecg", EcgStream.Onnx.Graph.ElementType.Float, "N", 12, 2250);
        g.Input("lead_mask", EcgStream.Onnx.Graph.ElementType.Float, "N", 12);
        var rhythm = g.Input("rhythm", EcgStream.Onnx.Graph.ElementType.Float, "N", 14);
        var w = new float[14 * RhythmClasses.Count];
        w[3 * RhythmClasses.Count + (int)RhythmClass.AF] = 1;   // logit(AF) = feature 3
        g.Node("MatMul", [rhythm, g.Initializer("w", w, 14, RhythmClasses.Count)], ["logits"]);
        g.Output("logits", EcgStream.Onnx.Graph.ElementType.Float, "N", RhythmClasses.Count);
        var set = new WindowSet();
        for (int i = 0; i < 3; i++)
        {
            var features = new float[14];
            features[3] = i / 4f;
            set.Add(new float[WindowSet.WindowValues], i == 1 ? LeadSet.All : LeadSet.Of(Lead.I), 1, $"r/{i}", WindowSet.AllKnown, features);
        }
        using var session = EcgStream.Inference.InferenceSession.Load(Google.Protobuf.MessageExtensions.ToByteArray(g.Build()));
        Assert.True(EcgStream.Training.Evaluation.OnnxScoring.HasRhythmInput(session));
        var outputs = EcgStream.Training.Evaluation.OnnxScoring.Run(session, set);
        Assert.Equal([0f, 0.25f, 0.5f], Enumerable.Range(0, 3).Select(i => outputs.Logits[i * RhythmClasses.Count + (int)RhythmClass.AF]));
    }
}

/// <summary>Student / teacher per source: the figure candidates are chosen by (on validation) and the budget is read on (test).</summary>
public sealed class StudentRatiosTests
{
    private static SourceScore Score(string source, double macro, double afF1, int records = 30) =>
        new(source, records, records, records, double.IsFinite(afF1) ? 1 : 0, macro, double.NaN, afF1, []);

    [Fact]
    public void Ratios_are_per_source_and_the_worst_skips_what_a_source_cannot_rule_on()
    {
        var teacher = new[] { Score("ptbxl", 0.9, 0.8), Score("cinc2021", 0.8, double.NaN), Score("mitdb", 0.5, 0.0), Score("cpsc2021", 0.8, 0.8, records: 2), Score(RecordScores.AllSources, 0.9, 0.8) };
        var student = new[] { Score("ptbxl", 0.9 * 0.97, 0.8 * 1.1), Score("cinc2021", 0.8 * 0.99, 0.5), Score("mitdb", 0.5, 0.4), Score("cpsc2021", 0.4, 0.4, records: 2), Score(RecordScores.AllSources, 0.9, 0.8) };

        var ratios = StudentRatios.Of(teacher, student);

        Assert.Equal(["ptbxl", "cinc2021", "mitdb", "cpsc2021", RecordScores.AllSources], ratios.Select(r => r.Source));
        Assert.Equal(0.97, ratios[0].MacroAuroc, 12);
        Assert.Equal(1.1, ratios[0].AfF1, 12);
        Assert.True(double.IsNaN(ratios[1].AfF1));        // the teacher has no AF F1 in CinC 2021 (no AF positives)
        Assert.True(double.IsNaN(ratios[2].AfF1));        // a teacher F1 of 0 is no yardstick
        Assert.Equal(0.97, StudentRatios.Worst(ratios), 12);    // cpsc2021's 0.5 has 2 records: too few to choose by
        Assert.Equal(0.5, StudentRatios.Worst(ratios, minRecords: 1), 12);
        Assert.True(double.IsNaN(StudentRatios.Worst([])));
    }
}
