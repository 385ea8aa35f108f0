using EcgStream.Onnx.Proto;
using EcgStream.Onnx.Quantization;
using Google.Protobuf;

namespace EcgStream.Inference.Quantization;

/// <summary>
/// Calibration for static int8 quantization: runs a float32 model on real inputs with every activation
/// that <see cref="Int8Quantizer"/> will quantize added as an output, and keeps an <see cref="ActivationRange"/>
/// per activation. Inputs are given by the model's own names, so a model with more inputs (e.g. contract
/// v2's <c>rhythm</c>) is calibrated the same way.
/// </summary>
public sealed class ActivationCalibrator : IDisposable
{
    private readonly InferenceSession _session;
    private readonly Dictionary<string, ActivationRange> _ranges;

    public ActivationCalibrator(ModelProto model, InferenceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Activations = Int8Quantizer.ActivationsToCalibrate(model);
        if (Activations.Count == 0) throw new ArgumentException("model has no MatMul or Gemm with a float32 matrix initializer: nothing to calibrate", nameof(model));
        _ranges = Activations.ToDictionary(a => a, _ => new ActivationRange(), StringComparer.Ordinal);
        // Graph optimisation may fuse the activations away; as graph outputs they are kept.
        _session = InferenceSession.Load(Int8Quantizer.WithOutputs(model, Activations).ToByteArray(), options, "calibration model");
    }

    /// <summary>The activation tensors being calibrated, in graph order.</summary>
    public IReadOnlyList<string> Activations { get; }
    public IReadOnlyDictionary<string, ActivationRange> Ranges => _ranges;
    /// <summary>Batches observed so far.</summary>
    public int Batches { get; private set; }

    /// <summary>Runs one batch of calibration inputs and records every activation's magnitudes.</summary>
    public void Observe(IReadOnlyList<(string Name, OrtTensor Tensor)> inputs)
    {
        _session.RunNamed(inputs, Activations, (name, values, _) => _ranges[name].Observe(values));
        Batches++;
    }

    /// <summary>One scale per activation by <paramref name="method"/>, for <see cref="Int8Quantizer.QuantizeQdq"/>.</summary>
    public Dictionary<string, float> Scales(CalibrationMethod method, double percentile = 99.99)
    {
        if (Batches == 0) throw new InvalidOperationException("no calibration batch observed yet");
        return _ranges.ToDictionary(kv => kv.Key, kv => kv.Value.Scale(method, percentile), StringComparer.Ordinal);
    }

    public void Dispose() => _session.Dispose();
}
