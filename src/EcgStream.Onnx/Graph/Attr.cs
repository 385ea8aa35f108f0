using EcgStream.Onnx.Proto;
using Google.Protobuf;

namespace EcgStream.Onnx.Graph;

/// <summary>A typed node attribute: <c>Attr.Int("axis", -1)</c>, <c>Attr.Ints("perm", 0, 2, 1)</c>, ….</summary>
public sealed class Attr
{
    private Attr(AttributeProto proto) => Proto = proto;

    internal AttributeProto Proto { get; }
    public string Name => Proto.Name;

    public static Attr Int(string name, long value) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value });

    public static Attr Float(string name, float value) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value });

    public static Attr String(string name, string value) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) });

    public static Attr Ints(string name, params ReadOnlySpan<long> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        foreach (var v in values) a.Ints.Add(v);
        return new Attr(a);
    }

    public static Attr Floats(string name, params ReadOnlySpan<float> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        foreach (var v in values) a.Floats.Add(v);
        return new Attr(a);
    }

    public static Attr Strings(string name, params ReadOnlySpan<string> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        foreach (var v in values) a.Strings.Add(ByteString.CopyFromUtf8(v));
        return new Attr(a);
    }

    /// <summary>A tensor-valued attribute (e.g. <c>Constant</c>'s <c>value</c>).</summary>
    public static Attr Tensor(string name, ReadOnlySpan<float> values, params ReadOnlySpan<long> dims) =>
        new(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = Tensors.Float(name, values, dims) });
}
