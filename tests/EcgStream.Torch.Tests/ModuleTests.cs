using static EcgStream.Torch.torch;

namespace EcgStream.Torch.Tests;

public sealed class ModuleTests
{
    [TorchFact]
    public void State_dict_names_follow_pytorchs_order_and_nesting()
    {
        using var block = nn.TransformerBlock(8, 2);
        Assert.Equal(
            [
                "norm1.weight", "norm1.bias",
                "attn.in_proj_weight", "attn.in_proj_bias", "attn.out_proj.weight", "attn.out_proj.bias",
                "norm2.weight", "norm2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
            ],
            block.state_dict().Keys);
        Assert.Equal([32L, 8L], block.fc1.weight.shape);
        Assert.Equal(12, block.parameters().Count());
        Assert.All(block.parameters(), p => Assert.True(p.requires_grad));
        Assert.Equal(["norm1", "attn", "norm2", "fc1", "fc2", "drop"], block.named_children().Select(c => c.name));
    }

    [TorchFact]
    public void Initialisation_follows_pytorchs_bounds()
    {
        manual_seed(0);
        using var linear = nn.Linear(100, 50);
        var bound = 1 / Math.Sqrt(100);
        Assert.All(linear.weight.ToArray<float>(), w => Assert.InRange(w, -bound, bound));
        Assert.True(linear.weight.ToArray<float>().Max() > 0.9 * bound);
        using var attn = nn.MultiheadAttention(16, 4);
        var xavier = Math.Sqrt(6.0 / (16 + 48));
        Assert.All(attn.in_proj_weight.ToArray<float>(), w => Assert.InRange(w, -xavier, xavier));
        Assert.All(attn.in_proj_bias!.ToArray<float>(), b => Assert.Equal(0f, b));
        using var norm = nn.LayerNorm(4);
        Assert.Equal([1f, 1, 1, 1], norm.weight!.ToArray<float>());
    }

    [TorchFact]
    public void Train_and_eval_switch_dropout_through_the_whole_tree()
    {
        using var scope = NewDisposeScope();
        using var block = nn.TransformerBlock(8, 2, dropout: 0.5);
        var x = randn([2, 3, 8]);
        Assert.True(block.drop.training);
        block.eval();
        Assert.False(block.drop.training);
        Assert.False(block.attn.out_proj.training);
        // In eval mode dropout is off, so the output is deterministic.
        Assert.True(block.forward(x, null).allclose(block.forward(x, null), 0, 0));
        block.train();
        Assert.False(block.forward(x, null).allclose(block.forward(x, null), 0, 0));
    }

    [TorchFact]
    public void To_converts_parameters_in_place_keeping_their_identity()
    {
        using var scope = NewDisposeScope();
        using var linear = nn.Linear(3, 2);
        var weight = linear.weight;
        var before = weight.ToArray<float>();
        linear.to(ScalarType.Float64);
        Assert.Same(weight, linear.weight);
        Assert.Equal(ScalarType.Float64, linear.weight.dtype);
        Assert.True(linear.weight.requires_grad);
        Assert.Equal(before.Select(v => (double)v), linear.weight.ToArray<double>());
        var y = linear.forward(ones([1, 3], ScalarType.Float64));
        Assert.Equal(ScalarType.Float64, y.dtype);
    }

    [TorchFact]
    public void Load_state_dict_checks_names_shapes_and_dtypes()
    {
        using var scope = NewDisposeScope();
        using var a = nn.Linear(3, 2);
        using var b = nn.Linear(3, 2);
        b.load_state_dict(a.state_dict());
        Assert.Equal(a.weight.ToArray<float>(), b.weight.ToArray<float>());
        var wrongShape = new Dictionary<string, Tensor> { ["weight"] = zeros([2, 4]), ["bias"] = zeros([2]) };
        Assert.Contains("'weight': shape [2, 4] does not match the module's [2, 3]", Assert.Throws<ArgumentException>(() => b.load_state_dict(wrongShape)).Message);
        var wrongType = new Dictionary<string, Tensor> { ["weight"] = zeros([2, 3], ScalarType.Float64), ["bias"] = zeros([2]) };
        Assert.Contains("'weight': dtype Float64 does not match the module's Float32", Assert.Throws<ArgumentException>(() => b.load_state_dict(wrongType)).Message);
        var partial = new Dictionary<string, Tensor> { ["bias"] = ones([2]) };
        Assert.Throws<ArgumentException>(() => b.load_state_dict(partial));
        b.load_state_dict(partial, strict: false);
        Assert.Equal([1f, 1], b.bias!.ToArray<float>());
    }

    [TorchFact]
    public void Constructors_reject_impossible_sizes()
    {
        Assert.Throws<ArgumentException>(() => nn.MultiheadAttention(10, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => nn.Linear(0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => nn.Dropout(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => nn.Embedding(4, 2, padding_idx: 4));
        using var attn = nn.MultiheadAttention(8, 2);
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => attn.forward(zeros([2, 3, 6]), null));
        Assert.Contains("expects [batch, tokens, 8], got [2, 3, 6]", e.Message);
    }
}
