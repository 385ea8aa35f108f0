using EcgStream.Torch;

// libtorch's generator, thread count and grad mode are process-wide; the live-handle count
// is too. Tests in this assembly therefore run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace EcgStream.Torch.Tests;

/// <summary>A fact that needs libtorch and the native shim; skipped with the reason when they do not load.</summary>
public sealed class TorchFactAttribute : FactAttribute
{
    public TorchFactAttribute()
    {
        if (!TorchAvailability.Available) Skip = TorchAvailability.Reason;
    }
}

/// <summary>A fact that also needs PyTorch (Debian's python3-torch at /usr/bin/python3).</summary>
public sealed class PyTorchFactAttribute : FactAttribute
{
    public PyTorchFactAttribute()
    {
        if (!TorchAvailability.Available) Skip = TorchAvailability.Reason;
        else if (!PythonRunner.HasTorch) Skip = "PyTorch absent: /usr/bin/python3 cannot import torch (apt-get install python3-torch)";
    }
}

internal static class TorchAvailability
{
    private static readonly Lazy<(bool ok, string reason)> s_state = new(() =>
    {
        var ok = torch.TryInitialize(out var reason);
        if (ok) torch.set_num_threads(1);
        return (ok, reason);
    });

    public static bool Available => s_state.Value.ok;
    public static string Reason => s_state.Value.reason;
}

/// <summary>A theory that needs libtorch and the native shim; skipped with the reason when they do not load.</summary>
public sealed class TorchTheoryAttribute : TheoryAttribute
{
    public TorchTheoryAttribute()
    {
        if (!TorchAvailability.Available) Skip = TorchAvailability.Reason;
    }
}

/// <summary>A fact that needs libtorch and /usr/bin/python3 (the standard library only).</summary>
public sealed class PythonFactAttribute : FactAttribute
{
    public PythonFactAttribute()
    {
        if (!TorchAvailability.Available) Skip = TorchAvailability.Reason;
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
