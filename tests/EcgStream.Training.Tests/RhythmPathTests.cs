using EcgStream.Core.Leads;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Inference;
using EcgStream.Inference.Contract;
using EcgStream.Onnx.Contract;
using EcgStream.Signal.Rhythms;
using EcgStream.Training.Data;
using EcgStream.Training.Export;
using EcgStream.Training.Heads;
using EcgStream.Training.Model;
using static TorchSharp.torch;

namespace EcgStream.Training.Tests;

/// <summary>Labels with known masks, the masked loss, and the PMA head's rhythm path through export (contract v2).</summary>
public sealed class RhythmPathTests(Xunit.Abstractions.ITestOutputHelper log)
{
    [TorchFact]
    public void Masked_bce_averages_only_the_known_pairs()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 2f, -1f, 0.5f, 0f }, 2, 2);
        var targets = tensor(new float[] { 1f, 0f, 0f, 1f }, 2, 2);
        var weights = tensor(new float[] { 1f, 0f, 1f, 1f }, 2, 2);
        static double Bce(double x, double y) => -(y * Math.Log(1 / (1 + Math.Exp(-x))) + (1 - y) * Math.Log(1 - 1 / (1 + Math.Exp(-x))));
        double expected = (Bce(2, 1) + Bce(0.5, 0) + Bce(0, 1)) / 3;    // the unknown pair (row 0, class 1) adds nothing
        Assert.Equal(expected, HeadTrainer.MaskedBce(logits, targets, weights).item<float>(), 5);
        // All known: the plain mean, as before the masks.
        double all = (Bce(2, 1) + Bce(-1, 0) + Bce(0.5, 0) + Bce(0, 1)) / 4;
        Assert.Equal(all, HeadTrainer.MaskedBce(logits, targets, ones(2, 2)).item<float>(), 5);
        Assert.Equal(all, HeadTrainer.MaskedBce(logits, targets, null).item<float>(), 5);
        // Nothing known: 0, not NaN.
        Assert.Equal(0f, HeadTrainer.MaskedBce(logits, targets, zeros(2, 2)).item<float>());
    }

    [Fact]
    public void Window_sets_keep_known_masks_and_rhythm_features_through_subsets()
    {
        var set = new WindowSet();
        var window = new float[WindowSet.WindowValues];
        var rhythm = Enumerable.Range(0, RhythmFeatures.Count).Select(i => i / 10f).ToArray();
        int af = 1 << (int)RhythmClass.AF, sr = 1 << (int)RhythmClass.SR;
        set.Add(window, LeadSet.Of(Lead.I), 0, "o-record", af | sr, rhythm);
        set.Add(window, LeadSet.Of(Lead.I), sr, "n-record");
        var subset = set.Subset(new HashSet<string> { "o-record" });
        Assert.Equal(af | sr, subset.KnownMask(0));
        Assert.Equal(0, subset.ClassMask(0));
        Assert.Equal(rhythm, subset.Rhythm(0).ToArray());
        Assert.Equal(WindowSet.AllKnown, set.KnownMask(1));
        Assert.All(set.Rhythm(1).ToArray(), v => Assert.Equal(0f, v));
        Assert.Contains("outside the known mask", Assert.Throws<ArgumentException>(() => set.Add(window, LeadSet.Of(Lead.I), af, "bad", sr)).Message);
        Assert.Contains("3 rhythm features", Assert.Throws<ArgumentException>(() => set.Add(window, LeadSet.Of(Lead.I), sr, "bad", WindowSet.AllKnown, new float[3])).Message);
    }

    [TorchFact]
    public void The_rhythm_path_changes_the_answer_and_exports_as_contract_v2_with_the_same_logits()
    {
        manual_seed(5);
        using var encoder = new StMemEncoder(EncoderConfig.Tiny());
        using var head = new PmaHead(32, 4, RhythmClasses.Count, gateHidden: 16, rhythmFeatures: RhythmFeatures.Count);
        using (no_grad())
        {
            nn.init.normal_(head.path_fc2!.weight, 0, 0.5);   // a gate far from equal, so the mixing is tested
            nn.init.normal_(head.gate_fc2.weight, 0, 0.5);
        }
        encoder.eval();
        head.eval();
        var windows = SyntheticData.Small;
        int n = Math.Min(6, windows.Count);
        var rng = new Random(3);
        var rhythm = Enumerable.Range(0, n * RhythmFeatures.Count).Select(_ => (float)rng.NextDouble()).ToArray();

        using var scope = NewDisposeScope();
        var (ecg, mask, _) = windows.Batch(Enumerable.Range(0, n).ToArray());
        using var encoded = encoder.ForwardEncoding(ecg, mask);
        var torchLogits = head.Forward(encoded.LayerPooled, tensor(rhythm, n, RhythmFeatures.Count)).Logits.ToArray<float>();
        var otherLogits = head.Forward(encoded.LayerPooled, zeros(n, RhythmFeatures.Count)).Logits.ToArray<float>();
        Assert.True(torchLogits.Zip(otherLogits).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, "the rhythm input must matter");
        Assert.Contains("rhythm path", Assert.Throws<ArgumentException>(() => head.forward(encoded.LayerPooled)).Message);

        var bytes = PmaOnnxExporter.Export(encoder, head, new ContractModelInfo { ModelId = "v2-test", RhythmPath = true });
        using var model = RhythmModel.Load(bytes, new InferenceOptions { MaxBatch = n });
        Assert.Equal(2, model.Contract.Version);
        Assert.True(model.Contract.HasRhythmInput);
        for (int i = 0; i < n; i++)
        {
            windows.Ecg(i).CopyTo(model.Ecg(i));
            mask.select(0, i).ToArray<float>().CopyTo(model.LeadMask(i));
            rhythm.AsSpan(i * RhythmFeatures.Count, RhythmFeatures.Count).CopyTo(model.Rhythm(i));
        }
        model.Run(n);
        double worst = 0;
        for (int i = 0; i < n; i++)
            for (int c = 0; c < RhythmClasses.Count; c++)
                worst = Math.Max(worst, Math.Abs(1 / (1 + Math.Exp(-torchLogits[i * RhythmClasses.Count + c])) - model.Probabilities(i)[c]));
        log.WriteLine($"v2 export: max |Δp| {worst:E2}");
        Assert.True(worst <= 1e-4, $"probabilities differ by {worst:E2}");

        // A v1 model has no rhythm slot; a v2 head cannot be exported as v1.
        Assert.Contains("rhythm path", Assert.Throws<ArgumentException>(() => PmaOnnxExporter.Export(encoder, head, new ContractModelInfo { ModelId = "x" })).Message);
    }

    [TorchFact]
    public void A_v2_model_naming_another_feature_layout_is_refused()
    {
        manual_seed(6);
        using var encoder = new StMemEncoder(EncoderConfig.Tiny());
        using var head = new PmaHead(32, 4, RhythmClasses.Count, gateHidden: 16, rhythmFeatures: RhythmFeatures.Count);
        var graph = PmaOnnxExporter.Build(encoder, head, new ContractModelInfo { ModelId = "v2-other", RhythmPath = true });
        graph.Metadata(ModelContract.Keys.RhythmFeatures, "rr30-v9");
        var e = Assert.Throws<ModelContractException>(() => RhythmModel.Load(graph.ToBytes(), name: "other.onnx"));
        Assert.StartsWith("other.onnx does not follow model contract v2:", e.Message);
        Assert.Contains("metadata 'ecgstream.rhythm_features' is \"rr30-v9\", this runtime computes \"rr60-v1\"", e.Message);
    }

    [TorchFact]
    public void An_exported_encoder_reads_back_with_the_same_outputs()
    {
        manual_seed(8);
        using var encoder = new StMemEncoder(EncoderConfig.Tiny());
        using var head = new PmaHead(32, 4, RhythmClasses.Count, gateHidden: 16);
        encoder.eval();
        var path = Path.Combine(Path.GetTempPath(), $"ecgstream-import-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, PmaOnnxExporter.Export(encoder, head, new ContractModelInfo { ModelId = "import-test", Description = "d=32 depth=4 heads=2 + PMA head" }));
        try
        {
            using var imported = Export.OnnxEncoderImport.Import(path);
            Assert.Equal(encoder.Config.Dim, imported.Config.Dim);
            Assert.Equal(encoder.Depth, imported.Depth);
            Assert.Equal(encoder.Config.Heads, imported.Config.Heads);
            using var scope = NewDisposeScope();
            var (ecg, mask, _) = SyntheticData.Small.Batch([0, 1, 2]);
            using var a = encoder.ForwardEncoding(ecg, mask);
            using var b = imported.ForwardEncoding(ecg, mask);
            double diff = (a.LayerPooled - b.LayerPooled).abs().max().item<float>();
            Assert.True(diff < 1e-5, $"pooled layers differ by {diff:E2}");
        }
        finally { File.Delete(path); }
        File.WriteAllText(path, "not onnx");
        try { Assert.StartsWith($"{path}: not an ONNX model", Assert.Throws<InvalidDataException>(() => Export.OnnxEncoderImport.Import(path)).Message); }
        finally { File.Delete(path); }
    }
}
