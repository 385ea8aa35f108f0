using EcgStream.Training.Checkpoints;
using EcgStream.Training.Modules;
using static TorchSharp.torch;

namespace EcgStream.Training.Tests;

public sealed class AttentionTests
{
    [TorchFact]
    public void Fused_and_explicit_attention_agree_with_padded_keys_and_name_parameters_as_pytorch()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var fused = new TransformerBlock(24, 4, attention: AttentionKernel.Fused);
        using var written = new TransformerBlock(24, 4, attention: AttentionKernel.Explicit);
        written.LoadState(fused.state_dict());
        Assert.Equal(
            ["norm1.weight", "norm1.bias", "attn.in_proj_weight", "attn.in_proj_bias", "attn.out_proj.weight", "attn.out_proj.bias",
             "norm2.weight", "norm2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"],
            fused.state_dict().Keys);
        var x = randn(3, 10, 24);
        var padding = zeros(3, 10, dtype: ScalarType.Bool);
        padding[0, TensorIndex.Slice(6)] = tensor(true);   // window 0: only 6 keys take part
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
        manual_seed(7);
        using var fused = new TransformerBlock(24, 4, attention: AttentionKernel.Fused);
        using var written = new TransformerBlock(24, 4, attention: AttentionKernel.Explicit);
        written.LoadState(fused.state_dict());
        var x = randn(3, 10, 24);
        var padding = zeros(3, 10, dtype: ScalarType.Bool);
        padding[1, TensorIndex.Slice(4)] = tensor(true);
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
