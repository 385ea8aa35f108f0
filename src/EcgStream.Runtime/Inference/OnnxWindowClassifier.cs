using EcgStream.Inference;
using EcgStream.Inference.Contract;

namespace EcgStream.Runtime.Inference;

/// <summary>A contract-v1 ONNX model (<see cref="RhythmModel"/>) as the scheduler's <see cref="IWindowClassifier"/>.</summary>
public sealed class OnnxWindowClassifier(RhythmModel model) : IWindowClassifier
{
    public static OnnxWindowClassifier Load(string path, InferenceOptions? options = null) => new(RhythmModel.Load(path, options));

    public RhythmModel Model { get; } = model;
    public string ModelId => Model.ModelId;
    public int MaxBatch => Model.MaxBatch;
    public int WindowLength => Model.WindowLength;
    public IReadOnlyList<double> Thresholds => Model.Thresholds;
    public Span<float> Ecg(int slot) => Model.Ecg(slot);
    public Span<float> LeadMask(int slot) => Model.LeadMask(slot);
    public void Run(int batch) => Model.Run(batch);
    public ReadOnlySpan<float> Probabilities(int slot) => Model.Probabilities(slot);
    public void Dispose() => Model.Dispose();
}
