using EcgStream.Core.Rhythms;
using EcgStream.Inference;
using EcgStream.Inference.Quantization;
using EcgStream.Onnx.Contract;
using EcgStream.Onnx.Proto;
using EcgStream.Onnx.Quantization;
using EcgStream.Training.Distillation;
using EcgStream.Training.Evaluation;
using EcgStream.Training.Export;
using EcgStream.Training.Heads;
using EcgStream.Training.Model;
using EcgStream.Training.Runs;
using static TorchSharp.torch;

namespace EcgStream.Training.Tests;

/// <summary>Distillation's loss against hand computations, resume, and the int8 pass over an exported PMA model.</summary>
public sealed class DistillationTests
{
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
    private static double Bce(double logit, double target) => -(target * Math.Log(Sigmoid(logit)) + (1 - target) * Math.Log(1 - Sigmoid(logit)));

    [TorchFact]
    public void Loss_terms_match_a_hand_computation_with_and_without_a_label_mask()
    {
        using var scope = NewDisposeScope();
        var student = tensor(new float[] { 1f, -2f }, 1, 2);
        var teacher = tensor(new float[] { 0.5f, 3f }, 1, 2);
        var labels = tensor(new float[] { 1f, 0f }, 1, 2);
        const double t = 2;
        double soft0 = Bce(1 / t, Sigmoid(0.5 / t)), soft1 = Bce(-2 / t, Sigmoid(3 / t));
        Assert.Equal((soft0 + soft1) / 2 * t * t, DistillationLoss.Soft(student, teacher, t).item<float>(), 1e-5);
        Assert.Equal((Bce(1, 1) + Bce(-2, 0)) / 2, DistillationLoss.Hard(student, labels).item<float>(), 1e-5);
        // Masked: label 1 unknown → only class 0 counts, in both terms.
        var mask = tensor(new float[] { 1f, 0f }, 1, 2);
        Assert.Equal(soft0 * t * t, DistillationLoss.Soft(student, teacher, t, mask).item<float>(), 1e-5);
        Assert.Equal(Bce(1, 1), DistillationLoss.Hard(student, labels, mask).item<float>(), 1e-5);

        // Layer mixture: teacher's 4 layers grouped in pairs → [0.3, 0.7] against the student's [0.6, 0.4].
        var sw = tensor(new float[] { 0.6f, 0.4f }, 1, 2);
        var tw = tensor(new float[] { 0.1f, 0.2f, 0.3f, 0.4f }, 1, 4);
        double kl = 0.3 * Math.Log(0.3 / 0.6) + 0.7 * Math.Log(0.7 / 0.4);
        Assert.Equal(kl, DistillationLoss.LayerMixture(sw, tw).item<float>(), 1e-5);

        var options = new DistillOptions { Temperature = t, Alpha = 0.7, LayerWeight = 0.1 };
        double total = 0.7 * (soft0 + soft1) / 2 * t * t + 0.3 * (Bce(1, 1) + Bce(-2, 0)) / 2 + 0.1 * kl;
        Assert.Equal(total, DistillationLoss.Total(student, teacher, labels, options, sw, tw).item<float>(), 1e-5);
    }

    [TorchFact]
    public void A_hard_mask_leaves_unknown_labels_out_of_the_label_term_only()
    {
        using var scope = NewDisposeScope();
        var student = tensor(new float[] { 1f, -2f }, 1, 2);
        var teacher = tensor(new float[] { 0.5f, 3f }, 1, 2);
        var labels = tensor(new float[] { 1f, 0f }, 1, 2);
        var known = tensor(new float[] { 1f, 0f }, 1, 2);
        const double t = 2;
        double soft = (Bce(1 / t, Sigmoid(0.5 / t)) + Bce(-2 / t, Sigmoid(3 / t))) / 2 * t * t;
        var options = new DistillOptions { Temperature = t, Alpha = 0.7, LayerWeight = 0 };
        // The teacher speaks on both classes; the label rules on class 0 only.
        Assert.Equal(0.7 * soft + 0.3 * Bce(1, 1), DistillationLoss.Total(student, teacher, labels, options, hardMask: known).item<float>(), 1e-5);
    }

