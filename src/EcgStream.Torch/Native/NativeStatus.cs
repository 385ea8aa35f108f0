using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EcgStream.Torch.Native;

/// <summary>The one place where a native status becomes an exception.</summary>
internal static class NativeStatus
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Check(int status)
    {
        if (status != 0) Throw();
    }

    [DoesNotReturn]
    private static void Throw()
    {
        var message = Marshal.PtrToStringUTF8(NativeMethods.ecgt_last_error());
        throw new TorchException(string.IsNullOrEmpty(message) ? "libtorch reported an error without a message" : message);
    }
}
