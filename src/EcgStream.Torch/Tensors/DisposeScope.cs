namespace EcgStream.Torch;

/// <summary>
/// Owns every tensor created on this thread while it is the innermost scope, and disposes them
/// with itself. A result that must survive is moved out with <see cref="MoveToOuter{T}"/>
/// (to the enclosing scope, or to no scope, where the caller owns it). Scopes nest per thread
/// and must be disposed innermost first.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? t_current;

    private readonly HashSet<torch.Tensor> _owned = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    private DisposeScope(DisposeScope? outer) => Outer = outer;

    internal DisposeScope? Outer { get; }

    /// <summary>The innermost open scope of this thread, if any.</summary>
    internal static DisposeScope? Current => t_current;

    /// <summary>Tensors this scope will dispose.</summary>
    public int Count => _owned.Count;

    internal static DisposeScope Open()
    {
        var scope = new DisposeScope(t_current);
        t_current = scope;
        return scope;
    }

    internal void Add(torch.Tensor tensor)
    {
        _owned.Add(tensor);
        tensor.OwningScope = this;
    }

    internal void Remove(torch.Tensor tensor)
    {
        _owned.Remove(tensor);
        tensor.OwningScope = null;
    }

    /// <summary>Hands <paramref name="tensor"/> to the enclosing scope (or to the caller when there is none).</summary>
    public T MoveToOuter<T>(T tensor) where T : torch.Tensor
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!ReferenceEquals(tensor.OwningScope, this))
            throw new InvalidOperationException("the tensor is not owned by this dispose scope");
        Remove(tensor);
        Outer?.Add(tensor);
        return tensor;
    }

    /// <summary>Takes ownership of a tensor created elsewhere (e.g. before the scope opened).</summary>
    public T Include<T>(T tensor) where T : torch.Tensor
    {
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.OwningScope?.Remove(tensor);
        Add(tensor);
        return tensor;
    }

    public void Dispose()
    {
        if (_disposed) return;
        if (!ReferenceEquals(t_current, this))
            throw new InvalidOperationException("dispose scopes must be disposed innermost first, on the thread that opened them");
        _disposed = true;
        t_current = Outer;
        foreach (var tensor in _owned)
        {
            tensor.OwningScope = null;
            tensor.Dispose();
        }
        _owned.Clear();
    }
}