    [TorchFact]
    public void A_contract_v2_teacher_gets_a_student_with_a_rhythm_path_that_exports_as_contract_v2()
    {
        var data = SyntheticData.Small;
        var dir = SyntheticData.TempDir();
        var result = Distiller.Run(EncoderConfig.Tiny(), 16, Quick(3), data, FakeTeacher(data.Count), "fake", dir, rhythmPath: true);
        Assert.True(result.Completed);
        Assert.All(result.Steps, s => Assert.True(double.IsFinite(s.Loss)));
        using var encoder = EncoderFile.Load(Path.Combine(dir, Distiller.EncoderFileName));
        using var headModule = HeadFile.Load(Path.Combine(dir, Distiller.HeadFileName));
        var head = Assert.IsType<PmaHead>(headModule);
        Assert.Equal(Signal.Rhythms.RhythmFeatures.Count, head.RhythmFeatures);
        encoder.eval();
        head.eval();
        using var session = InferenceSession.Load(PmaOnnxExporter.Export(encoder, head, new ContractModelInfo { ModelId = "student-v2-test", RhythmPath = true }));
        Assert.True(OnnxScoring.HasRhythmInput(session));

        // The rhythm path is read: other rhythm features, other logits.
        var outputs = OnnxScoring.Run(session, data);
        var zeros = new List<OrtTensor>();
        var zeroed = OnnxScoring.Run(session, data, extraInputs: batch =>
        {
            zeros.Add(OrtTensor.Create([batch.Length, Core.Models.ModelContract.RhythmFeatureCount]));
            return [(Core.Models.ModelContract.RhythmInput, zeros[^1])];
        });
        foreach (var z in zeros) z.Dispose();
        Assert.NotEqual(outputs.Logits, zeroed.Logits);

        // A v1 run's checkpoint is not a v2 run's.
        var e = Assert.Throws<InvalidDataException>(() => Distiller.Run(EncoderConfig.Tiny(), 16, Quick(3), data, FakeTeacher(data.Count), "fake", dir));
        Assert.Contains("checkpoint belongs to another run configuration", e.Message);
    }

    /// <summary>Fake teacher outputs for the shared synthetic windows: random logits, softmax weights over 8 layers.</summary>
    private static ModelOutputs FakeTeacher(int windows)
    {
        var rng = new Random(5);
        var logits = Enumerable.Range(0, windows * RhythmClasses.Count).Select(_ => (float)(rng.NextDouble() * 6 - 3)).ToArray();
        var weights = new float[windows * 8];
        for (int i = 0; i < windows; i++)
        {
            var e = Enumerable.Range(0, 8).Select(_ => Math.Exp(rng.NextDouble() * 2)).ToArray();
            for (int l = 0; l < 8; l++) weights[i * 8 + l] = (float)(e[l] / e.Sum());
        }
        return new ModelOutputs(logits, RhythmClasses.Count, weights, 8);
    }

    private static DistillOptions Quick(int steps) => new() { Steps = steps, BatchSize = 4, WarmupSteps = 1, CheckpointEvery = 2, LearningRate = 1e-3 };

