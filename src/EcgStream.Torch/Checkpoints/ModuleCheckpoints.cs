using static EcgStream.Torch.torch;

namespace EcgStream.Torch.Checkpoints;

/// <summary>Saving and loading a module's state dict as safetensors.</summary>
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
            module.load_state_dict(tensors, strict);
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
}
