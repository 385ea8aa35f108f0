namespace EcgStream.Inference;

/// <summary>ONNX tensor element types as ORT numbers them (<c>ONNXTensorElementDataType</c>, same as ONNX's TensorProto.DataType).</summary>
public enum TensorElementType
{
    Undefined = 0,
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    UInt16 = 4,
    Int16 = 5,
    Int32 = 6,
    Int64 = 7,
    String = 8,
    Bool = 9,
    Float16 = 10,
    Double = 11,
    UInt32 = 12,
    UInt64 = 13,
    BFloat16 = 16,
}

/// <summary>
/// A model input or output as the session declares it. <see cref="Shape"/> has -1 for a dynamic
/// dimension; <see cref="SymbolicShape"/> has its name there ("N") and "" elsewhere.
/// </summary>
public sealed record TensorInfo(string Name, TensorElementType ElementType, IReadOnlyList<long> Shape, IReadOnlyList<string> SymbolicShape)
{
    public int Rank => Shape.Count;

    /// <summary>The shape as people write it: [N,12,2250].</summary>
    public string ShapeText =>
        "[" + string.Join(",", Shape.Select((d, i) => d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : SymbolicShape[i] is { Length: > 0 } s ? s : "?")) + "]";

    public override string ToString() => $"{Name}: {ElementType} {ShapeText}";
}