    [TorchFact]
    public void An_interrupted_distillation_resumes_exactly_where_the_uninterrupted_one_would_be()
    {
        var data = SyntheticData.Small;
        var teacher = FakeTeacher(data.Count);
        var straightDir = SyntheticData.TempDir();
        var straight = Distiller.Run(EncoderConfig.Tiny(), 16, Quick(6), data, teacher, "fake", straightDir);
        Assert.True(straight.Completed);

        var dir = SyntheticData.TempDir();
        using var cancel = new CancellationTokenSource();
        var part = Distiller.Run(EncoderConfig.Tiny(), 16, Quick(6), data, teacher, "fake", dir, s => { if (s.Step == 2) cancel.Cancel(); }, cancel.Token);
        Assert.False(part.Completed);
        Assert.Equal(3, part.StepsDone);
        var resumed = Distiller.Run(EncoderConfig.Tiny(), 16, Quick(6), data, teacher, "fake", dir);

        Assert.True(resumed.Completed);
        Assert.Equal(straight.Steps.Select(s => s.Loss), resumed.Steps.Select(s => s.Loss));
        Assert.Equal(1, RunMetrics.Load(Path.Combine(dir, Distiller.MetricsFile)).Resumes);
        using var a = HeadFile.Load(Path.Combine(straightDir, Distiller.HeadFileName));
        using var b = HeadFile.Load(Path.Combine(dir, Distiller.HeadFileName));
        foreach (var ((name, pa), (_, pb)) in a.named_parameters().Zip(b.named_parameters()))
            Assert.True(pa.equal(pb).all().item<bool>(), $"head parameter {name} differs after resume");

        // Another teacher is another run: its checkpoint is refused.
        var e = Assert.Throws<InvalidDataException>(() => Distiller.Run(EncoderConfig.Tiny(), 16, Quick(6), data, teacher, "other", dir));
        Assert.Contains("checkpoint belongs to another run configuration", e.Message);
    }

    [TorchFact]
    public void A_student_depth_that_does_not_divide_the_teachers_layers_is_refused_for_layer_distillation()
    {
        var data = SyntheticData.Small;
        var e = Assert.Throws<ArgumentException>(() => Distiller.Run(EncoderConfig.Tiny() with { Depth = 3 }, 16, Quick(2), data, FakeTeacher(data.Count), "fake", SyntheticData.TempDir()));
        Assert.StartsWith("layer-mixture distillation groups the teacher's 8 layers onto the student's 3", e.Message);
    }

    [TorchFact]
    public void An_exported_pma_model_quantizes_to_a_qdq_graph_whose_logits_stay_close_to_fp32()
    {
        manual_seed(7);
        using var encoder = new StMemEncoder(EncoderConfig.Tiny());
        using var head = new PmaHead(32, 4, RhythmClasses.Count, gateHidden: 16);
        encoder.eval();
        head.eval();
        var fp32 = ModelProto.Parser.ParseFrom(PmaOnnxExporter.Export(encoder, head, new ContractModelInfo { ModelId = "quantize-test" }));
        var data = SyntheticData.Small;
        using var calibrator = new ActivationCalibrator(fp32);
        OnnxScoring.ForEachBatch(data, 8, (_, inputs) => calibrator.Observe(inputs));
        var int8 = Int8Quantizer.QuantizeQdq(fp32, calibrator.Scales(CalibrationMethod.MinMax));

        // Every Linear of the encoder and head (4 blocks × 6, patch embedding, gate 2, head 1) reads int8 weights.
        var targets = Int8Quantizer.Targets(fp32);
        Assert.Equal(4 * 6 + 1 + 2 + 1, targets.Count);
        Assert.Equal(targets.Count, int8.Graph.Node.Count(n => n.OpType == "DequantizeLinear" && n.Attribute.Any(a => a.Name == "axis")));

        using var a = InferenceSession.Load(Google.Protobuf.MessageExtensions.ToByteArray(fp32));
        using var b = InferenceSession.Load(Google.Protobuf.MessageExtensions.ToByteArray(int8));
        var expected = OnnxScoring.Run(a, data);
        var actual = OnnxScoring.Run(b, data);
        double range = expected.Logits.Max(Math.Abs);
        double worst = expected.Logits.Zip(actual.Logits, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(worst <= 0.05 * range, $"int8 logits differ by up to {worst} (fp32 range {range})");
        Assert.True(worst > 0);
        Assert.Equal(expected.LayerWeights.Length, actual.LayerWeights.Length);
    }
}
