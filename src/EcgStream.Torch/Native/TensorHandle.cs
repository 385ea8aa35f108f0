using System.Runtime.InteropServices;

namespace EcgStream.Torch.Native;

/// <summary>
/// Owns one native tensor handle (a heap-allocated at::Tensor in the shim). Disposal frees it
/// deterministically; the SafeHandle finaliser is only a last resort for a tensor somebody
/// forgot, never how native memory is normally freed.
/// </summary>
internal sealed class TensorHandle : SafeHandle
{
    private static long s_live;

    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    internal TensorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(handle);
        if (handle != IntPtr.Zero) Interlocked.Increment(ref s_live);
    }

    /// <summary>Native tensor handles currently alive in this process.</summary>
    internal static long Live => Interlocked.Read(ref s_live);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.ecgt_free(handle);
        Interlocked.Decrement(ref s_live);
        return true;
    }
}
