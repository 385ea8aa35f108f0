using static TorchSharp.torch;

namespace EcgStream.Training.Checkpoints;

/// <summary>The dtype strings of the safetensors format.</summary>
internal static class SafeTensorsDType
{
    internal static string Name(ScalarType type) => type switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float64 => "F64",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new NotSupportedException($"safetensors has no dtype for {type}"),
    };

    /// <summary>Bytes per element of the dtypes above.</summary>
    internal static long ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool => 1,
        _ => throw new NotSupportedException($"safetensors has no dtype for {type}"),
    };

    internal static bool TryParse(string name, out ScalarType type)
    {
        (var ok, type) = name switch
        {
            "F32" => (true, ScalarType.Float32),
            "F64" => (true, ScalarType.Float64),
            "F16" => (true, ScalarType.Float16),
            "BF16" => (true, ScalarType.BFloat16),
            "I64" => (true, ScalarType.Int64),
            "I32" => (true, ScalarType.Int32),
            "I16" => (true, ScalarType.Int16),
            "I8" => (true, ScalarType.Int8),
            "U8" => (true, ScalarType.Byte),
            "BOOL" => (true, ScalarType.Bool),
            _ => (false, ScalarType.Float32),
        };
        return ok;
    }
}
