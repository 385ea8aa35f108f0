using static TorchSharp.torch;

namespace EcgStream.Training.Checkpoints;

/// <summary>Saving and loading a module's state dict as safetensors, with errors that name the tensor that does not fit.</summary>
public static class ModuleCheckpoints
{
    /// <summary>Writes the module's parameters and buffers under their state-dict names.</summary>
    public static void save_safetensors(this nn.Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        SafeTensors.Save(path, module.state_dict(), metadata);
    }

    /// <summary>Loads a file written by <see cref="save_safetensors"/> (or by PyTorch's safetensors) into the module.</summary>
    public static void load_safetensors(this nn.Module module, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        var tensors = SafeTensors.Load(path);
        try
        {
            module.LoadState(tensors, strict);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>
    /// Copies <paramref name="source"/> into the module's parameters and buffers. Unlike TorchSharp's
    /// load_state_dict it checks every key, shape and dtype first and says which one does not fit
    /// (ArgumentException), so nothing is half-loaded.
    /// </summary>
    public static void LoadState(this nn.Module module, IReadOnlyDictionary<string, Tensor> source, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(source);
        var own = module.state_dict();
        if (strict)
        {
            var missing = own.Keys.Where(k => !source.ContainsKey(k)).ToList();
            var unexpected = source.Keys.Where(k => !own.ContainsKey(k)).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new ArgumentException(
                    $"state dict does not fit {module.GetName()}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]",
                    nameof(source));
        }
        foreach (var (name, target) in own)
        {
            if (!source.TryGetValue(name, out var value)) continue;
            var (ts, vs) = (target.shape, value.shape);
            if (!ts.AsSpan().SequenceEqual(vs))
                throw new ArgumentException($"'{name}': shape [{string.Join(", ", vs)}] does not match the module's [{string.Join(", ", ts)}]", nameof(source));
            if (target.dtype != value.dtype)
                throw new ArgumentException($"'{name}': dtype {value.dtype} does not match the module's {target.dtype}", nameof(source));
        }
        using var _ = no_grad();
        foreach (var (name, target) in own)
            if (source.TryGetValue(name, out var value)) target.copy_(value);
    }
}
