using System.Runtime.InteropServices;
using EcgStream.Onnx.Graph;
using EcgStream.Onnx.Proto;
using Google.Protobuf;

namespace EcgStream.Onnx.Quantization;

/// <summary>The element type of quantized activations in a QDQ graph.</summary>
public enum QdqActivations
{
    /// <summary>int8, zero point 0 (symmetric): TensorRT's explicit quantization reads only this.</summary>
    Int8,
    /// <summary>uint8, zero point 128: the same grid shifted, for x86 CPUs whose int8 kernels (VPMADDUBSW, VNNI) multiply uint8 by int8.</summary>
    UInt8,
}

/// <summary>One MatMul/Gemm whose second input is a float32 matrix initializer: what the quantizer rewrites.</summary>
/// <param name="ChannelAxis">The weight axis of output channels: 1 for MatMul's B [K, N], 0 for Gemm's B with transB.</param>
public sealed record QuantizationTarget(int NodeIndex, string Node, string OpType, string Activation, string Weight, int Rows, int Columns, int ChannelAxis);

/// <summary>
/// Int8 quantization as a graph pass over any float32 ONNX model (ONNX Runtime's quantizer is a Python
/// tool; this is ours). Targets are the MatMul and Gemm nodes whose weight is a 2-D float initializer
/// (every Linear of our models); everything else (LayerNorm, softmax, attention's activation × activation
/// products, the gate) stays float32.
/// <list type="bullet">
/// <item><see cref="QuantizeQdq"/>: static QDQ. Each weight becomes int8 per output channel behind a
/// DequantizeLinear (axis = the channel axis, int8 zero points 0); each target's activation input goes
/// through QuantizeLinear → DequantizeLinear with a calibrated per-tensor scale and int8 zero point 0
/// (symmetric). ONNX Runtime's CPU provider fuses DQ → MatMul ← DQ → … into int8 kernels, and the same
/// layout is what TensorRT reads as explicit quantization.</item>
/// <item><see cref="QuantizeDynamic"/>: dynamic. Weights as above; activations quantized per run
/// (DynamicQuantizeLinear, uint8) into MatMulInteger, then Cast and one Mul by activation × weight scales,
/// the pattern ONNX Runtime fuses into MatMulIntegerToFloat. No calibration; Gemm nodes stay float32.</item>
/// </list>
/// The input model is not changed; a quantized copy is returned.
/// </summary>
public static class Int8Quantizer
{
    /// <summary>Per-axis DequantizeLinear needs opset 13.</summary>
    public const int MinimumOpset = 13;
    public const string MetadataKey = "ecgstream.quantization";

    /// <summary>The MatMul/Gemm nodes with a float32 [rows, columns] initializer as second input, in graph order.</summary>
    public static IReadOnlyList<QuantizationTarget> Targets(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var initializers = model.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var targets = new List<QuantizationTarget>();
        for (int n = 0; n < model.Graph.Node.Count; n++)
        {
            var node = model.Graph.Node[n];
            if (node.Domain.Length > 0 || node.OpType is not ("MatMul" or "Gemm") || node.Input.Count < 2) continue;
            if (!initializers.TryGetValue(node.Input[1], out var w) || w.DataType != (int)ElementType.Float || w.Dims.Count != 2) continue;
            if (initializers.ContainsKey(node.Input[0])) continue;   // a constant product: nothing to calibrate
            int axis = 1;
            if (node.OpType == "Gemm")
            {
                if (IntAttribute(node, "transA") != 0) continue;   // the activation would be read transposed: left float32
                axis = IntAttribute(node, "transB") != 0 ? 0 : 1;
            }
            targets.Add(new QuantizationTarget(n, node.Name.Length > 0 ? node.Name : $"{node.OpType}_{n}", node.OpType, node.Input[0], node.Input[1], (int)w.Dims[0], (int)w.Dims[1], axis));
        }
        return targets;
    }

    /// <summary>The activation tensors (inputs of targets) that static quantization needs scales for, each once.</summary>
    public static IReadOnlyList<string> ActivationsToCalibrate(ModelProto model) => [.. Targets(model).Select(t => t.Activation).Distinct(StringComparer.Ordinal)];

