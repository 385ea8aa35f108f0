using EcgStream.Inference.Quantization;
using EcgStream.Inference.Tests.Support;
using EcgStream.Onnx.Graph;
using EcgStream.Onnx.Proto;
using EcgStream.Onnx.Quantization;
using Google.Protobuf;

namespace EcgStream.Inference.Tests;

/// <summary>The int8 graph pass (static QDQ and dynamic), its calibration statistics, and the quantized graphs in ONNX Runtime.</summary>
public class QuantizationTests
{
    private const int Tokens = 5, Dim = 8, Heads = 2;

    /// <summary>A pre-norm transformer layer and a linear head over [N, 5, 8] tokens: the operators our exported models quantize.</summary>
    private static ModelProto TinyTransformer()
    {
        var g = new GraphBuilder("tiny_transformer");
        var x = g.Input("x", ElementType.Float, "N", Tokens, Dim);
        int seed = 10;
        float[] R(int n, float scale = 0.4f) => Reference.Random(n, seed++, scale);
        var attention = new AttentionWeights(R(Dim * Dim), R(Dim), R(Dim * Dim), R(Dim), R(Dim * Dim), R(Dim), R(Dim * Dim), R(Dim));
        var layer = new EncoderLayerWeights([.. Enumerable.Repeat(1f, Dim)], new float[Dim], attention, [.. Enumerable.Repeat(1f, Dim)], new float[Dim],
            R(Dim * 16), R(16), R(16 * Dim), R(Dim), 16);
        var h = g.EncoderLayer(x, "block0", layer, Dim, Heads);
        var y = g.Linear(g.ReduceMean(h, [1], keepDims: false), "head", R(Dim * 3), R(3), Dim, 3);
        g.Node("Identity", [y], ["y"]);
        g.Output("y", ElementType.Float, "N", 3);
        return g.Build();
    }

    private static float[] Input(int n, int seed) => Reference.Random(n * Tokens * Dim, seed, 2f);

    private static float[] Run(ModelProto model, float[] x, int n)
    {
        using var session = InferenceSession.Load(model.ToByteArray());
        using var input = OrtTensor.FromData(x, [n, Tokens, Dim]);
        using var output = OrtTensor.Create([n, 3]);
        session.Run([input], [output]);
        return output.Span.ToArray();
    }

    private static Dictionary<string, float> Calibrate(ModelProto model, CalibrationMethod method)
    {
        using var calibrator = new ActivationCalibrator(model);
        for (int b = 0; b < 4; b++)
        {
            using var x = OrtTensor.FromData(Input(8, 100 + b), [8, Tokens, Dim]);
            calibrator.Observe([("x", x)]);
        }
        return calibrator.Scales(method);
    }

