using EcgStream.Core.Leads;
using EcgStream.Core.Rhythms;
using EcgStream.Training.Data;
using EcgStream.Training.Evaluation;

namespace EcgStream.Training.Tests;

/// <summary>Record-level scores: median of window probabilities per record, union of labels, per source and over all.</summary>
public sealed class RecordScoresTests
{
    [Fact]
    public void A_record_scores_by_the_median_of_its_windows_and_sources_are_scored_apart()
    {
        int af = 1 << (int)RhythmClass.AF, sr = 1 << (int)RhythmClass.SR;
        var set = new WindowSet();
        var window = new float[WindowSet.WindowValues];
        // src-a/1: AF, three windows (AF probabilities 0.9, 0.1, 0.8 → median 0.8); src-a/2: SR, one window (AF 0.3);
        // src-b/3: SR then AF windows (an episode record: positive for both), AF 0.2 and 0.6 → median 0.4.
        (string Record, int Mask, float Af)[] rows =
            [("src-a/1", af, 0.9f), ("src-a/1", af, 0.1f), ("src-a/1", af, 0.8f), ("src-a/2", sr, 0.3f), ("src-b/3", sr, 0.2f), ("src-b/3", af, 0.6f)];
        var probabilities = new float[rows.Length * RhythmClasses.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            set.Add(window, LeadSet.Of(Lead.I), rows[i].Mask, rows[i].Record);
            probabilities[i * RhythmClasses.Count + (int)RhythmClass.AF] = rows[i].Af;
            probabilities[i * RhythmClasses.Count + (int)RhythmClass.SR] = 1 - rows[i].Af;
        }

        var scores = RecordScores.Score(set, probabilities, afThreshold: 0.5);

        Assert.Equal(["src-a", "src-b", RecordScores.AllSources], scores.Select(s => s.Source));
        var a = scores[0];
        Assert.Equal((2, 4, 1), (a.Records, a.Windows, a.AfRecords));
        Assert.Equal(1.0, a.AfAuroc);      // AF record 0.8 above the SR record's 0.3
        Assert.Equal(1.0, a.AfF1);         // 0.8 ≥ 0.5 predicted, 0.3 not
        Assert.True(double.IsNaN(scores[1].AfAuroc));   // one record, positive for both: no negative
        var all = scores[2];
        Assert.Equal((3, 6, 2), (all.Records, all.Windows, all.AfRecords));
        // AF: positives 0.8 and 0.4, negative 0.3 → AUROC 1; F1 at 0.5: one TP, one FN → 2/3.
        Assert.Equal(1.0, all.AfAuroc);
        Assert.Equal(2.0 / 3, all.AfF1, 1e-12);
        // SR: positives src-a/2 (0.7) and src-b/3 (median of 0.8, 0.4 = 0.6), negative src-a/1 (median 0.2) → AUROC 1.
        Assert.Equal(1.0, all.PerClassAuroc[(int)RhythmClass.SR]);
        Assert.Equal(1.0, all.MacroAuroc);
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
