namespace EcgStream.Training.Heads;

/// <summary>Builds heads by kind.</summary>
public static class RhythmHeads
{
    /// <param name="layer">The probed layer for <see cref="HeadKind.LayerProbe"/>; ignored otherwise.</param>
    public static RhythmHead Create(HeadKind kind, int dim, int layers, int classes, int layer = -1, int gateHidden = 64, PmaGate gate = PmaGate.PerLayer, int rhythmFeatures = 0) => kind switch
    {
        HeadKind.LastLayer => new LayerProbeHead(dim, layers, classes, layers - 1),
        HeadKind.LayerProbe => new LayerProbeHead(dim, layers, classes, layer),
        HeadKind.Ppa => new PpaHead(dim, layers, classes),
        HeadKind.Pma => new PmaHead(dim, layers, classes, gateHidden, gate, rhythmFeatures),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown head kind"),
    };
}
