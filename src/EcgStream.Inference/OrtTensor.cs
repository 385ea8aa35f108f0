using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace EcgStream.Inference;

/// <summary>
/// A float32 tensor whose data is a managed array on the pinned object heap, wrapped once in an
/// <see cref="OrtValue"/> (<see cref="OrtValue.CreateTensorValueFromMemory{T}(OrtMemoryInfo, Memory{T}, long[])"/>):
/// ORT reads inputs from and writes outputs into <see cref="Span"/> directly, with no copy and nothing
/// allocated per run. The shape is fixed at creation; <see cref="Contract.RhythmModel"/> keeps one
/// tensor per batch size over one buffer.
/// </summary>
public sealed class OrtTensor : IDisposable
{
    private static long _live;

    private readonly float[] _data;
    private readonly int _length;
    private readonly long[] _shape;
    private readonly OrtValue _value;
    private bool _disposed;

    private OrtTensor(float[] pinnedData, ReadOnlySpan<long> shape)
    {
        _shape = shape.ToArray();
        _length = ElementCount(shape);
        if (_length > pinnedData.Length)
            throw new ArgumentException($"shape {ShapeText(shape)} needs {_length} values, the buffer holds {pinnedData.Length}", nameof(shape));
        _data = pinnedData;
        // The array is on the pinned object heap: its address is stable for its whole life, and this
        // object keeps it alive as long as the OrtValue that points into it.
        _value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<float>(pinnedData, 0, _length), _shape);
        Interlocked.Increment(ref _live);
    }

    /// <summary>Tensors created and not yet disposed, process-wide (leak checks in tests).</summary>
    internal static long Live => Interlocked.Read(ref _live);

    /// <summary>A zero-filled tensor of <paramref name="shape"/>. <paramref name="library"/>: the ORT library to use (default: <see cref="OrtLibrary.Default"/>).</summary>
    public static OrtTensor Create(ReadOnlySpan<long> shape, OrtLibrary? library = null)
    {
        _ = library ?? OrtLibrary.Default;   // the library is chosen (and the environment made) before any ORT object
        return new(AllocatePinned(ElementCount(shape)), shape);
    }

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
    internal static OrtTensor Over(float[] pinnedBuffer, ReadOnlySpan<long> shape) => new(pinnedBuffer, shape);

    /// <summary>An array on the pinned object heap, never moved by the GC.</summary>
    internal static float[] AllocatePinned(int length) => GC.AllocateArray<float>(length, pinned: true);

    public Span<float> Span => _data.AsSpan(0, _length);
    public IReadOnlyList<long> Shape => _shape;
    internal ReadOnlySpan<long> ShapeSpan => _shape;
    public int Length => _length;
    internal bool IsDisposed => _disposed;

    internal OrtValue Value
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _value;
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _value.Dispose();
        Interlocked.Decrement(ref _live);
    }

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
