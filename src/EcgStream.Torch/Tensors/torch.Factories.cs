using EcgStream.Torch.Native;

namespace EcgStream.Torch;

/// <summary>
/// The entry point of the binding, named and shaped like TorchSharp's <c>torch</c> so that code
/// written against it moves to TorchSharp by changing the using directives.
/// </summary>
public static partial class torch
{
    // ---- from managed data (copied: the tensor never aliases managed memory) ----

    /// <summary>A tensor of <paramref name="shape"/> (default: one dimension) holding a copy of <paramref name="data"/>.</summary>
    public static unsafe Tensor tensor<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape) where T : unmanaged
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"negative dimension {d} in shape [{string.Join(", ", shape.ToArray())}]", nameof(shape));
            count *= d;
        }
        if (count != data.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape.ToArray())}] holds {count} elements, data has {data.Length}", nameof(shape));
        fixed (T* p = data)
        fixed (long* s = shape)
            return Tensor.Wrap(NativeMethods.ecgt_from_data(p, s, shape.Length, (int)ScalarTypeOf<T>(), out var r), r);
    }

    public static Tensor tensor(float[] data, params ReadOnlySpan<long> shape) => tensor<float>(data, shape.IsEmpty ? [data.Length] : shape);
    public static Tensor tensor(double[] data, params ReadOnlySpan<long> shape) => tensor<double>(data, shape.IsEmpty ? [data.Length] : shape);
    public static Tensor tensor(long[] data, params ReadOnlySpan<long> shape) => tensor<long>(data, shape.IsEmpty ? [data.Length] : shape);
    public static Tensor tensor(int[] data, params ReadOnlySpan<long> shape) => tensor<int>(data, shape.IsEmpty ? [data.Length] : shape);
    public static Tensor tensor(bool[] data, params ReadOnlySpan<long> shape) => tensor<bool>(data, shape.IsEmpty ? [data.Length] : shape);
    public static Tensor tensor(byte[] data, params ReadOnlySpan<long> shape) => tensor<byte>(data, shape.IsEmpty ? [data.Length] : shape);

    /// <summary>A zero-dimensional tensor.</summary>
    public static Tensor tensor(double value, ScalarType dtype = ScalarType.Float32) => full([], value, dtype);

    // ---- filled ----

    public static unsafe Tensor zeros(ReadOnlySpan<long> shape, ScalarType dtype = ScalarType.Float32)
    {
        fixed (long* s = shape) return Tensor.Wrap(NativeMethods.ecgt_zeros(s, shape.Length, (int)dtype, out var r), r);
    }

    public static unsafe Tensor ones(ReadOnlySpan<long> shape, ScalarType dtype = ScalarType.Float32)
    {
        fixed (long* s = shape) return Tensor.Wrap(NativeMethods.ecgt_ones(s, shape.Length, (int)dtype, out var r), r);
    }

    public static unsafe Tensor full(ReadOnlySpan<long> shape, double value, ScalarType dtype = ScalarType.Float32)
    {
        fixed (long* s = shape) return Tensor.Wrap(NativeMethods.ecgt_full(s, shape.Length, value, (int)dtype, out var r), r);
    }

    public static Tensor zeros_like(Tensor t) => Tensor.Wrap(NativeMethods.ecgt_zeros_like(t.Handle, out var r), r);

    public static Tensor arange(double start, double end, double step = 1, ScalarType dtype = ScalarType.Int64) =>
        Tensor.Wrap(NativeMethods.ecgt_arange(start, end, step, (int)dtype, out var r), r);

    // ---- random (libtorch's default generator) ----

    /// <summary>Seeds libtorch's default generator: the same seed gives the same numbers.</summary>
    public static void manual_seed(ulong seed) => NativeStatus.Check(NativeMethods.ecgt_manual_seed(seed));

    /// <summary>Uniform on [0, 1).</summary>
    public static unsafe Tensor rand(ReadOnlySpan<long> shape, ScalarType dtype = ScalarType.Float32)
    {
        fixed (long* s = shape) return Tensor.Wrap(NativeMethods.ecgt_rand(s, shape.Length, (int)dtype, out var r), r);
    }

    /// <summary>Standard normal.</summary>
    public static unsafe Tensor randn(ReadOnlySpan<long> shape, ScalarType dtype = ScalarType.Float32)
    {
        fixed (long* s = shape) return Tensor.Wrap(NativeMethods.ecgt_randn(s, shape.Length, (int)dtype, out var r), r);
    }

    /// <summary>Integers uniform on [low, high), int64.</summary>
    public static unsafe Tensor randint(long low, long high, ReadOnlySpan<long> shape)
    {
        fixed (long* s = shape) return Tensor.Wrap(NativeMethods.ecgt_randint(low, high, s, shape.Length, out var r), r);
    }

    /// <summary>A random permutation of 0..n-1, int64.</summary>
    public static Tensor randperm(long n) => Tensor.Wrap(NativeMethods.ecgt_randperm(n, out var r), r);

    // ---- library ----

    /// <summary>Threads libtorch uses inside one operation (intra-op parallelism).</summary>
    public static void set_num_threads(int threads) => NativeStatus.Check(NativeMethods.ecgt_set_num_threads(threads));

    public static int get_num_threads() => NativeMethods.ecgt_get_num_threads();

    /// <summary>The libtorch version the shim was built against, e.g. "1.13.0".</summary>
    public static string version =>
        System.Runtime.InteropServices.Marshal.PtrToStringUTF8(NativeMethods.ecgt_torch_version()) ?? "unknown";

    /// <summary>Opens a scope that disposes the tensors created on this thread until it is disposed.</summary>
    public static DisposeScope NewDisposeScope() => DisposeScope.Open();

    /// <summary>
    /// Whether the native shim (libecgtorch) and libtorch load on this machine; when not,
    /// <paramref name="reason"/> says what is missing and how to get it.
    /// </summary>
    public static bool TryInitialize(out string reason)
    {
        try
        {
            _ = NativeMethods.ecgt_get_num_threads();
            reason = "";
            return true;
        }
        catch (DllNotFoundException e)
        {
            // The loader's message runs to several sentences of generic advice; its first says what failed.
            var first = e.Message.Split(". ", 2)[0];
            reason = $"libecgtorch or libtorch not loadable ({first}); run tools/setup/torch.sh";
            return false;
        }
        catch (EntryPointNotFoundException e)
        {
            reason = $"libecgtorch is out of date ({e.Message}); run tools/setup/torch.sh";
            return false;
        }
    }
}
