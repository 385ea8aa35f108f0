using EcgStream.Training.Checkpoints;
using EcgStream.Training.Modules;
using static TorchSharp.torch;

namespace EcgStream.Training.Tests;

public sealed class AttentionTests
{
    /// <summary>Two blocks with the same weights, one per attention kernel, and a batch of 3 windows of 10 tokens where
    /// window <paramref name="padded"/> keeps only its first <paramref name="kept"/> keys.</summary>
    private static (TransformerBlock Fused, TransformerBlock Written, Tensor X, Tensor Padding) Pair(int seed, int padded, int kept)
    {
        manual_seed(seed);
        var fused = new TransformerBlock(24, 4, attention: AttentionKernel.Fused);
        var written = new TransformerBlock(24, 4, attention: AttentionKernel.Explicit);
        written.LoadState(fused.state_dict());
        var padding = zeros(3, 10, dtype: ScalarType.Bool);
        padding[padded, TensorIndex.Slice(kept)] = tensor(true);
        return (fused, written, randn(3, 10, 24), padding);
    }

    [TorchFact]
    public void Fused_and_explicit_attention_agree_with_padded_keys_and_name_parameters_as_pytorch()
    {
        using var scope = NewDisposeScope();
        var (fused, written, x, padding) = Pair(seed: 5, padded: 0, kept: 6);   // window 0: only 6 keys take part
        using var _ = fused;
        using var __ = written;
        Assert.Equal(
            ["norm1.weight", "norm1.bias", "attn.in_proj_weight", "attn.in_proj_bias", "attn.out_proj.weight", "attn.out_proj.bias",
             "norm2.weight", "norm2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"],
            fused.state_dict().Keys);
        var a = fused.forward(x, padding);
        var b = written.forward(x, padding);
        Assert.True((a - b).abs().max().item<float>() < 1e-5f, "fused and explicit attention differ");
        // A padded key changes nothing: garbage there gives the same output for the kept queries.
        var x2 = x.clone();
        x2[0, TensorIndex.Slice(6)] = randn(4, 24) * 100;
        var c = fused.forward(x2, padding);
        Assert.True((a[0, TensorIndex.Slice(0, 6)] - c[0, TensorIndex.Slice(0, 6)]).abs().max().item<float>() < 1e-5f, "a padded key leaked into attention");
    }

    [TorchFact]
    public void Fused_and_explicit_attention_give_the_same_gradients_with_padded_keys()
    {
        // Training runs the fused kernel's backward pass; the forward agreeing does not check it.
        using var scope = NewDisposeScope();
        var (fused, written, x, padding) = Pair(seed: 7, padded: 1, kept: 4);
        using var _ = fused;
        using var __ = written;
        var weights = randn(3, 10, 24);   // a loss that weighs every output differently
        (fused.forward(x, padding) * weights).sum().backward();
        (written.forward(x, padding) * weights).sum().backward();
        var explicitGrads = written.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!);
        foreach (var (name, p) in fused.named_parameters())
        {
            var g = p.grad!;
            var e = explicitGrads[name];
            var relative = ((g - e).abs().max() / e.abs().max().clamp_min(1e-12)).item<float>();
            Assert.True(relative < 1e-4f, $"gradient of {name} differs by {relative:g3} of its largest value");
        }
    }
}
