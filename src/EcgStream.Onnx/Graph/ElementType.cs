namespace EcgStream.Onnx.Graph;

/// <summary>Tensor element types, with the numeric values of ONNX's <c>TensorProto.DataType</c>.</summary>
public enum ElementType
{
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    Int32 = 6,
    Int64 = 7,
    Bool = 9,
    Float16 = 10,
    Double = 11,
}
