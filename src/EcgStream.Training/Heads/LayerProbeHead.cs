using TorchSharp.Modules;
using EcgStream.Training.Modules;
using static TorchSharp.torch;

namespace EcgStream.Training.Heads;

/// <summary>A linear probe of one layer: LayerNorm then Linear(d → C) on that layer's pooled representation.</summary>
public sealed class LayerProbeHead : RhythmHead
{
    public LayerProbeHead(int dim, int layers, int classes, int layer) : base(nameof(LayerProbeHead), dim, layers, classes)
    {
        if (layer < 0 || layer >= layers) throw new ArgumentOutOfRangeException(nameof(layer), layer, $"layer must be within 0…{layers - 1}");
        Layer = layer;
        norm = nn.LayerNorm(dim, Model.EncoderConfig.NormEps);
        head = nn.Linear(dim, classes);
        register_module(nameof(norm), norm);
        register_module(nameof(head), head);
    }

    public int Layer { get; }
    public readonly LayerNorm norm;
    public readonly Linear head;
    public override HeadKind Kind => Layer == Layers - 1 ? HeadKind.LastLayer : HeadKind.LayerProbe;

    public override HeadOutput forward(Tensor layerPooled)
    {
        CheckInput(layerPooled);
        using var scope = NewDisposeScope();
        return new HeadOutput(scope.MoveToOuter(head.forward(norm.forward(layerPooled.select(1, Layer)))), null);
    }
}
