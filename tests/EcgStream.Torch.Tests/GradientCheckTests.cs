using static EcgStream.Torch.torch;
using F = EcgStream.Torch.torch.nn.functional;

namespace EcgStream.Torch.Tests;

/// <summary>Autograd's gradients against central finite differences (float64) for every differentiable op.</summary>
public sealed class GradientCheckTests
{
    private static readonly Dictionary<string, (long[][] Shapes, Func<Tensor[], Tensor> Op)> Ops = new()
    {
        ["add"] = ([[2, 3], [3]], x => x[0] + x[1]),
        ["sub"] = ([[2, 3], [2, 3]], x => x[0] - x[1]),
        ["mul"] = ([[2, 3], [2, 1]], x => x[0] * x[1]),
        ["div"] = ([[2, 3], [2, 3]], x => x[0] / (x[1].square() + 0.5)),
        ["pow"] = ([[4]], x => (x[0].square() + 0.5).pow(1.7)),
        ["pow_tensor"] = ([[3], [3]], x => (x[0].square() + 0.5).pow(x[1])),
        ["scalar_ops"] = ([[4]], x => (3 - x[0]) * 2 / (x[0].square() + 1) + 1 / (x[0].square() + 2)),
        ["neg_exp_log"] = ([[4]], x => (-x[0]).exp() + (x[0].square() + 0.1).log()),
        ["sqrt_rsqrt"] = ([[4]], x => (x[0].square() + 0.2).sqrt() + (x[0].square() + 0.3).rsqrt()),
        ["tanh_sigmoid"] = ([[5]], x => x[0].tanh() * x[0].sigmoid()),
        ["sin_cos"] = ([[5]], x => x[0].sin() + x[0].cos().square()),
        ["reciprocal_log1p"] = ([[4]], x => (x[0].square() + 1).reciprocal() + x[0].square().log1p()),
        ["relu_abs"] = ([[6]], x => (x[0] + 0.05).relu() + (x[0] - 0.03).abs()),
        ["maximum_minimum"] = ([[5], [5]], x => x[0].maximum(x[1] + 0.01) + x[0].minimum(x[1] - 0.01)),
        ["clamp"] = ([[6]], x => x[0].clamp(-0.5, 0.5)),
        ["sum_mean"] = ([[2, 3, 2]], x => x[0].sum(1, keepdim: true) * x[0].mean([0, 2], keepdim: true)),
        ["var_std"] = ([[3, 4]], x => x[0].var(1) + x[0].std(0).sum()),
        ["norm_amax_amin"] = ([[3, 4]], x => x[0].norm() + x[0].amax(1) + x[0].amin(0).sum()),
        ["matmul"] = ([[2, 3, 4], [4, 2]], x => x[0].matmul(x[1])),
        ["bmm"] = ([[2, 3, 4], [2, 4, 2]], x => x[0].bmm(x[1])),
        ["linear"] = ([[3, 4], [2, 4], [2]], x => F.linear(x[0], x[1], x[2])),
        ["softmax"] = ([[2, 5]], x => x[0].softmax(1)),
        ["log_softmax"] = ([[2, 5]], x => x[0].log_softmax(-1)),
        ["layer_norm"] = ([[2, 3, 4], [4], [4]], x => F.layer_norm(x[0], 1, x[1], x[2])),
        ["layer_norm_2d"] = ([[2, 3, 4]], x => F.layer_norm(x[0], 2)),
        ["gelu"] = ([[6]], x => F.gelu(x[0] * 3)),
        ["gelu_tanh"] = ([[6]], x => F.gelu(x[0] * 3, tanh_approximation: true)),
        ["conv1d"] = ([[2, 2, 6], [3, 2, 3], [3]], x => F.conv1d(x[0], x[1], x[2], stride: 2, padding: 1)),
        ["conv1d_groups_dilation"] = ([[1, 4, 7], [4, 2, 2]], x => F.conv1d(x[0], x[1], null, dilation: 2, groups: 2)),
        ["embedding"] = ([[5, 3]], x => F.embedding(tensor(new[] { 4L, 0, 4, 2 }, 2, 2), x[0])),
        ["mse_loss"] = ([[2, 3], [2, 3]], x => F.mse_loss(x[0], x[1])),
        ["cross_entropy"] = ([[3, 4]], x => F.cross_entropy(x[0], tensor(new[] { 1L, 3, 0 }), label_smoothing: 0.1)),
        ["cross_entropy_weighted_sum"] = ([[3, 4]], x => F.cross_entropy(x[0], tensor(new[] { 1L, 3, 0 }), tensor(new[] { 0.5, 2, 1, 1.5 }), reduction: nn.Reduction.Sum)),
        ["bce_with_logits"] = ([[2, 3], [2, 3]], x => F.binary_cross_entropy_with_logits(x[0], x[1].sigmoid(), pos_weights: tensor(new[] { 0.5, 1, 3 }))),
        ["kl_div"] = ([[2, 4], [2, 4]], x => F.kl_div(x[0].log_softmax(1), x[1].softmax(1), nn.Reduction.BatchMean)),
        ["kl_div_log_target"] = ([[2, 4], [2, 4]], x => F.kl_div(x[0].log_softmax(1), x[1].log_softmax(1), nn.Reduction.Sum, log_target: true)),
        ["reshape_permute_transpose"] = ([[2, 3, 4]], x => x[0].reshape(6, 4).transpose(0, 1).reshape(2, 2, 6).permute(2, 0, 1)),
        ["narrow_select_squeeze"] = ([[3, 1, 4]], x => x[0].narrow(2, 1, 2).squeeze(1) * x[0].select(0, 2).flatten().narrow(0, 0, 2)),
        ["index_select_gather"] = ([[3, 4]], x => x[0].index_select(1, tensor(new[] { 3L, 0, 3 })) + x[0].gather(1, tensor(new[] { 0L, 1, 1, 2, 3, 3, 0, 0, 2 }, 3, 3))),
        ["cat_stack"] = ([[2, 3], [1, 3]], x => stack([cat([x[0], x[1]], 0), cat([x[1], x[0]], 0)], 1)),
        ["expand_unsqueeze"] = ([[3]], x => x[0].unsqueeze(0).expand(4, 3) * arange(0, 12, 1, ScalarType.Float64).reshape(4, 3)),
        ["masked_fill_where"] = ([[2, 3], [2, 3]], x => where(tensor(new[] { true, false, true, false, false, true }, 2, 3), x[0], x[1]).masked_fill(tensor(new[] { false, true, false }), 0.5)),
    };

