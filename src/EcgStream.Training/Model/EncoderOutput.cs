using TorchSharp;

namespace EcgStream.Training.Model;

/// <summary>
/// What the encoder produces for a batch: every layer's pooled representation (masked mean over the
/// present leads' patch tokens; SEP tokens and absent leads excluded) and the hidden states. Owns
/// its tensors.
/// </summary>
public sealed class EncoderOutput : IDisposable
{
    internal EncoderOutput(torch.Tensor layerPooled, torch.Tensor[] hidden)
    {
        LayerPooled = layerPooled;
        Hidden = hidden;
    }

    /// <summary>[B, L, d]: layer l's pooled representation in row l (layer 0 is the first block's output).</summary>
    public torch.Tensor LayerPooled { get; }

    /// <summary>
    /// Hidden states [B, 12·T, d] (T tokens per lead, SEP included), one per layer when all layers were
    /// kept (pretraining with layer groups), else only the last.
    /// </summary>
    public IReadOnlyList<torch.Tensor> Hidden { get; }

    public torch.Tensor LastHidden => Hidden[^1];

    public void Dispose()
    {
        LayerPooled.Dispose();
        foreach (var h in Hidden) h.Dispose();
    }
}
