using EcgStream.Inference.Tests.Support;
using EcgStream.Onnx.Graph;

namespace EcgStream.Inference.Tests;

/// <summary>Single operators built with the ONNX writer and run through our ORT binding, against reference math.</summary>
public class OperatorTests
{
    [Fact]
    public void MatMul_matches_reference()
    {
        var g = new GraphBuilder("matmul");
        var x = g.Input("x", ElementType.Float, "N", 3, 16);
        var w = Reference.Random(16 * 5, seed: 2);
        g.Node("MatMul", [x, g.Initializer("w", w, 16, 5)], ["y"]);
        g.Output("y", ElementType.Float, "N", 3, 5);
        var input = Reference.Random(2 * 3 * 16, seed: 1);

        var y = Graphs.RunSingle(g, [2, 3, 5], (input, [2, 3, 16]));

        Reference.AssertClose(Reference.MatMul(input, w, 2, 3, 16, 5), y);
    }

    [Fact]
    public void Gemm_with_transposed_B_alpha_beta_and_broadcast_bias_matches_reference()
    {
        var g = new GraphBuilder("gemm");
        var a = g.Input("a", ElementType.Float, 4, 6);
        var b = Reference.Random(3 * 6, seed: 3);           // stored [3, 6], used transposed
        var c = Reference.Random(3, seed: 4);
        g.Node("Identity", [g.Gemm(a, g.Initializer("b", b, 3, 6), g.Initializer("c", c, 3), alpha: 0.5f, beta: 2f, transB: true)], ["y"]);
        g.Output("y", ElementType.Float, 4, 3);
        var av = Reference.Random(4 * 6, seed: 5);

        var y = Graphs.RunSingle(g, [4, 3], (av, [4, 6]));

        var bt = Reference.Transpose(b, [3, 6], [1, 0]);
        var ab = Reference.MatMul(av, bt, 1, 4, 6, 3);
        var expected = new float[12];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 3; j++) expected[i * 3 + j] = (float)(0.5 * ab[i * 3 + j] + 2.0 * c[j]);
        Reference.AssertClose(expected, y);
    }

    [Fact]
    public void Add_and_Mul_broadcast_like_numpy()
    {
        var g = new GraphBuilder("add_mul");
        var x = g.Input("x", ElementType.Float, 2, 3, 4);
        var z = g.Input("z", ElementType.Float, 2, 3, 4);
        var bias = Reference.Random(4, seed: 7);
        g.Node("Identity", [g.Mul(g.Add(x, g.Initializer("bias", bias, 4)), z)], ["y"]);
        g.Output("y", ElementType.Float, 2, 3, 4);
        var xv = Reference.Random(24, seed: 8);
        var zv = Reference.Random(24, seed: 9);

        var y = Graphs.RunSingle(g, [2, 3, 4], (xv, [2, 3, 4]), (zv, [2, 3, 4]));

        var expected = new float[24];
        for (int i = 0; i < 24; i++) expected[i] = (xv[i] + bias[i % 4]) * zv[i];
        Reference.AssertClose(expected, y);
    }

    [Fact]
    public void Softmax_over_last_axis_matches_reference_and_rows_sum_to_one()
    {
        var g = new GraphBuilder("softmax");
        var x = g.Input("x", ElementType.Float, 2, 3, 7);
        g.Node("Identity", [g.Softmax(x, -1)], ["y"]);
        g.Output("y", ElementType.Float, 2, 3, 7);
        var xv = Reference.Random(42, seed: 10, scale: 5f);

        var y = Graphs.RunSingle(g, [2, 3, 7], (xv, [2, 3, 7]));

        Reference.AssertClose(Reference.Softmax(xv, 7), y);
        for (int r = 0; r < 6; r++) Assert.Equal(1.0, y.Skip(r * 7).Take(7).Sum(v => (double)v), 5);
    }

    [Fact]
    public void LayerNormalization_matches_reference()
    {
        var g = new GraphBuilder("layernorm");
        var x = g.Input("x", ElementType.Float, "N", 5, 16);
        var scale = Reference.Random(16, seed: 11);
        var bias = Reference.Random(16, seed: 12);
        g.Node("Identity", [g.LayerNormalization(x, g.Initializer("s", scale, 16), g.Initializer("b", bias, 16), -1, 1e-5f)], ["y"]);
        g.Output("y", ElementType.Float, "N", 5, 16);
        var xv = Reference.Random(3 * 5 * 16, seed: 13, scale: 3f);

        var y = Graphs.RunSingle(g, [3, 5, 16], (xv, [3, 5, 16]));

        Reference.AssertClose(Reference.LayerNorm(xv, 16, scale, bias, 1e-5), y);
    }

    [Fact]
    public void Erf_Gelu_and_composite_GeluErf_match_reference()
    {
        var g = new GraphBuilder("gelu");
        var x = g.Input("x", ElementType.Float, 64);
        g.Node("Identity", [g.Erf(x)], ["erf"]);
        g.Node("Identity", [g.Gelu(x)], ["gelu"]);
        g.Node("Identity", [g.GeluErf(x)], ["gelu_erf"]);
        g.Output("erf", ElementType.Float, 64);
        g.Output("gelu", ElementType.Float, 64);
        g.Output("gelu_erf", ElementType.Float, 64);
        var xv = Reference.Random(64, seed: 14, scale: 4f);

        using var session = InferenceSession.Load(g.ToBytes());
        using var input = OrtTensor.FromData(xv, [64]);
        using var erf = OrtTensor.Create([64]);
        using var gelu = OrtTensor.Create([64]);
        using var geluErf = OrtTensor.Create([64]);
        session.Run([input], [erf, gelu, geluErf]);

        Reference.AssertClose(xv.Select(v => (float)Reference.Erf(v)).ToArray(), erf.Span);
        var expectedGelu = xv.Select(v => (float)Reference.Gelu(v)).ToArray();
        Reference.AssertClose(expectedGelu, gelu.Span);
        Reference.AssertClose(expectedGelu, geluErf.Span);
    }

    [Fact]
    public void Transpose_and_Reshape_move_elements_like_reference()
    {
        var g = new GraphBuilder("transpose_reshape");
        var x = g.Input("x", ElementType.Float, 2, 3, 4);
        g.Node("Identity", [g.Transpose(x, 2, 0, 1)], ["t"]);
        g.Node("Identity", [g.Reshape(x, 0, -1)], ["r"]);
        g.Output("t", ElementType.Float, 4, 2, 3);
        g.Output("r", ElementType.Float, 2, 12);
        var xv = Enumerable.Range(0, 24).Select(i => (float)i).ToArray();

        using var session = InferenceSession.Load(g.ToBytes());
        using var input = OrtTensor.FromData(xv, [2, 3, 4]);
        using var t = OrtTensor.Create([4, 2, 3]);
        using var r = OrtTensor.Create([2, 12]);
        session.Run([input], [t, r]);

        Assert.Equal(Reference.Transpose(xv, [2, 3, 4], [2, 0, 1]), t.Span.ToArray());
        Assert.Equal(xv, r.Span.ToArray());
        Assert.Equal(new long[] { 4, 2, 3 }, session.Outputs[0].Shape);
    }

    [Theory]
    [InlineData(20)]   // axes as an input (opset ≥ 18)
    [InlineData(17)]   // axes as an attribute
    public void ReduceMean_matches_reference_in_both_opset_forms(int opset)
    {
        var g = new GraphBuilder("reduce_mean", opset);
        var x = g.Input("x", ElementType.Float, 2, 3, 4);
        g.Node("Identity", [g.ReduceMean(x, [1], keepDims: false)], ["y"]);
        g.Output("y", ElementType.Float, 2, 4);
        var xv = Reference.Random(24, seed: 15);

        var y = Graphs.RunSingle(g, [2, 4], (xv, [2, 3, 4]));

        var expected = new float[8];
        for (int b = 0; b < 2; b++)
            for (int k = 0; k < 4; k++)
                expected[b * 4 + k] = (float)((xv[b * 12 + k] + (double)xv[b * 12 + 4 + k] + xv[b * 12 + 8 + k]) / 3);
        Reference.AssertClose(expected, y);
    }
}
