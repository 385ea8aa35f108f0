using System.Globalization;
using EcgStream.Inference.Native;

namespace EcgStream.Inference;

/// <summary>
/// A float32 tensor whose data is a managed array on the pinned object heap, wrapped once in an
/// OrtValue (<c>CreateTensorWithDataAsOrtValue</c>): ORT reads inputs from and writes outputs into
/// <see cref="Span"/> directly, with no copy and nothing allocated per run. The shape is fixed at
/// creation; <see cref="Contract.RhythmModel"/> keeps one tensor per batch size over one buffer.
/// </summary>
public sealed unsafe class OrtTensor : IDisposable
{
    private readonly float[] _data;
    private readonly int _length;
    private readonly long[] _shape;
    private readonly OrtValueHandle _value;

    private OrtTensor(OrtLibrary library, float[] pinnedData, ReadOnlySpan<long> shape)
    {
        _shape = shape.ToArray();
        _length = ElementCount(shape);
        if (_length > pinnedData.Length)
            throw new ArgumentException($"shape {ShapeText(shape)} needs {_length} values, the buffer holds {pinnedData.Length}", nameof(shape));
        _data = pinnedData;
        nint value;
        // The array is on the pinned object heap: its address is stable for its whole life, and
        // this object keeps it alive as long as the OrtValue that points into it.
        fixed (float* p = pinnedData)
        fixed (long* s = _shape)
            library.Check(library.Api->CreateTensorWithDataAsOrtValue(
                library.CpuMemory.DangerousGetHandle(), p, (nuint)_length * sizeof(float), s, (nuint)_shape.Length,
                (int)TensorElementType.Float, &value), $"creating a float32 tensor {ShapeText(shape)}");
        _value = new OrtValueHandle(library, value);
    }

    /// <summary>A zero-filled tensor of <paramref name="shape"/>.</summary>
    public static OrtTensor Create(ReadOnlySpan<long> shape, OrtLibrary? library = null) =>
        new(library ?? OrtLibrary.Default, AllocatePinned(ElementCount(shape)), shape);

    /// <summary>A tensor holding a copy of <paramref name="values"/>.</summary>
    public static OrtTensor FromData(ReadOnlySpan<float> values, ReadOnlySpan<long> shape, OrtLibrary? library = null)
    {
        if (values.Length != ElementCount(shape))
            throw new ArgumentException($"{values.Length} values do not fill shape {ShapeText(shape)}", nameof(values));
        var t = Create(shape, library);
        values.CopyTo(t.Span);
        return t;
    }

    /// <summary>A tensor over the first elements of a buffer from <see cref="AllocatePinned"/> (several shapes may share one buffer).</summary>
    internal static OrtTensor Over(OrtLibrary library, float[] pinnedBuffer, ReadOnlySpan<long> shape) => new(library, pinnedBuffer, shape);

    /// <summary>An array on the pinned object heap, never moved by the GC.</summary>
    internal static float[] AllocatePinned(int length) => GC.AllocateArray<float>(length, pinned: true);

    public Span<float> Span => _data.AsSpan(0, _length);
    public IReadOnlyList<long> Shape => _shape;
    internal ReadOnlySpan<long> ShapeSpan => _shape;
    public int Length => _length;

    internal nint Value
    {
        get
        {
            ObjectDisposedException.ThrowIf(_value.IsClosed, this);
            return _value.DangerousGetHandle();
        }
    }

    public void Dispose() => _value.Dispose();

    public override string ToString() => $"float32 {ShapeText(_shape)}";

    internal static string ShapeText(ReadOnlySpan<long> shape)
    {
        var parts = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++) parts[i] = shape[i].ToString(CultureInfo.InvariantCulture);
        return "[" + string.Join(",", parts) + "]";
    }

    private static int ElementCount(ReadOnlySpan<long> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"shape {ShapeText(shape)} has a negative dimension", nameof(shape));
            n *= d;
            if (n > Array.MaxLength) throw new ArgumentException($"shape {ShapeText(shape)} holds more than {Array.MaxLength} values", nameof(shape));
        }
        return (int)n;
    }
}
