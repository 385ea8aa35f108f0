namespace EcgStream.Core.Models;

/// <summary>
/// A batched model over contract-v1 windows, as the inference scheduler sees it: input slots the
/// scheduler fills in place (no copies beyond the one from the window into its slot), one run per
/// batch, probabilities read back per slot. Implemented over ONNX Runtime by EcgStream.Inference's
/// RhythmModel; tests use small managed implementations.
/// </summary>
public interface IWindowClassifier : IDisposable
{
    string ModelId { get; }
    int MaxBatch { get; }
    /// <summary>Samples per lead of a window (2250 in contract v1).</summary>
    int WindowLength { get; }
    /// <summary>Decision thresholds per class of <see cref="Rhythms.RhythmClasses"/> (model metadata).</summary>
    IReadOnlyList<double> Thresholds { get; }

    /// <summary>The [12, WindowLength] input of batch slot <paramref name="slot"/>.</summary>
    Span<float> Ecg(int slot);
    /// <summary>The [12] lead mask of batch slot <paramref name="slot"/>.</summary>
    Span<float> LeadMask(int slot);
    /// <summary>
    /// The rhythm path's [<see cref="ModelContract.RhythmFeatureCount"/>] input of batch slot <paramref name="slot"/>
    /// (contract v2); empty for a model without one (v1), which is the default.
    /// </summary>
    Span<float> Rhythm(int slot) => [];
    /// <summary>Runs the first <paramref name="batch"/> slots.</summary>
    void Run(int batch);
    /// <summary>Per-class probabilities (class set v1 order, NaN for classes the model lacks) of slot <paramref name="slot"/> after <see cref="Run"/>.</summary>
    ReadOnlySpan<float> Probabilities(int slot);
}
