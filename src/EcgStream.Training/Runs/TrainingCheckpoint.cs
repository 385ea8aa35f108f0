using System.Globalization;
using EcgStream.Training.Checkpoints;
using EcgStream.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;

namespace EcgStream.Training.Runs;

/// <summary>
/// A resumable checkpoint in one safetensors file: the module's state under <c>model.</c>, the
/// AdamW moments under <c>optim.</c>, and metadata (the step reached, a run fingerprint that a resume
/// must match). Written to a temporary file and renamed, so a crash never leaves half a checkpoint.
/// </summary>
public static class TrainingCheckpoint
{
    public const string FileName = "checkpoint.safetensors";
    private const string StepKey = "ecgstream.step";
    private const string FingerprintKey = "ecgstream.fingerprint";

    public static void Save(string path, torch.nn.Module model, AdamW optimizer, long step, string fingerprint)
    {
        using var scope = torch.NewDisposeScope();   // the step scalars AdamWState makes
        var tensors = new Dictionary<string, torch.Tensor>();
        foreach (var (name, t) in model.state_dict()) tensors.Add("model." + name, t);
        foreach (var (name, t) in AdamWState.Export(optimizer)) tensors.Add("optim." + name, t);
        // SafeTensors.Save writes beside the file and renames it into place: a crash mid-save keeps the last checkpoint
        SafeTensors.Save(path, tensors, new Dictionary<string, string>
        {
            [StepKey] = step.ToString(CultureInfo.InvariantCulture),
            [FingerprintKey] = fingerprint,
        });
    }

    /// <summary>Loads a checkpoint into <paramref name="model"/> and <paramref name="optimizer"/>; returns the step reached.</summary>
    public static long Load(string path, torch.nn.Module model, AdamW optimizer, string fingerprint)
    {
        var tensors = SafeTensors.Load(path, out var metadata);
        try
        {
            if (!metadata.TryGetValue(StepKey, out var stepText) || !long.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out var step))
                throw new InvalidDataException($"{path}: metadata lacks a valid '{StepKey}'");
            if (!metadata.TryGetValue(FingerprintKey, out var saved) || saved != fingerprint)
                throw new InvalidDataException($"{path}: checkpoint belongs to another run configuration (fingerprint '{saved}', this run '{fingerprint}'); use a fresh run folder");
            var modelState = tensors.Where(kv => kv.Key.StartsWith("model.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key["model.".Length..], kv => kv.Value);
            var optimState = tensors.Where(kv => kv.Key.StartsWith("optim.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key["optim.".Length..], kv => kv.Value);
            try
            {
                model.LoadState(modelState);
                AdamWState.Import(optimizer, optimState);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{path}: {e.Message}", e);
            }
            return step;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
