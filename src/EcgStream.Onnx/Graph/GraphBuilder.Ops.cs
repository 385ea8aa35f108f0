namespace EcgStream.Onnx.Graph;

// Typed helpers for the operators our models use. Each adds one node (or a node and its constant
// inputs) and returns the output name. Signatures follow the imported ONNX opset where it matters
// (ReduceMean, Squeeze and Unsqueeze take axes as an input from opsets 18 and 13).
public sealed partial class GraphBuilder
{
    public string MatMul(string a, string b) => Op("MatMul", [a, b]);
    public string Add(string a, string b) => Op("Add", [a, b]);
    public string Sub(string a, string b) => Op("Sub", [a, b]);
    public string Mul(string a, string b) => Op("Mul", [a, b]);
    public string Div(string a, string b) => Op("Div", [a, b]);
    public string Sqrt(string x) => Op("Sqrt", [x]);
    public string Relu(string x) => Op("Relu", [x]);
    public string Sigmoid(string x) => Op("Sigmoid", [x]);
    public string Tanh(string x) => Op("Tanh", [x]);
    public string Erf(string x) => Op("Erf", [x]);
    public string Identity(string x) => Op("Identity", [x]);
    public string Abs(string x) => Op("Abs", [x]);
    public string Exp(string x) => Op("Exp", [x]);
    public string Neg(string x) => Op("Neg", [x]);

    /// <summary>Elements of <paramref name="data"/> along <paramref name="axis"/> at constant int64 <paramref name="indices"/> of shape <paramref name="indexShape"/>.</summary>
    public string Gather(string data, ReadOnlySpan<long> indices, ReadOnlySpan<long> indexShape, long axis = 0) =>
        Op("Gather", [data, Initializer(FreshName("indices"), indices, indexShape)], Attr.Int("axis", axis));

    /// <summary>x[starts:ends] along <paramref name="axes"/> (constant bounds; opset ≥ 10 form).</summary>
    public string Slice(string x, ReadOnlySpan<long> starts, ReadOnlySpan<long> ends, ReadOnlySpan<long> axes)
    {
        RequireOpset(10, "Slice with bounds as inputs");
        return Op("Slice", [x, ConstantInt64("starts", starts), ConstantInt64("ends", ends), ConstantInt64("axes", axes)]);
    }

    /// <summary>Y = alpha·op(A)·op(B) + beta·C, with op = transpose where asked.</summary>
    public string Gemm(string a, string b, string? c = null, float alpha = 1f, float beta = 1f, bool transA = false, bool transB = false) =>
        Op("Gemm", c is null ? [a, b] : [a, b, c],
           Attr.Float("alpha", alpha), Attr.Float("beta", beta), Attr.Int("transA", transA ? 1 : 0), Attr.Int("transB", transB ? 1 : 0));

    public string Softmax(string x, long axis = -1) => Op("Softmax", [x], Attr.Int("axis", axis));

    /// <summary>The Gelu operator (opset 20); <paramref name="approximate"/> is "none" (exact, erf) or "tanh".</summary>
    public string Gelu(string x, string approximate = "none")
    {
        RequireOpset(20, "Gelu");
        return Op("Gelu", [x], Attr.String("approximate", approximate));
    }

    /// <summary>Exact GELU from primitives, x·½·(1 + erf(x/√2)), for any opset.</summary>
    public string GeluErf(string x)
    {
        var scaled = Mul(x, Constant("inv_sqrt2", [1f / MathF.Sqrt(2f)]));
        var one = Constant("one", [1f]);
        var half = Constant("half", [0.5f]);
        return Mul(Mul(x, half), Add(Erf(scaled), one));
    }

    public string LayerNormalization(string x, string scale, string? bias = null, long axis = -1, float epsilon = 1e-5f)
    {
        RequireOpset(17, "LayerNormalization");
        return Op("LayerNormalization", bias is null ? [x, scale] : [x, scale, bias], Attr.Int("axis", axis), Attr.Float("epsilon", epsilon));
    }

    public string Transpose(string x, params ReadOnlySpan<long> perm) => Op("Transpose", [x], Attr.Ints("perm", perm));

    /// <summary>Reshape to a constant shape (0 copies the input's dimension, -1 is inferred).</summary>
    public string Reshape(string x, params ReadOnlySpan<long> shape) => Op("Reshape", [x, ConstantInt64("shape", shape)]);

    public string ReduceMean(string x, ReadOnlySpan<long> axes, bool keepDims = true) =>
        OnnxOpset >= 18
            ? Op("ReduceMean", [x, ConstantInt64("axes", axes)], Attr.Int("keepdims", keepDims ? 1 : 0))
            : Op("ReduceMean", [x], Attr.Ints("axes", axes), Attr.Int("keepdims", keepDims ? 1 : 0));

    public string ReduceSum(string x, ReadOnlySpan<long> axes, bool keepDims = true) =>
        OnnxOpset >= 13
            ? Op("ReduceSum", [x, ConstantInt64("axes", axes)], Attr.Int("keepdims", keepDims ? 1 : 0))
            : Op("ReduceSum", [x], Attr.Ints("axes", axes), Attr.Int("keepdims", keepDims ? 1 : 0));

    public string ReduceMax(string x, ReadOnlySpan<long> axes, bool keepDims = true) =>
        OnnxOpset >= 18
            ? Op("ReduceMax", [x, ConstantInt64("axes", axes)], Attr.Int("keepdims", keepDims ? 1 : 0))
            : Op("ReduceMax", [x], Attr.Ints("axes", axes), Attr.Int("keepdims", keepDims ? 1 : 0));

    /// <summary>Elements of <paramref name="data"/> along <paramref name="axis"/> at the int64 indices computed by the graph.</summary>
    public string Gather(string data, string indices, long axis = 0) => Op("Gather", [data, indices], Attr.Int("axis", axis));

    public string Unsqueeze(string x, params ReadOnlySpan<long> axes) =>
        OnnxOpset >= 13 ? Op("Unsqueeze", [x, ConstantInt64("axes", axes)]) : Op("Unsqueeze", [x], Attr.Ints("axes", axes));

    public string Squeeze(string x, params ReadOnlySpan<long> axes) =>
        OnnxOpset >= 13 ? Op("Squeeze", [x, ConstantInt64("axes", axes)]) : Op("Squeeze", [x], Attr.Ints("axes", axes));

    public string Concat(long axis, params string[] inputs) => Op("Concat", inputs, Attr.Int("axis", axis));

    /// <summary>
    /// A dense layer over the last axis: x·W + b with W stored as [inFeatures, outFeatures]
    /// (row-major) and b as [outFeatures]. Initializers are named after <paramref name="name"/>.
    /// </summary>
    public string Linear(string x, string name, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int inFeatures, int outFeatures)
    {
        var w = Initializer($"{name}.weight", weight, inFeatures, outFeatures);
        var b = Initializer($"{name}.bias", bias, outFeatures);
        return Add(MatMul(x, w), b);
    }

    private void RequireOpset(int min, string op)
    {
        if (OnnxOpset < min)
            throw new InvalidOperationException($"{op} needs ONNX opset ≥ {min}; this graph imports opset {OnnxOpset}");
    }
}
