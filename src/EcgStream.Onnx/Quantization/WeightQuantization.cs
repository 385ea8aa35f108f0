namespace EcgStream.Onnx.Quantization;

/// <summary>
/// Symmetric int8 quantization of a weight matrix per output channel: each channel's scale is its
/// largest magnitude / 127, zero point 0 (what TensorRT's explicit int8 requires and ONNX Runtime's
/// S8S8 kernels take). A channel of zeros gets scale 1 so dequantization stays finite.
/// </summary>
public static class WeightQuantization
{
    public const float QMax = 127f;

    /// <summary>
    /// Quantizes a row-major [rows, columns] matrix whose output channels run along <paramref name="channelAxis"/>
    /// (1: columns, MatMul's B [K, N]; 0: rows, Gemm's B with transB). Returns int8 values (same layout) and one scale per channel.
    /// </summary>
    public static (sbyte[] Values, float[] Scales) PerChannel(ReadOnlySpan<float> weight, int rows, int columns, int channelAxis)
    {
        if (rows <= 0 || columns <= 0 || weight.Length != rows * columns)
            throw new ArgumentException($"weight holds {weight.Length} values, not a [{rows}, {columns}] matrix", nameof(weight));
        if (channelAxis is not (0 or 1)) throw new ArgumentOutOfRangeException(nameof(channelAxis), channelAxis, "a matrix has axes 0 and 1");
        int channels = channelAxis == 1 ? columns : rows;
        var scales = new float[channels];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                int ch = channelAxis == 1 ? c : r;
                scales[ch] = MathF.Max(scales[ch], MathF.Abs(weight[r * columns + c]));
            }
        for (int ch = 0; ch < channels; ch++) scales[ch] = scales[ch] > 0 ? scales[ch] / QMax : 1f;
        var values = new sbyte[weight.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                float s = scales[channelAxis == 1 ? c : r];
                values[r * columns + c] = Quantize(weight[r * columns + c], s);
            }
        return (values, scales);
    }

    /// <summary>ONNX QuantizeLinear for int8 with zero point 0: round half to even, saturate to [−128, 127].</summary>
    public static sbyte Quantize(float x, float scale) =>
        (sbyte)Math.Clamp(MathF.Round(x / scale, MidpointRounding.ToEven), -128f, 127f);
}
