using EcgStream.Core.Leads;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Inference;
using EcgStream.Inference.Contract;
using EcgStream.Onnx.Contract;
using EcgStream.Training.Data;
using EcgStream.Training.Export;
using EcgStream.Training.Heads;
using EcgStream.Training.Model;
using static TorchSharp.torch;

namespace EcgStream.Training.Tests;

public sealed class ExportParityTests(Xunit.Abstractions.ITestOutputHelper log)
{
    private const double Tolerance = 1e-4;

    /// <summary>A tiny encoder and a PMA head whose gate is far from uniform, so the weights are tested too.</summary>
    private static (StMemEncoder Encoder, PmaHead Head) TinyModel(PmaGate gate = PmaGate.Joint)
    {
        manual_seed(31);
        var encoder = new StMemEncoder(EncoderConfig.Tiny());
        var head = new PmaHead(32, 4, RhythmClasses.Count, gateHidden: 16, gate);
        using (no_grad()) nn.init.normal_(head.gate_fc2.weight, 0, 0.5);
        encoder.eval();
        head.eval();
        return (encoder, head);
    }

    /// <summary>Runs both sides on <paramref name="windows"/> (with their own lead sets) and returns the largest differences.</summary>
    private static (double Logits, double Weights, double Probabilities) Compare(StMemEncoder encoder, PmaHead head, WindowSet windows)
    {
        var bytes = PmaOnnxExporter.Export(encoder, head, new ContractModelInfo { ModelId = "parity-test", Description = "tiny parity test model" });
        int n = windows.Count;
        using var model = RhythmModel.Load(bytes, new InferenceOptions { MaxBatch = n });
        Assert.True(model.Contract.HasLayerWeights);
        Assert.Equal(4, model.Contract.LayerCount);

        using var scope = NewDisposeScope();
        var (ecg, mask, _) = windows.Batch(Enumerable.Range(0, n).ToArray());
        using var encoded = encoder.ForwardEncoding(ecg, mask);
        using var output = head.forward(encoded.LayerPooled);
        var torchLogits = output.Logits.ToArray<float>();
        var torchWeights = output.LayerWeights!.ToArray<float>();

        // Raw logits through the session (the runtime reads probabilities; parity is on logits).
        var session = model.Session;
        using var ecgIn = OrtTensor.FromData(ecg.ToArray<float>(), [n, 12, ModelContract.WindowSamples], session.Library);
        using var maskIn = OrtTensor.FromData(mask.ToArray<float>(), [n, 12], session.Library);
        using var logitsOut = OrtTensor.Create([n, RhythmClasses.Count], session.Library);
        using var weightsOut = OrtTensor.Create([n, 4], session.Library);
        var inputs = session.Inputs.Select(i => i.Name == ModelContract.EcgInput ? ecgIn : maskIn).ToArray();
        var outputs = session.Outputs.Select(o => o.Name == ModelContract.LogitsOutput ? logitsOut : weightsOut).ToArray();
        session.Run(inputs, outputs);

        // And through RhythmModel, as the runtime does.
        for (int i = 0; i < n; i++) { windows.Ecg(i).CopyTo(model.Ecg(i)); mask.select(0, i).ToArray<float>().CopyTo(model.LeadMask(i)); }
        model.Run(n);
        double probabilityDiff = 0;
        for (int i = 0; i < n; i++)
            for (int c = 0; c < RhythmClasses.Count; c++)
            {
                double p = 1 / (1 + Math.Exp(-torchLogits[i * RhythmClasses.Count + c]));
                probabilityDiff = Math.Max(probabilityDiff, Math.Abs(p - model.Probabilities(i)[c]));
            }
        return (MaxDiff(torchLogits, logitsOut.Span), MaxDiff(torchWeights, weightsOut.Span), probabilityDiff);
    }

