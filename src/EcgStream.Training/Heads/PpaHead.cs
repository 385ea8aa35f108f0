using TorchSharp.Modules;
using EcgStream.Training.Modules;
using static TorchSharp.torch;

namespace EcgStream.Training.Heads;

/// <summary>PPA (ECG-Soup): the mean of all layers' pooled representations, LayerNorm, Linear(d → C).</summary>
public sealed class PpaHead : RhythmHead
{
    public PpaHead(int dim, int layers, int classes) : base(nameof(PpaHead), dim, layers, classes)
    {
        norm = nn.LayerNorm(dim, Model.EncoderConfig.NormEps);
        head = nn.Linear(dim, classes);
        register_module(nameof(norm), norm);
        register_module(nameof(head), head);
    }

    public readonly LayerNorm norm;
    public readonly Linear head;
    public override HeadKind Kind => HeadKind.Ppa;

    public override HeadOutput forward(Tensor layerPooled)
    {
        CheckInput(layerPooled);
        using var scope = NewDisposeScope();
        return new HeadOutput(scope.MoveToOuter(head.forward(norm.forward(layerPooled.mean([1])))), null);
    }
}
