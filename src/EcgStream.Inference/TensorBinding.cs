using Microsoft.ML.OnnxRuntime;

namespace EcgStream.Inference;

/// <summary>
/// A session's inputs and outputs bound once to caller-owned <see cref="OrtTensor"/>s (ORT's
/// <see cref="OrtIoBinding"/>): <see cref="Run"/> is one native call that reads the input tensors and
/// writes the output tensors in place, with no managed allocation. Shapes were checked when bound.
/// The tensors stay the caller's to dispose; dispose the binding first or together with them.
/// </summary>
public sealed class TensorBinding : IDisposable
{
    private static long _live;

    private readonly InferenceSession _session;
    private readonly OrtIoBinding _binding;
    private readonly OrtTensor[] _tensors;   // inputs then outputs, kept alive with the binding
    private bool _disposed;

    internal TensorBinding(InferenceSession session, OrtIoBinding binding, OrtTensor[] tensors)
    {
        _session = session;
        _binding = binding;
        _tensors = tensors;
        Interlocked.Increment(ref _live);
    }

    /// <summary>Bindings created and not yet disposed, process-wide (leak checks in tests).</summary>
    internal static long Live => Interlocked.Read(ref _live);

    internal OrtIoBinding Binding => _binding;
    internal bool IsDisposed => _disposed;

    /// <summary>True when this binding holds exactly these tensors, in this order.</summary>
    internal bool Holds(ReadOnlySpan<OrtTensor> inputs, ReadOnlySpan<OrtTensor> outputs)
    {
        if (inputs.Length + outputs.Length != _tensors.Length) return false;
        for (int i = 0; i < inputs.Length; i++) if (!ReferenceEquals(inputs[i], _tensors[i])) return false;
        for (int i = 0; i < outputs.Length; i++) if (!ReferenceEquals(outputs[i], _tensors[inputs.Length + i])) return false;
        return true;
    }

    /// <summary>Runs the model over the bound tensors.</summary>
    public void Run()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var t in _tensors) ObjectDisposedException.ThrowIf(t.IsDisposed, t);
        _session.RunBound(this);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _binding.Dispose();
        Interlocked.Decrement(ref _live);
    }
}
