using EcgStream.Onnx.Proto;
using Google.Protobuf;

namespace EcgStream.Onnx.Graph;

/// <summary>
/// Builds an ONNX model: declared inputs and outputs (symbolic dimensions allowed), initializers
/// from spans, nodes with typed attributes, opset imports and <c>metadata_props</c>. Every method
/// that adds a value returns its name, so graphs read as code: <c>var y = g.Add(g.MatMul(x, w), b)</c>.
/// Typed operator helpers live in GraphBuilder.Ops.cs; anything else goes through <see cref="Node"/>.
/// <see cref="Build"/> checks that every value is defined before use and every output is produced.
/// </summary>
public sealed partial class GraphBuilder
{
    /// <summary>Default ONNX opset: 20 has LayerNormalization (17), ReduceMean with axes as an input (18) and Gelu (20).</summary>
    public const int DefaultOpset = 20;
    /// <summary>IR version 9 goes with opset 20.</summary>
    public const long DefaultIrVersion = 9;

    private readonly GraphProto _graph;
    private readonly Dictionary<string, int> _opsets = new(StringComparer.Ordinal);
    private readonly List<StringStringEntryProto> _metadata = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    public GraphBuilder(string graphName, int opset = DefaultOpset)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(graphName);
        _graph = new GraphProto { Name = graphName };
        Opset("", opset);
    }

    public string ProducerName { get; set; } = "EcgStream";
    public string ProducerVersion { get; set; } = typeof(GraphBuilder).Assembly.GetName().Version?.ToString() ?? "0";
    public string Domain { get; set; } = "";
    public long ModelVersion { get; set; }
    public string DocString { get; set; } = "";
    public long IrVersion { get; set; } = DefaultIrVersion;

    /// <summary>Imports an operator set (<c>""</c> is the default ONNX domain); a later call for the same domain replaces the version.</summary>
    public GraphBuilder Opset(string domain, int version)
    {
        if (version < 1) throw new ArgumentOutOfRangeException(nameof(version), version, "opset versions start at 1");
        _opsets[domain] = version;
        return this;
    }

    /// <summary>Adds (or replaces) one <c>metadata_props</c> entry.</summary>
    public GraphBuilder Metadata(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        _metadata.RemoveAll(e => e.Key == key);
        _metadata.Add(new StringStringEntryProto { Key = key, Value = value });
        return this;
    }

    /// <summary>The imported version of the default ONNX domain; typed helpers follow its operator signatures.</summary>
    public int OnnxOpset => _opsets[""];

    public string Input(string name, ElementType type, params ReadOnlySpan<Dim> shape)
    {
        Claim(name, "graph input");
        _graph.Input.Add(ValueInfo(name, type, shape));
        return name;
    }

    /// <summary>Declares a graph output; <paramref name="name"/> must be produced by a node (checked in <see cref="Build"/>).</summary>
    public string Output(string name, ElementType type, params ReadOnlySpan<Dim> shape)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (_graph.Output.Any(o => o.Name == name)) throw new ArgumentException($"graph output '{name}' is declared twice", nameof(name));
        _graph.Output.Add(ValueInfo(name, type, shape));
        return name;
    }

    public string Initializer(string name, ReadOnlySpan<float> values, params ReadOnlySpan<long> dims)
    {
        Claim(name, "initializer");
        _graph.Initializer.Add(Tensors.Float(name, values, dims));
        return name;
    }

    public string Initializer(string name, ReadOnlySpan<long> values, params ReadOnlySpan<long> dims)
    {
        Claim(name, "initializer");
        _graph.Initializer.Add(Tensors.Int64(name, values, dims));
        return name;
    }

    /// <summary>A float32 constant under a fresh name derived from <paramref name="hint"/>.</summary>
    public string Constant(string hint, ReadOnlySpan<float> values, params ReadOnlySpan<long> dims) =>
        Initializer(FreshName(hint), values, dims);

    /// <summary>An int64 constant (shapes, axes) under a fresh name.</summary>
    public string ConstantInt64(string hint, params ReadOnlySpan<long> values) =>
        Initializer(FreshName(hint), values, values.Length);

    /// <summary>
    /// Adds a node with explicit output names and returns them. <paramref name="inputs"/> may hold
    /// <c>""</c> for an omitted optional input, as ONNX allows.
    /// </summary>
    public IReadOnlyList<string> Node(string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs,
                                      IEnumerable<Attr>? attributes = null, string domain = "", string? name = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(opType);
        if (outputs.Count == 0) throw new ArgumentException($"node {opType} needs at least one output", nameof(outputs));
        var node = new NodeProto { OpType = opType, Domain = domain, Name = name ?? FreshName(opType) };
        foreach (var i in inputs) node.Input.Add(i ?? throw new ArgumentNullException(nameof(inputs), $"node {node.Name}: null input name"));
        foreach (var o in outputs)
        {
            Claim(o, $"output of node {node.Name}");
            node.Output.Add(o);
        }
        if (attributes is not null)
            foreach (var a in attributes) node.Attribute.Add(a.Proto.Clone());
        _graph.Node.Add(node);
        return outputs;
    }

    /// <summary>Adds a single-output node whose output gets a fresh name, and returns that name.</summary>
    public string Op(string opType, IReadOnlyList<string> inputs, params Attr[] attributes) =>
        Node(opType, inputs, [FreshName(opType.ToLowerInvariant())], attributes)[0];

    /// <summary>A name not used yet in this graph, e.g. <c>matmul_7</c>.</summary>
    public string FreshName(string hint)
    {
        string name;
        do name = $"{hint}_{_counter++}";
        while (_names.Contains(name));
        return name;
    }

    /// <summary>Builds the model and checks its wiring (see class summary).</summary>
    public ModelProto Build()
    {
        Validate();
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            ProducerVersion = ProducerVersion,
            Domain = Domain,
            ModelVersion = ModelVersion,
            DocString = DocString,
            Graph = _graph.Clone(),
        };
        foreach (var (domain, version) in _opsets)
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        foreach (var e in _metadata) model.MetadataProps.Add(e.Clone());
        return model;
    }

    public byte[] ToBytes() => Build().ToByteArray();

    public void Save(string path)
    {
        var bytes = ToBytes();
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        File.WriteAllBytes(path, bytes);
    }

    private void Validate()
    {
        if (_graph.Output.Count == 0) throw new InvalidOperationException($"graph '{_graph.Name}' declares no outputs");
        var defined = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in _graph.Input) defined.Add(i.Name);
        foreach (var t in _graph.Initializer) defined.Add(t.Name);
        foreach (var n in _graph.Node)
        {
            foreach (var i in n.Input)
                if (i.Length > 0 && !defined.Contains(i))
                    throw new InvalidOperationException($"graph '{_graph.Name}': node {n.Name} ({n.OpType}) reads '{i}', which no input, initializer or earlier node defines");
            foreach (var o in n.Output) defined.Add(o);
        }
        foreach (var o in _graph.Output)
            if (!defined.Contains(o.Name))
                throw new InvalidOperationException($"graph '{_graph.Name}': output '{o.Name}' is declared but nothing produces it");
    }

    private void Claim(string name, string what)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!_names.Add(name)) throw new ArgumentException($"'{name}' ({what}) is already defined in graph '{_graph.Name}'", nameof(name));
    }

    private static ValueInfoProto ValueInfo(string name, ElementType type, ReadOnlySpan<Dim> shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = new TensorShapeProto() };
        foreach (var d in shape)
        {
            var dim = new TensorShapeProto.Types.Dimension();
            if (d.IsSymbolic) dim.DimParam = d.Symbol; else dim.DimValue = d.Value;
            tensor.Shape.Dim.Add(dim);
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}
