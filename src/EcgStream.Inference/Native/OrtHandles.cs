using System.Runtime.InteropServices;

namespace EcgStream.Inference.Native;

// Every ORT object we own is one of these SafeHandles; each releases through its own OrtApi entry.
// The library outlives all handles (it is never unloaded), so holding it here is enough.

internal abstract unsafe class OrtHandle : SafeHandle
{
    private static long _live;

    protected OrtHandle(OrtLibrary library, nint handle) : base(0, ownsHandle: true)
    {
        Library = library;
        SetHandle(handle);
        if (handle != 0) Interlocked.Increment(ref _live);
    }

    /// <summary>ORT objects owned and not yet released, process-wide (leak checks in tests and diagnostics).</summary>
    public static long Live => Interlocked.Read(ref _live);

    protected OrtLibrary Library { get; }
    public override bool IsInvalid => handle == 0;

    protected sealed override bool ReleaseHandle()
    {
        Interlocked.Decrement(ref _live);
        return Release();
    }

    protected abstract bool Release();
}

internal sealed unsafe class OrtEnvHandle(OrtLibrary library, nint handle) : OrtHandle(library, handle)
{
    protected override bool Release() { Library.Api->ReleaseEnv(handle); return true; }
}

internal sealed unsafe class OrtSessionOptionsHandle(OrtLibrary library, nint handle) : OrtHandle(library, handle)
{
    protected override bool Release() { Library.Api->ReleaseSessionOptions(handle); return true; }
}

internal sealed unsafe class OrtSessionHandle(OrtLibrary library, nint handle) : OrtHandle(library, handle)
{
    protected override bool Release() { Library.Api->ReleaseSession(handle); return true; }
}

internal sealed unsafe class OrtMemoryInfoHandle(OrtLibrary library, nint handle) : OrtHandle(library, handle)
{
    protected override bool Release() { Library.Api->ReleaseMemoryInfo(handle); return true; }
}

internal sealed unsafe class OrtValueHandle(OrtLibrary library, nint handle) : OrtHandle(library, handle)
{
    protected override bool Release() { Library.Api->ReleaseValue(handle); return true; }
}

internal sealed unsafe class OrtTypeInfoHandle(OrtLibrary library, nint handle) : OrtHandle(library, handle)
{
    protected override bool Release() { Library.Api->ReleaseTypeInfo(handle); return true; }
}

internal sealed unsafe class OrtModelMetadataHandle(OrtLibrary library, nint handle) : OrtHandle(library, handle)
{
    protected override bool Release() { Library.Api->ReleaseModelMetadata(handle); return true; }
}

internal sealed unsafe class OrtTensorRtOptionsHandle(OrtLibrary library, nint handle) : OrtHandle(library, handle)
{
    protected override bool Release() { Library.Api->ReleaseTensorRTProviderOptions(handle); return true; }
}

internal sealed unsafe class OrtCudaOptionsHandle(OrtLibrary library, nint handle) : OrtHandle(library, handle)
{
    protected override bool Release() { Library.Api->ReleaseCUDAProviderOptions(handle); return true; }
}

/// <summary>Memory ORT allocated with an OrtAllocator for us (names, metadata strings, key arrays).</summary>
internal sealed unsafe class OrtAllocatedHandle : OrtHandle
{
    private readonly nint _allocator;

    public OrtAllocatedHandle(OrtLibrary library, nint allocator, nint memory) : base(library, memory) => _allocator = allocator;

    /// <summary>The UTF-8 string at this memory, or null for a null pointer.</summary>
    public string? ReadUtf8() => IsInvalid ? null : Marshal.PtrToStringUTF8(handle);

    protected override bool Release()
    {
        // AllocatorFree returns a status only for a broken allocator; nothing useful can be done with it here.
        var status = Library.Api->AllocatorFree(_allocator, (void*)handle);
        if (status != 0) Library.Api->ReleaseStatus(status);
        return status == 0;
    }
}