    [Fact]
    public void Qdq_graph_has_the_structure_onnx_runtime_fuses_and_tensorrt_reads_as_explicit_int8()
    {
        var fp32 = TinyTransformer();
        var targets = Int8Quantizer.Targets(fp32);
        Assert.Equal(7, targets.Count);   // q, k, v, out, fc1, fc2, head; attention's activation products are not weights
        var q = Int8Quantizer.QuantizeQdq(fp32, Calibrate(fp32, CalibrationMethod.MinMax));

        Assert.True(q.OpsetImport.Single(o => o.Domain == "").Version >= 13);
        var init = q.Graph.Initializer.ToDictionary(t => t.Name);
        var producer = q.Graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        var matmuls = q.Graph.Node.Where(n => n.OpType == "MatMul" && (producer.GetValueOrDefault(n.Input[1])?.OpType == "DequantizeLinear")).ToList();
        Assert.Equal(targets.Count, matmuls.Count);
        foreach (var t in targets) Assert.DoesNotContain(t.Weight, init.Keys);   // the float32 weights are gone
        foreach (var mm in matmuls)
        {
            // Weight: int8 [K, N] → DequantizeLinear(axis 1) with N float scales and N int8 zero points (all 0).
            var wdq = producer[mm.Input[1]];
            Assert.Equal(1, wdq.Attribute.Single(a => a.Name == "axis").I);
            var (w, ws, wz) = (init[wdq.Input[0]], init[wdq.Input[1]], init[wdq.Input[2]]);
            Assert.Equal((int)ElementType.Int8, w.DataType);
            Assert.Equal(2, w.Dims.Count);
            Assert.Equal((int)ElementType.Float, ws.DataType);
            Assert.Equal(w.Dims[1], ws.Dims.Single());
            Assert.Equal((int)ElementType.Int8, wz.DataType);
            Assert.All(wz.RawData.ToByteArray(), b => Assert.Equal(0, b));
            // Activation: QuantizeLinear → DequantizeLinear with one scale and int8 zero point 0, shared by the pair.
            var adq = producer[mm.Input[0]];
            Assert.Equal("DequantizeLinear", adq.OpType);
            var aq = producer[adq.Input[0]];
            Assert.Equal("QuantizeLinear", aq.OpType);
            Assert.Equal(aq.Input[1], adq.Input[1]);
            Assert.Equal(aq.Input[2], adq.Input[2]);
            Assert.Empty(init[aq.Input[1]].Dims);
            Assert.True(BitConverter.ToSingle(init[aq.Input[1]].RawData.Span) > 0);
            var az = init[aq.Input[2]];
            Assert.Equal((int)ElementType.Int8, az.DataType);
            Assert.Empty(az.Dims);
            Assert.Equal(0, az.RawData[0]);
        }
        // q, k and v read one LayerNorm output through one shared Q → DQ pair.
        Assert.Equal(targets.Select(t => t.Activation).Distinct().Count(), q.Graph.Node.Count(n => n.OpType == "QuantizeLinear"));
        Assert.Equal("int8 QDQ", q.MetadataProps.Single(p => p.Key == Int8Quantizer.MetadataKey).Value);
    }

