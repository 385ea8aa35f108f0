using static TorchSharp.torch;

namespace EcgStream.Training.Tests;

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

internal static class TensorValues
{
    /// <summary>A tensor's elements in row-major order, copied to a managed array.</summary>
    public static T[] ToArray<T>(this Tensor t) where T : unmanaged
    {
        using var scope = NewDisposeScope();
        return t.detach().cpu().contiguous().data<T>().ToArray();
    }
}