    public static TheoryData<string> OpNames() => new(Ops.Keys);

    [TorchTheory]
    [MemberData(nameof(OpNames))]
    public void Op_gradients_match_finite_differences(string op)
    {
        using var scope = NewDisposeScope();
        var (shapes, f) = Ops[op];
        var leaves = shapes.Select((s, i) => GradCheck.Leaf(100 + i, s)).ToArray();
        GradCheck.Assert(() => GradCheck.Project(f(leaves)), leaves);
    }

    [TorchFact]
    public void Dropout_gradient_is_the_kept_mask_scaled_by_one_over_keep_probability()
    {
        using var scope = NewDisposeScope();
        var x = GradCheck.Leaf(3, 1000);
        manual_seed(5);
        var y = F.dropout(x, 0.25, training: true);
        y.sum().backward();
        var kept = y.ne(0).ToArray<bool>();
        var g = x.grad!.ToArray<double>();
        for (var i = 0; i < g.Length; i++) Assert.Equal(kept[i] ? 1 / 0.75 : 0, g[i], 12);
        Assert.InRange(kept.Count(k => !k), 180, 320);
        // Evaluation mode is the identity.
        Assert.True(F.dropout(x, 0.25, training: false).allclose(x, 0, 0));
    }

    [TorchFact]
    public void Module_gradients_match_finite_differences()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var linear = nn.Linear(3, 2, dtype: ScalarType.Float64);
        var x = GradCheck.Leaf(1, 2, 3);
        GradCheck.Assert(() => GradCheck.Project(linear.forward(x)), [x, .. linear.parameters()]);