    [Theory]
    [InlineData(CalibrationMethod.MinMax, QdqActivations.Int8)]
    [InlineData(CalibrationMethod.Percentile, QdqActivations.Int8)]
    [InlineData(CalibrationMethod.MinMax, QdqActivations.UInt8)]
    public void Int8_qdq_outputs_stay_within_a_few_percent_of_fp32(CalibrationMethod method, QdqActivations activations)
    {
        var fp32 = TinyTransformer();
        var q = Int8Quantizer.QuantizeQdq(fp32, Calibrate(fp32, method), activations: activations);
        var zeroPoints = q.Graph.Node.Where(n => n.OpType == "QuantizeLinear").Select(n => q.Graph.Initializer.Single(t => t.Name == n.Input[2])).ToList();
        Assert.All(zeroPoints, z => Assert.Equal(activations == QdqActivations.Int8 ? (int)ElementType.Int8 : (int)ElementType.UInt8, z.DataType));
        Assert.All(zeroPoints, z => Assert.Equal(activations == QdqActivations.Int8 ? 0 : 128, z.RawData[0]));
        var x = Input(6, 7);
        var expected = Run(fp32, x, 6);
        var actual = Run(q, x, 6);
        double range = expected.Max(v => Math.Abs(v));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 0.03 * range, $"output {i}: int8 {actual[i]}, fp32 {expected[i]} (range {range})");
        Assert.NotEqual(expected, actual);   // it did quantize
    }

    [Fact]
    public void Dynamic_matmulinteger_graph_runs_close_to_fp32()
    {
        var fp32 = TinyTransformer();
        var d = Int8Quantizer.QuantizeDynamic(fp32);
        Assert.Equal(7, d.Graph.Node.Count(n => n.OpType == "MatMulInteger"));
        Assert.Equal(7, d.Graph.Node.Count(n => n.OpType == "DynamicQuantizeLinear") + 2);   // q, k, v share one; 5 distinct activations
        var x = Input(6, 8);
        var expected = Run(fp32, x, 6);
        var actual = Run(d, x, 6);
        double range = expected.Max(v => Math.Abs(v));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 0.03 * range, $"output {i}: dynamic int8 {actual[i]}, fp32 {expected[i]}");
    }

    [Fact]
    public void Calibrated_minmax_scale_is_the_largest_activation_magnitude_over_127()
    {
        // y = relu(x·W1)·W2: the MatMuls read x and relu(x·W1); their MinMax scales are max|·|/127, computed here by hand.
        var g = new GraphBuilder("two_layers");
        var x = g.Input("x", ElementType.Float, "N", 2);
        float[] w1 = [1, -2, 0.5f, 3], w2 = [1, 1, -1, 2];
        var h = g.Relu(g.MatMul(x, g.Initializer("w1", w1, 2, 2)));
        g.Node("MatMul", [h, g.Initializer("w2", w2, 2, 2)], ["y"]);
        g.Output("y", ElementType.Float, "N", 2);
        var model = g.Build();
        float[] data = [1, 2, -3, 0.5f, 2, -1];
        using var calibrator = new ActivationCalibrator(model);
        using var t = OrtTensor.FromData(data, [3, 2]);
        calibrator.Observe([("x", t)]);
        var scales = calibrator.Scales(CalibrationMethod.MinMax);
        Assert.Equal(["x", h], calibrator.Activations);
        Assert.Equal(3f / 127, scales["x"], 1e-7f);
        // x·W1 rows: [2, 4], [-2.75, 7.5], [1.5, -7]; after relu the largest is 7.5.
        Assert.Equal(7.5f / 127, scales[h], 1e-7f);
    }

    [Fact]
    public void Weights_are_quantized_symmetrically_per_output_channel()
    {
        // [2, 3] with channels along columns: max |·| per column 4, 0.5, 0 (→ scale 1).
        var (q, s) = WeightQuantization.PerChannel([1f, -0.5f, 0f, -4f, 0.25f, 0f], 2, 3, channelAxis: 1);
        Assert.Equal([4f / 127, 0.5f / 127, 1f], s);
        Assert.Equal([(sbyte)32, (sbyte)-127, (sbyte)0, (sbyte)-127, (sbyte)64, (sbyte)0], q);   // 1/(4/127) = 31.75 → 32; 0.25/(0.5/127) = 63.5 → 64 (half to even)
        var (qr, sr) = WeightQuantization.PerChannel([1f, -0.5f, 0f, -4f, 0.25f, 0f], 2, 3, channelAxis: 0);
        Assert.Equal([1f / 127, 4f / 127], sr);
        Assert.Equal([(sbyte)127, (sbyte)-64, (sbyte)0, (sbyte)-127, (sbyte)8, (sbyte)0], qr);   // -63.5 → -64; 7.9375 → 8
    }

    [Fact]
    public void Percentile_matches_a_sorted_reference_within_the_histogram_resolution()
    {
        var range = new ActivationRange();
        var values = Enumerable.Range(1, 10_000).Select(i => (float)(i * (i % 2 == 0 ? 1 : -1)) / 100).ToArray();   // |v| = 0.01 … 100
        range.Observe(values);
        Assert.Equal(100f, range.MaxAbs);
        Assert.Equal(100f / 127, range.Scale(CalibrationMethod.MinMax));
        // Hand reference: the 99th percentile of 0.01 … 100 in steps of 0.01 is the 9900th value, 99.00.
        float p99 = range.Percentile(99);
        Assert.InRange(p99, 99f, 99f * 1.005f);
        Assert.InRange(range.Percentile(50), 50f, 50f * 1.005f);
        Assert.Equal(100f, range.Percentile(100));
        Assert.InRange(range.Scale(CalibrationMethod.Percentile, 99), 99f / 127, 99f * 1.005f / 127);
    }

    [Fact]
    public void A_missing_activation_scale_or_an_old_opset_is_refused_with_the_reason()
    {
        var fp32 = TinyTransformer();
        var e = Assert.Throws<ArgumentException>(() => Int8Quantizer.QuantizeQdq(fp32, new Dictionary<string, float>()));
        Assert.StartsWith("no calibrated scale for activation '", e.Message);
        var old = fp32.Clone();
        old.OpsetImport.Single(o => o.Domain == "").Version = 12;
        e = Assert.Throws<ArgumentException>(() => Int8Quantizer.QuantizeDynamic(old));
        Assert.StartsWith("model imports ONNX opset 12; int8 quantization with per-channel weights needs opset ≥ 13", e.Message);
        var twice = Int8Quantizer.QuantizeDynamic(fp32);
        e = Assert.Throws<ArgumentException>(() => Int8Quantizer.QuantizeDynamic(twice));
        Assert.StartsWith("model is already quantized", e.Message);
    }
}
