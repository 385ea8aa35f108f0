using static EcgStream.Torch.torch;

namespace EcgStream.Torch.Tests;

/// <summary>
/// Compares autograd's gradients with central finite differences in double precision. The
/// loss is recomputed from the current values of <c>leaves</c>, which are perturbed in place
/// one element at a time (gradient recording off) and restored.
/// </summary>
internal static class GradCheck
{
    public static void Assert(Func<Tensor> loss, params Tensor[] leaves) => Assert(loss, 1e-6, 1e-4, leaves);

    public static void Assert(Func<Tensor> loss, double atol, double rtol, params Tensor[] leaves)
    {
        using var scope = NewDisposeScope();
        foreach (var leaf in leaves)
        {
            Xunit.Assert.Equal(ScalarType.Float64, leaf.dtype);
            Xunit.Assert.True(leaf.requires_grad, "every checked leaf must require grad");
        }
        optim.Optimizer.ZeroGrad(leaves, set_to_none: true);
        loss().backward();
        var analytic = leaves.Select(l => l.grad?.ToArray<double>() ?? new double[l.numel()]).ToArray();

        const double eps = 1e-6;
        using var noGrad = no_grad();
        for (var i = 0; i < leaves.Length; i++)
        {
            var leaf = leaves[i];
            var shape = leaf.shape;
            var values = leaf.ToArray<double>();
            for (var j = 0; j < values.Length; j++)
            {
                var v = values[j];
                values[j] = v + eps;
                leaf.copy_(tensor(values, shape));
                var plus = loss().item<double>();
                values[j] = v - eps;
                leaf.copy_(tensor(values, shape));
                var minus = loss().item<double>();
                values[j] = v;
                leaf.copy_(tensor(values, shape));
                var numeric = (plus - minus) / (2 * eps);
                var a = analytic[i][j];
                if (Math.Abs(a - numeric) > atol + rtol * Math.Abs(numeric))
                    Xunit.Assert.Fail($"leaf {i} [{string.Join(", ", shape)}] element {j}: autograd {a:R}, finite difference {numeric:R}");
            }
        }
    }

    /// <summary>A fixed random weighting that turns any output into a scalar whose gradient exercises every element.</summary>
    public static Tensor Project(Tensor output, int seed = 7)
    {
        var n = (int)output.numel();
        var rng = new Random(seed);
        var w = new double[n];
        for (var k = 0; k < n; k++) w[k] = rng.NextDouble() * 2 - 1;
        using var weights = tensor(w, output.shape);
        return (output.@double() * weights).sum();
    }

    public static Tensor Leaf(int seed, params long[] shape)
    {
        var n = shape.Aggregate(1L, (a, b) => a * b);
        var rng = new Random(seed);
        var v = new double[n];
        for (var k = 0; k < n; k++) v[k] = rng.NextDouble() * 2 - 1;
        return tensor(v, shape).requires_grad_();
    }
}