        using var norm = nn.LayerNorm(4, dtype: ScalarType.Float64);
        var y = GradCheck.Leaf(2, 2, 4);
        using (no_grad()) { norm.weight!.add_(0.3); norm.bias!.add_(-0.2); }
        GradCheck.Assert(() => GradCheck.Project(norm.forward(y)), [y, .. norm.parameters()]);

        using var emb = nn.Embedding(5, 3, padding_idx: 1, dtype: ScalarType.Float64);
        var idx = tensor(new[] { 0L, 3, 4, 4 });
        GradCheck.Assert(() => GradCheck.Project(emb.forward(idx)), [.. emb.parameters()]);
        Assert.Equal(new double[3], emb.weight.select(0, 1).ToArray<double>());   // padding row starts at zero
        emb.zero_grad();
        emb.forward(tensor(new[] { 1L, 2 })).sum().backward();
        Assert.Equal(new double[3], emb.weight.grad!.select(0, 1).ToArray<double>());   // ... and gets no gradient
        Assert.Equal([1.0, 1, 1], emb.weight.grad!.select(0, 2).ToArray<double>());
    }

    [TorchFact]
    public void Attention_gradients_match_finite_differences_with_and_without_a_padding_mask()
    {
        using var scope = NewDisposeScope();
        manual_seed(12);
        using var attn = nn.MultiheadAttention(4, 2, dtype: ScalarType.Float64);
        // Non-zero biases so their gradients are exercised at a generic point.
        using (no_grad()) { nn.init.uniform_(attn.in_proj_bias!, -0.5, 0.5); nn.init.uniform_(attn.out_proj.bias!, -0.5, 0.5); }
        var x = GradCheck.Leaf(4, 2, 3, 4);
        var mask = tensor(new[] { false, false, true, false, false, false }, 2, 3);
        GradCheck.Assert(() => GradCheck.Project(attn.forward(x, null)), [x, .. attn.parameters()]);
        GradCheck.Assert(() => GradCheck.Project(attn.forward(x, mask)), [x, .. attn.parameters()]);
    }

    [TorchFact]
    public void Masked_keys_do_not_influence_the_output()
    {
        using var scope = NewDisposeScope();
        manual_seed(13);
        using var attn = nn.MultiheadAttention(4, 2, dtype: ScalarType.Float64);
        var x = GradCheck.Leaf(5, 1, 3, 4);
        var mask = tensor(new[] { false, true, false }, 1, 3);
        var y = attn.forward(x, mask);
        y.sum().backward();
        // Token 1 is masked as a key: it only affects its own output row (as a query), so the
        // other rows' outputs have zero gradient with respect to it.
        var x2 = x.detach().clone().requires_grad_();
        attn.forward(x2, mask).narrow(1, 0, 1).sum().backward();
        Assert.Equal(new double[4], x2.grad!.select(1, 1).ToArray<double>());
    }

    [TorchFact]
    public void Transformer_block_gradients_match_finite_differences()
    {
        using var scope = NewDisposeScope();
        manual_seed(14);
        using var block = nn.TransformerBlock(4, 2, mlp_ratio: 2, dtype: ScalarType.Float64);
        using (no_grad())
        {
            foreach (var (name, p) in block.named_parameters())
                if (name.EndsWith("bias")) nn.init.uniform_(p, -0.3, 0.3);
        }
        var x = GradCheck.Leaf(6, 2, 3, 4);
        var mask = tensor(new[] { false, false, false, false, true, false }, 2, 3);
        GradCheck.Assert(() => GradCheck.Project(block.forward(x, mask)), [x, .. block.parameters()]);
    }
}
