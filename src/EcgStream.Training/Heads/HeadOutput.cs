using TorchSharp;

namespace EcgStream.Training.Heads;

/// <summary>A head's logits [B, C] and, for PMA, the gate's weights over layers [B, L]. Owns its tensors.</summary>
public sealed class HeadOutput(torch.Tensor logits, torch.Tensor? layerWeights) : IDisposable
{
    public torch.Tensor Logits { get; } = logits;
    public torch.Tensor? LayerWeights { get; } = layerWeights;

    public void Dispose()
    {
        Logits.Dispose();
        LayerWeights?.Dispose();
    }
}
