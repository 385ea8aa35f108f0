using FsCheck;
using FsCheck.Fluent;
using static EcgStream.Torch.torch;

namespace EcgStream.Torch.Tests;

public sealed class TensorTests
{
    [TorchFact]
    public void Data_round_trips_through_native_memory_for_every_managed_type()
    {
        using var scope = NewDisposeScope();
        float[] f = [1.5f, -2, 3.25f, 0, 5, 6];
        var t = tensor(f, 2, 3);
        Assert.Equal(ScalarType.Float32, t.dtype);
        Assert.Equal([2L, 3L], t.shape);
        Assert.Equal(f, t.ToArray<float>());
        Assert.Equal([1.0, 2.0], tensor(new[] { 1.0, 2.0 }).ToArray<double>());
        Assert.Equal([long.MaxValue, -1L], tensor(new[] { long.MaxValue, -1L }).ToArray<long>());
        Assert.Equal([true, false, true], tensor(new[] { true, false, true }).ToArray<bool>());
        Assert.Equal([7, 8], tensor(new[] { 7, 8 }).ToArray<int>());
        // The tensor owns a copy: changing the managed array afterwards does not change it.
        f[0] = 99;
        Assert.Equal(1.5f, t.ToArray<float>()[0]);
        Assert.Equal(3.25f, tensor(new[] { 3.25f }).item<float>());
    }

    [TorchFact]
    public void Prop_any_float_array_round_trips_exactly()
    {
        Prop.ForAll<float[]>(values =>
        {
            using var scope = NewDisposeScope();
            var back = tensor(values).ToArray<float>();
            return back.Length == values.Length && back.Zip(values).All(p => p.First.Equals(p.Second));
        }).QuickCheckThrowOnFailure();
    }

    [TorchFact]
    public void Views_index_and_join_as_torch_defines_them()
    {
        using var scope = NewDisposeScope();
        var x = arange(0, 6, 1, ScalarType.Float32).reshape(2, 3);        // [[0,1,2],[3,4,5]]
        Assert.Equal([0f, 3, 1, 4, 2, 5], x.transpose(0, 1).contiguous().ToArray<float>());
        Assert.Equal([0f, 3, 1, 4, 2, 5], x.permute(1, 0).ToArray<float>());
        Assert.False(x.transpose(0, 1).is_contiguous());
        Assert.Equal([1f, 2, 4, 5], x.narrow(1, 1, 2).ToArray<float>());
        Assert.Equal([3f, 4, 5], x.select(0, 1).ToArray<float>());
        Assert.Equal([2f, 0, 5, 3], x.index_select(1, tensor(new[] { 2L, 0L })).ToArray<float>());
        Assert.Equal([2f, 2, 3, 5], x.gather(1, tensor(new[] { 2L, 2, 0, 2 }, 2, 2)).ToArray<float>());
        Assert.Equal([4L, 3L], cat([x, x], 0).shape);
        Assert.Equal([2L, 2L, 3L], stack([x, x], 0).shape);
        Assert.Equal([0f, 1, 2, 0, 1, 2], x.select(0, 0).expand(2, 3).ToArray<float>());
        Assert.Equal([1L, 2L, 3L], x.unsqueeze(0).shape);
        Assert.Equal([6L], x.flatten().shape);
        var mask = tensor(new[] { true, false, true, false, false, true }, 2, 3);
        Assert.Equal([-1f, 1, -1, 3, 4, -1], x.masked_fill(mask, -1).ToArray<float>());
        Assert.Equal([0f, -1, 2, -1, -1, 5], where(mask, x, full([1], -1)).ToArray<float>());
        // A view shares storage with its base, as in torch.
        var row = x.select(0, 0);
        row.mul_(10);
        Assert.Equal([0f, 10, 20, 3, 4, 5], x.ToArray<float>());
    }

