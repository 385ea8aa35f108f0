using System.Runtime.InteropServices;
using System.Text;

namespace EcgStream.Inference.Native;

/// <summary>A NUL-terminated UTF-8 copy of a string in native memory, for ORT arguments that outlive one call (names passed to every Run).</summary>
internal sealed unsafe class Utf8String : IDisposable
{
    public Utf8String(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        Pointer = (byte*)NativeMemory.Alloc((nuint)count + 1);
        var written = Encoding.UTF8.GetBytes(value, new Span<byte>(Pointer, count));
        Pointer[written] = 0;
        Value = value;
    }

    public byte* Pointer { get; private set; }
    public string Value { get; }

    public void Dispose()
    {
        if (Pointer is null) return;
        NativeMemory.Free(Pointer);
        Pointer = null;
    }
}