    /// <summary>A copy of <paramref name="model"/> that also outputs <paramref name="tensors"/> (float32, shape left to the runtime): the calibration model.</summary>
    public static ModelProto WithOutputs(ModelProto model, IEnumerable<string> tensors)
    {
        var copy = model.Clone();
        var existing = copy.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in tensors)
            if (existing.Add(name))
                copy.Graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)ElementType.Float } } });
        return copy;
    }

    /// <summary>
    /// Static QDQ quantization with one scale per activation of <see cref="ActivationsToCalibrate"/>
    /// (e.g. from <see cref="ActivationRange.Scale"/>). A missing or non-positive scale is an error naming the tensor.
    /// </summary>
    public static ModelProto QuantizeQdq(ModelProto model, IReadOnlyDictionary<string, float> activationScales, string description = "int8 QDQ",
        QdqActivations activations = QdqActivations.Int8)
    {
        ArgumentNullException.ThrowIfNull(activationScales);
        var targets = Prepare(model);
        foreach (var t in targets)
        {
            if (!activationScales.TryGetValue(t.Activation, out var s))
                throw new ArgumentException($"no calibrated scale for activation '{t.Activation}' (input of {t.OpType} {t.Node})", nameof(activationScales));
            if (!(s > 0) || !float.IsFinite(s))
                throw new ArgumentException($"activation '{t.Activation}': scale {s} is not a positive finite number", nameof(activationScales));
        }
        return Rewrite(model, targets, description, (w, emit) =>
        {
            // Activations: one Q → DQ pair per tensor, shared by all its consumers (LayerNorm output feeds q, k and v).
            var x = w.Activation(t => t.Activation + "_dequantized", t =>
            {
                var scale = w.AddFloat(t.Activation + "_scale", [activationScales[t.Activation]]);
                var zero = activations == QdqActivations.Int8
                    ? w.AddInt8(t.Activation + "_zero_point", [0])
                    : w.AddUInt8(t.Activation + "_zero_point", [128]);
                emit(NewNode("QuantizeLinear", [t.Activation, scale, zero], [t.Activation + "_quantized"]));
                emit(NewNode("DequantizeLinear", [t.Activation + "_quantized", scale, zero], [t.Activation + "_dequantized"]));
            });
            var (q, scales) = w.QuantizedWeight();
            var weightZero = w.AddInt8(w.Target.Weight + "_zero_point", new sbyte[scales.Length]);
            var dq = NewNode("DequantizeLinear", [q, w.AddFloat(w.Target.Weight + "_scale", scales), weightZero], [w.Target.Weight + "_dequantized"]);
            dq.Attribute.Add(Attr.Int("axis", w.Target.ChannelAxis).Proto.Clone());
            emit(dq);
            return [x, w.Target.Weight + "_dequantized"];
        });
    }

    /// <summary>Dynamic quantization (MatMulInteger); MatMul targets only.</summary>
    public static ModelProto QuantizeDynamic(ModelProto model, string description = "int8 dynamic (MatMulInteger)")
    {
        var targets = Prepare(model).Where(t => t.OpType == "MatMul").ToList();
        return Rewrite(model, targets, description, (w, emit) =>
        {
            var t = w.Target;
            // One DynamicQuantizeLinear per activation; its uint8 tensor, scale and zero point feed every consumer.
            w.Activation(x => x.Activation + "_dynamic_quantized", x =>
                emit(NewNode("DynamicQuantizeLinear", [x.Activation], [x.Activation + "_dynamic_quantized", x.Activation + "_dynamic_scale", x.Activation + "_dynamic_zero_point"])));
            var (q, scales) = w.QuantizedWeight();
            var product = t.Node + "_int32";
            emit(NewNode("MatMulInteger", [t.Activation + "_dynamic_quantized", q, t.Activation + "_dynamic_zero_point"], [product]));
            var asFloat = NewNode("Cast", [product], [t.Node + "_int32_float"]);
            asFloat.Attribute.Add(Attr.Int("to", (long)ElementType.Float).Proto.Clone());
            emit(asFloat);
            emit(NewNode("Mul", [t.Activation + "_dynamic_scale", w.AddFloat(t.Weight + "_scale", scales)], [t.Node + "_scale"]));
            return null;   // the MatMul itself is replaced: the final Mul writes its output
        }, replaced: (t, node) => NewNode("Mul", [t.Node + "_int32_float", t.Node + "_scale"], [.. node.Output]));
    }

    /// <summary>Sets (or replaces) one <c>metadata_props</c> entry of a model.</summary>
    public static void SetMetadata(ModelProto model, string key, string value)
    {
        for (int i = model.MetadataProps.Count - 1; i >= 0; i--)
            if (model.MetadataProps[i].Key == key) model.MetadataProps.RemoveAt(i);
        model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
    }

    private static List<QuantizationTarget> Prepare(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var opset = model.OpsetImport.FirstOrDefault(o => o.Domain.Length == 0)?.Version ?? 0;
        if (opset < MinimumOpset)
            throw new ArgumentException($"model imports ONNX opset {opset}; int8 quantization with per-channel weights needs opset ≥ {MinimumOpset}", nameof(model));
        if (model.MetadataProps.Any(p => p.Key == MetadataKey))
            throw new ArgumentException($"model is already quantized ({MetadataKey} = {model.MetadataProps.First(p => p.Key == MetadataKey).Value})", nameof(model));
        var targets = Targets(model).ToList();
        if (targets.Count == 0) throw new ArgumentException("model has no MatMul or Gemm with a float32 matrix initializer to quantize", nameof(model));
        return targets;
    }

    /// <summary>
    /// Rebuilds the node list: before each target, <paramref name="rewrite"/> emits its new nodes and
    /// returns the target's new first two inputs (or null when <paramref name="replaced"/> gives the node
    /// that replaces the target). Weights no node reads any more are dropped.
    /// </summary>
    private static ModelProto Rewrite(ModelProto model, List<QuantizationTarget> targets, string description,
        Func<TargetRewrite, Action<NodeProto>, string[]?> rewrite, Func<QuantizationTarget, NodeProto, NodeProto>? replaced = null)
    {
        var copy = model.Clone();
        var graph = copy.Graph;
        var byNode = targets.ToDictionary(t => t.NodeIndex);
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var nodes = new List<NodeProto>(graph.Node.Count * 2);
        for (int n = 0; n < graph.Node.Count; n++)
        {
            var node = graph.Node[n];
            if (!byNode.TryGetValue(n, out var target)) { nodes.Add(node); continue; }
            var w = new TargetRewrite(target, initializers[target.Weight], graph, done);
            var inputs = rewrite(w, nodes.Add);
            if (inputs is null) { nodes.Add(replaced!(target, node)); continue; }
            node.Input[0] = inputs[0];
            node.Input[1] = inputs[1];
            nodes.Add(node);
        }
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        var read = graph.Node.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var t in targets)
            if (!read.Contains(t.Weight) && initializers.TryGetValue(t.Weight, out var w)) graph.Initializer.Remove(w);
        SetMetadata(copy, MetadataKey, description);
        return copy;
    }

    /// <summary>Helpers for rewriting one target: new initializers in the graph, the shared per-activation nodes.</summary>
    private sealed class TargetRewrite(QuantizationTarget target, TensorProto weight, GraphProto graph, HashSet<string> done)
    {
        public QuantizationTarget Target => target;

        /// <summary>Emits the activation's shared nodes once (the first consumer) and returns the name consumers read.</summary>
        public string Activation(Func<QuantizationTarget, string> name, Action<QuantizationTarget> emitOnce)
        {
            if (done.Add("activation:" + target.Activation)) emitOnce(target);
            return name(target);
        }

        /// <summary>The int8 weight initializer (added once per weight) and its per-channel scales.</summary>
        public (string Name, float[] Scales) QuantizedWeight()
        {
            var values = FloatValues(weight);
            var (q, scales) = WeightQuantization.PerChannel(values, target.Rows, target.Columns, target.ChannelAxis);
            var name = target.Weight + "_quantized";
            if (done.Add("weight:" + target.Weight)) AddInt8(name, q, target.Rows, target.Columns);
            return (name, scales);
        }

        public string AddFloat(string name, float[] values)
        {
            if (done.Add("init:" + name))
            {
                var t = new TensorProto { Name = name, DataType = (int)ElementType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
                if (values.Length > 1) t.Dims.Add(values.Length);
                graph.Initializer.Add(t);
            }
            return name;
        }

        /// <summary>A uint8 scalar initializer (an activation zero point).</summary>
        public string AddUInt8(string name, byte[] values)
        {
            if (done.Add("init:" + name))
                graph.Initializer.Add(new TensorProto { Name = name, DataType = (int)ElementType.UInt8, RawData = ByteString.CopyFrom(values) });
            return name;
        }

        /// <summary>An int8 initializer: a scalar for one value without dims, else 1-D or the given dims.</summary>
        public string AddInt8(string name, sbyte[] values, params long[] dims)
        {
            if (done.Add("init:" + name))
            {
                var t = new TensorProto { Name = name, DataType = (int)ElementType.Int8, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
                if (dims.Length > 0) t.Dims.AddRange(dims);
                else if (values.Length > 1) t.Dims.Add(values.Length);
                graph.Initializer.Add(t);
            }
            return name;
        }
    }

    private static float[] FloatValues(TensorProto t)
    {
        if (t.FloatData.Count > 0) return [.. t.FloatData];
        return MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray();
    }

    private static long IntAttribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? 0;

    private static NodeProto NewNode(string opType, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = opType, Name = outputs[0] + "_" + opType };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }
}
