global using EcgStream.Tests;

// libtorch's generator, thread count and grad mode are process-wide; the live-handle count
// is too. Tests in this assembly therefore run one at a time. TorchFact/TorchTheory: tests/SharedTorch.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace EcgStream.Torch.Tests;

/// <summary>A fact that also needs PyTorch (Debian's python3-torch at /usr/bin/python3).</summary>
public sealed class PyTorchFactAttribute : FactAttribute
{
    public PyTorchFactAttribute()
    {
        if (!TorchState.Available) Skip = TorchState.Reason;
        else if (!PythonRunner.HasTorch) Skip = "PyTorch absent: /usr/bin/python3 cannot import torch (apt-get install python3-torch)";
    }
}

/// <summary>A fact that needs libtorch and /usr/bin/python3 (the standard library only).</summary>
public sealed class PythonFactAttribute : FactAttribute
{
    public PythonFactAttribute()
    {
        if (!TorchState.Available) Skip = TorchState.Reason;
        else if (!PythonRunner.HasPython) Skip = "/usr/bin/python3 absent";
    }
}

internal static class LiveHandles
{
    /// <summary>
    /// The live native handle count once tensors that earlier tests left to the garbage collector
    /// have been finalised, so a count taken now is a stable baseline.
    /// </summary>
    public static long Settled()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return torch.Tensor.LiveHandleCount;
    }
}
