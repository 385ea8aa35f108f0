using System.Runtime.InteropServices;
using EcgStream.Onnx.Proto;
using Google.Protobuf;

namespace EcgStream.Onnx.Graph;

/// <summary>TensorProto construction: numeric data goes into <c>raw_data</c>, little-endian as ONNX requires.</summary>
internal static class Tensors
{
    public static TensorProto Float(string name, ReadOnlySpan<float> values, ReadOnlySpan<long> dims) =>
        Raw(name, ElementType.Float, MemoryMarshal.AsBytes(values), values.Length, dims);

    public static TensorProto Int64(string name, ReadOnlySpan<long> values, ReadOnlySpan<long> dims) =>
        Raw(name, ElementType.Int64, MemoryMarshal.AsBytes(values), values.Length, dims);

    private static TensorProto Raw(string name, ElementType type, ReadOnlySpan<byte> bytes, int count, ReadOnlySpan<long> dims)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("the ONNX writer stores raw tensor data and needs a little-endian machine");
        long expected = 1;
        foreach (var d in dims)
        {
            if (d < 0) throw new ArgumentException($"tensor '{name}': dimension {d} is negative", nameof(dims));
            expected *= d;
        }
        if (expected != count)
            throw new ArgumentException($"tensor '{name}': {count} values do not fill shape [{string.Join(",", dims.ToArray())}] ({expected} values)");
        var t = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        foreach (var d in dims) t.Dims.Add(d);
        return t;
    }
}
