using TorchSharp;

namespace EcgStream.Training.Heads;

/// <summary>Which representation a head reads from the encoder's layers.</summary>
public enum HeadKind
{
    /// <summary>The last layer's pooled representation.</summary>
    LastLayer,
    /// <summary>One chosen layer's pooled representation (a linear probe of that layer).</summary>
    LayerProbe,
    /// <summary>PPA: the mean of all layers' pooled representations.</summary>
    Ppa,
    /// <summary>PMA: a per-sample softmax gate over the layers' normalised representations.</summary>
    Pma,
}

/// <summary>
/// A classification head over the encoder's per-layer pooled representations [B, L, d], giving
/// multi-label logits over class set v1 (sigmoid, BCE).
/// </summary>
public abstract class RhythmHead : torch.nn.Module
{
    protected RhythmHead(string name, int dim, int layers, int classes) : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        (Dim, Layers, Classes) = (dim, layers, classes);
    }

    public int Dim { get; }
    public int Layers { get; }
    public int Classes { get; }
    public abstract HeadKind Kind { get; }

    /// <summary><paramref name="layerPooled"/> [B, L, d] → logits [B, C] (+ layer weights for PMA).</summary>
    public abstract HeadOutput forward(torch.Tensor layerPooled);

    /// <summary>Width of the rhythm path's input (contract v2 <c>rhythm</c>); 0 for a head without one.</summary>
    public virtual int RhythmFeatures => 0;

    /// <summary>
    /// The head on <paramref name="layerPooled"/> and, for a head with a rhythm path, the windows' rhythm features
    /// <paramref name="rhythm"/> [B, <see cref="RhythmFeatures"/>]; other heads ignore it.
    /// </summary>
    public virtual HeadOutput Forward(torch.Tensor layerPooled, torch.Tensor? rhythm) => forward(layerPooled);

    protected void CheckInput(torch.Tensor layerPooled)
    {
        var s = layerPooled.shape;
        if (s.Length != 3 || s[1] != Layers || s[2] != Dim)
            throw new ArgumentException($"{GetName()} reads [batch, {Layers}, {Dim}], got [{string.Join(", ", s)}]", nameof(layerPooled));
    }
}
