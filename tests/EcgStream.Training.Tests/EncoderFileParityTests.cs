using EcgStream.Training.Checkpoints;
using EcgStream.Training.Heads;
using EcgStream.Training.Model;
using static TorchSharp.torch;

namespace EcgStream.Training.Tests;

/// <summary>
/// Encoder and head files as EcgStream writes them (the format of the shipped model's
/// encoder.safetensors and head.safetensors) mean the same model to an independent PyTorch
/// implementation (python/encoder_reference.py, PyTorch 1.13 — the libtorch our former binding
/// used): same state-dict names and shapes, same outputs within 1e-5.
/// </summary>
public sealed class EncoderFileParityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ecg-encparity-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [PyTorchFact]
    public void Encoder_and_pma_head_files_give_pytorchs_outputs()
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        var encoderPath = Path.Combine(_dir, "encoder.safetensors");
        var headPath = Path.Combine(_dir, "head.safetensors");
        using (var written = new StMemEncoder(EncoderConfig.Tiny()))
        using (var writtenHead = new PmaHead(written.Config.Dim, written.Depth, 11))
        {
            using (no_grad())   // a gate that is not uniform, so the weights are tested too
                foreach (var (_, p) in writtenHead.named_parameters()) p.add_(randn_like(p) * 0.1);
            EncoderFile.Save(written, encoderPath);
            HeadFile.Save(writtenHead, headPath);
        }

        // Three windows: 12 leads, leads I+II, lead II alone.
        var ecg = randn(3, 12, 2250);
        var mask = ones(3, 12);
        mask[1, TensorIndex.Slice(2)] = zeros(10);
        mask[2] = zeros(12);
        mask[2, 1] = tensor(1f);
        ecg = ecg * mask.unsqueeze(2);
        var input = Path.Combine(_dir, "input.safetensors");
        SafeTensors.Save(input, new Dictionary<string, Tensor> { ["ecg"] = ecg, ["lead_mask"] = mask });
        var output = Path.Combine(_dir, "reference.safetensors");
        var script = Path.Combine(TestData.RepoRoot, "tools", "bench", "train_step.py");
        var (code, log) = PythonRunner.Run(PythonRunner.ScriptPath("encoder_reference.py"), script, encoderPath, headPath, input, output);
        Assert.True(code == 0, log);
        var reference = SafeTensors.Load(output);
        foreach (var t in reference.Values) scope.Attach(t);

        using var encoder = EncoderFile.Load(encoderPath);
        using var head = Assert.IsType<PmaHead>(HeadFile.Load(headPath));
        encoder.eval();
        head.eval();
        using var _ = no_grad();
        using var encoded = encoder.ForwardEncoding(ecg, mask);
        using var result = head.forward(encoded.LayerPooled);
        AssertClose(reference["layer_pooled"], encoded.LayerPooled, "layer_pooled");
        AssertClose(reference["logits"], result.Logits, "logits");
        AssertClose(reference["layer_weights"], result.LayerWeights!, "layer_weights");
    }

    private static void AssertClose(Tensor expected, Tensor actual, string name)
    {
        Assert.Equal(expected.shape, actual.shape);
        var diff = (expected - actual).abs().max().item<float>();
        Assert.True(diff <= 1e-5f, $"{name}: max |TorchSharp − PyTorch| = {diff:E2} > 1e-5");
    }
}