    private static double MaxDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }

    /// <summary>Some windows with all 12 leads, some with lead subsets (1, 2, 3 leads) as a strap or Holter sends.</summary>
    private static WindowSet MixedLeadWindows(WindowSet source, int count, params LeadSet[] subsets)
    {
        if (subsets.Length == 0) subsets = [LeadSet.All, LeadSet.Of(Lead.I), LeadSet.Of(Lead.I, Lead.II), LeadSet.Of(Lead.I, Lead.II, Lead.V1)];
        var result = new WindowSet(count);
        var buffer = new float[WindowSet.WindowValues];
        for (int i = 0; i < count; i++)
        {
            var leads = subsets[i % subsets.Length];
            source.CopyEcg(i % source.Count, buffer);
            for (int l = 0; l < 12; l++)
                if (!leads.Contains((Lead)l)) buffer.AsSpan(l * ModelContract.WindowSamples, ModelContract.WindowSamples).Clear();
            result.Add(buffer, leads, source.ClassMask(i % source.Count), source.RecordId(i % source.Count));
        }
        return result;
    }

    [TorchTheory]
    [InlineData(PmaGate.Joint)]
    [InlineData(PmaGate.PerLayer)]
    public void LibtorchAndOnnxRuntimeAgreeOnSyntheticWindowsWithAnyLeadSubset(PmaGate gate)
    {
        var (encoder, head) = TinyModel(gate);
        using (encoder)
        using (head)
        {
            var (logits, weights, probabilities) = Compare(encoder, head, MixedLeadWindows(SyntheticData.Small, 8));
            log.WriteLine($"{gate} gate, synthetic windows: max |Δlogit| {logits:E2}, |Δweight| {weights:E2}, |Δp| {probabilities:E2}");
            Assert.True(logits <= Tolerance, $"logits differ by {logits:E2}");
            Assert.True(weights <= Tolerance, $"layer weights differ by {weights:E2}");
            Assert.True(probabilities <= Tolerance, $"probabilities differ by {probabilities:E2}");
        }
    }

    /// <summary>The graph computes only the lead slots present in the batch: a batch of one lead set takes its own path.</summary>
    [TorchTheory]
    [InlineData((ushort)0b0000_0000_0010)]   // II alone
    [InlineData((ushort)0b0000_0100_0010)]   // II + V1
    [InlineData((ushort)0b1000_0000_0001)]   // I + V6
    public void A_batch_of_one_lead_set_agrees_too(ushort mask)
    {
        var (encoder, head) = TinyModel(PmaGate.PerLayer);
        using (encoder)
        using (head)
        {
            var (logits, weights, probabilities) = Compare(encoder, head, MixedLeadWindows(SyntheticData.Small, 3, new LeadSet(mask)));
            log.WriteLine($"lead set {new LeadSet(mask)}: max |Δlogit| {logits:E2}, |Δweight| {weights:E2}, |Δp| {probabilities:E2}");
            Assert.True(logits <= Tolerance, $"logits differ by {logits:E2}");
            Assert.True(weights <= Tolerance, $"layer weights differ by {weights:E2}");
            Assert.True(probabilities <= Tolerance, $"probabilities differ by {probabilities:E2}");
        }
    }

    [TorchDataFact("ptbxl")]
    public void LibtorchAndOnnxRuntimeAgreeOnRealWindows()
    {
        // Four PTB-XL 12-lead windows and four single-lead PhysioNet 2017 windows (when present).
        var report = new DatasetReport();
        var windows = new WindowSet();
        foreach (var e in Data.Sources.PtbXlSource.List(EcgStream.Tests.TestData.PathOf("ptbxl"), report).Take(4))
            RecordWindower.AddWindows(e, windows, report);
        if (EcgStream.Tests.TestData.Has("physionet2017"))
            foreach (var e in Data.Sources.Physionet2017Source.List(EcgStream.Tests.TestData.PathOf("physionet2017"), report).Take(4))
                RecordWindower.AddWindows(e, windows, report, new WindowingOptions { MaxWindowsPerRecord = 1 });
        Assert.True(windows.Count >= 4, report.ToString());
        var (encoder, head) = TinyModel();
        using (encoder)
        using (head)
        {
            var (logits, weights, probabilities) = Compare(encoder, head, windows);
            log.WriteLine($"{windows.Count} real windows: max |Δlogit| {logits:E2}, |Δweight| {weights:E2}, |Δp| {probabilities:E2}");
            Assert.True(logits <= Tolerance, $"logits differ by {logits:E2}");
            Assert.True(weights <= Tolerance, $"layer weights differ by {weights:E2}");
            Assert.True(probabilities <= Tolerance, $"probabilities differ by {probabilities:E2}");
        }
    }

    [TorchFact]
    public void ExportRefusesAHeadThatDoesNotFitTheEncoder()
    {
        manual_seed(32);
        using var encoder = new StMemEncoder(EncoderConfig.Tiny());
        using var head = new PmaHead(32, 3, RhythmClasses.Count);
        var e = Assert.Throws<ArgumentException>(() => PmaOnnxExporter.Build(encoder, head, new ContractModelInfo { ModelId = "x" }));
        Assert.Contains("3 layers", e.Message);
    }

    [TorchFact]
    public void ExportedModelCarriesContractMetadata()
    {
        var (encoder, head) = TinyModel();
        using (encoder)
        using (head)
        {
            var bytes = PmaOnnxExporter.Export(encoder, head, new ContractModelInfo { ModelId = "meta-test", TrainingData = "synthetic", Commit = "abc123" });
            using var model = RhythmModel.Load(bytes);
            Assert.Equal("meta-test", model.ModelId);
            Assert.Equal(RhythmClasses.Count, model.Contract.Classes.Count);
            Assert.Equal("synthetic", model.Session.Metadata.Custom[ModelContract.Keys.TrainingData]);
        }
    }
}