    [TorchFact]
    public void Arithmetic_reductions_and_products_match_direct_computation()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new[] { 1.0, 2, 3, 4, 5, 6 }, 2, 3);
        var b = tensor(new[] { 0.5, -1, 2 }, 3);
        Assert.Equal([1.5, 1, 5, 4.5, 4, 8], (a + b).ToArray<double>());
        Assert.Equal([0.5, 3, 1, 3.5, 6, 4], (a - b).ToArray<double>());
        Assert.Equal([0.5, -2, 6, 2, -5, 12], (a * b).ToArray<double>());
        Assert.Equal([2.0, -2, 1.5, 8, -5, 3], (a / b).ToArray<double>());
        Assert.Equal([9.0, 8, 7, 6, 5, 4], (10 - a).ToArray<double>());
        Assert.Equal([1.0, 0.5, 1.0 / 3, 0.25, 0.2, 1.0 / 6], (1 / a).ToArray<double>());
        Assert.Equal([1.0, 4, 9, 16, 25, 36], a.pow(2).ToArray<double>());
        Assert.Equal(21.0, a.sum().item<double>());
        Assert.Equal([5.0, 7, 9], a.sum(0).ToArray<double>());
        Assert.Equal([2.0, 5], a.mean(1).ToArray<double>());
        Assert.Equal([3.0, 6], a.amax(1).ToArray<double>());
        Assert.Equal(3.5, a.var().item<double>(), 12);   // unbiased: 17.5 / 5
        Assert.Equal(Math.Sqrt(91), a.norm().item<double>(), 12);
        var (values, indexes) = a.max(1);
        Assert.Equal([3.0, 6], values.ToArray<double>());
        Assert.Equal([2L, 2], indexes.ToArray<long>());
        Assert.Equal([false, true, true, true, true, true], a.gt(1.5).ToArray<bool>());
        Assert.Equal([1.0, 2, 3, 3, 3, 3], a.clamp(0, 3).ToArray<double>());

        // [2,3] x [3,2]: row-major products by hand.
        var m = tensor(new[] { 1.0, 0, 0, 1, 1, 1 }, 3, 2);
        Assert.Equal([4.0, 5, 10, 11], a.matmul(m).ToArray<double>());
        Assert.Equal([4.0, 5, 10, 11], bmm(a.unsqueeze(0), m.unsqueeze(0)).ToArray<double>());
        var bias = tensor(new[] { 1.0, -1 });
        Assert.Equal([5.0, 4, 11, 10], nn.functional.linear(a, m.transpose(0, 1), bias).ToArray<double>());

        // In place keeps identity.
        var c = a.clone();
        c.add_(b, alpha: 2).mul_(0.5);
        Assert.Equal([1.0, 0, 3.5, 2.5, 1.5, 5], c.ToArray<double>());
    }

    [TorchFact]
    public void Neural_network_functions_match_their_definitions()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2, 3, -1, 0, 1 }, 2, 3);
        var sm = x.softmax(1).ToArray<double>();
        var e = new[] { Math.Exp(1), Math.Exp(2), Math.Exp(3) };
        Assert.Equal(e[2] / e.Sum(), sm[2], 12);
        Assert.Equal(Math.Log(e[0] / e.Sum()), x.log_softmax(1).ToArray<double>()[0], 12);
        var ln = nn.functional.layer_norm(x, 1).ToArray<double>();
        var sd = Math.Sqrt(2.0 / 3 + 1e-5);
        Assert.Equal(-1 / sd, ln[0], 9);
        Assert.Equal(1 / sd, ln[5], 9);
        // GELU(x) = x·Φ(x); Φ(1) = 0.841344746...
        Assert.Equal(0.8413447460685429, nn.functional.gelu(tensor(new[] { 1.0 })).item<double>(), 12);
        // conv1d: a [1,1,4] signal with a [1,1,2] kernel (cross-correlation, as torch).
        var conv = nn.functional.conv1d(tensor(new[] { 1.0, 2, 3, 4 }, 1, 1, 4), tensor(new[] { 1.0, -1 }, 1, 1, 2));
        Assert.Equal([-1.0, -1, -1], conv.ToArray<double>());
        var emb = nn.functional.embedding(tensor(new[] { 2L, 0 }), tensor(new[] { 1.0, 2, 3, 4, 5, 6 }, 3, 2));
        Assert.Equal([5.0, 6, 1, 2], emb.ToArray<double>());

        var logits = tensor(new[] { 2.0, 0, 0, 1 }, 2, 2);
        var target = tensor(new[] { 0L, 1 });
        var ce = nn.functional.cross_entropy(logits, target).item<double>();
        Assert.Equal((Math.Log(1 + Math.Exp(-2)) + Math.Log(1 + Math.Exp(-1))) / 2, ce, 12);
        var bce = nn.functional.binary_cross_entropy_with_logits(tensor(new[] { 0.0 }), tensor(new[] { 1.0 })).item<double>();
        Assert.Equal(Math.Log(2), bce, 12);
        Assert.Equal(2.5, nn.functional.mse_loss(tensor(new[] { 1.0, 2 }), tensor(new[] { 0.0, 4 })).item<double>(), 12);
        // KL(p || q) with q given as log-probabilities.
        var p = new[] { 0.25, 0.75 };
        var q = new[] { 0.5, 0.5 };
        var kl = nn.functional.kl_div(tensor(q.Select(v => Math.Log(v)).ToArray(), 1, 2), tensor(p, 1, 2), nn.Reduction.BatchMean).item<double>();
        Assert.Equal(p.Zip(q).Sum(t => t.First * Math.Log(t.First / t.Second)), kl, 12);
    }

    [TorchFact]
    public void Random_numbers_repeat_under_the_same_seed_and_have_the_right_distribution()
    {
        using var scope = NewDisposeScope();
        manual_seed(42);
        var a = randn([1000]).ToArray<float>();
        var perm = randperm(10).ToArray<long>();
        manual_seed(42);
        Assert.Equal(a, randn([1000]).ToArray<float>());
        Assert.Equal(perm, randperm(10).ToArray<long>());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), perm.Order());
        Assert.InRange(a.Average(), -0.15, 0.15);
        var u = rand([1000]).ToArray<float>();
        Assert.All(u, v => Assert.InRange(v, 0f, 1f));
        Assert.All(randint(3, 7, [100]).ToArray<long>(), v => Assert.InRange(v, 3L, 6L));
        var sorted = argsort(tensor(new[] { 3.0, 1, 2 })).ToArray<long>();
        Assert.Equal([1L, 2, 0], sorted);
    }

    [TorchFact]
    public void Thread_count_is_settable()
    {
        var before = get_num_threads();
        try
        {
            set_num_threads(2);
            Assert.Equal(2, get_num_threads());
        }
        finally
        {
            set_num_threads(before);
        }
        Assert.StartsWith("1.", version.Length > 0 ? version : "?");
    }
}
