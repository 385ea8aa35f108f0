using EcgStream.Core.Leads;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Core.Samples;

namespace EcgStream.Inference.Contract;

/// <summary>
/// The runtime's view of a contract-v1 or v2 model: checked at load, then run over pre-allocated pinned
/// buffers sized for <see cref="MaxBatch"/> windows. The caller fills slots with
/// <see cref="SetWindow"/> (or writes <see cref="Ecg"/>/<see cref="LeadMask"/> directly),
/// calls <see cref="Run"/> for the first <c>batch</c> slots, and reads per-slot sigmoid
/// probabilities in class-set-v1 order (NaN for classes the model does not score). The OrtValues and
/// their <see cref="TensorBinding"/> for each batch size are created on first use and kept, so a
/// steady-state run allocates nothing.
/// Not thread-safe: one caller (the inference scheduler, through <see cref="IWindowClassifier"/>) drives it.
/// </summary>
public sealed class RhythmModel : IWindowClassifier
{
    private const int WindowValues = ModelContract.LeadCount * ModelContract.WindowSamples;

    private readonly InferenceSession _session;
    private readonly float[] _ecg;
    private readonly float[] _mask;
    private readonly float[]? _rhythm;          // contract v2 only
    private readonly float[] _logits;
    private readonly float[]? _layerWeights;
    private readonly float[] _probabilities;
    private readonly int[] _classColumns;      // class-set index of each logits column
    private readonly int _logitsIndex, _layerWeightsIndex, _ecgIndex, _maskIndex, _rhythmIndex;
    private readonly OrtTensor[]?[] _tensorsByBatch;      // inputs then outputs, per batch size
    private readonly TensorBinding?[] _bindingsByBatch;

    private RhythmModel(InferenceSession session, ContractDescription contract, int maxBatch)
    {
        _session = session;
        Contract = contract;
        MaxBatch = maxBatch;
        int columns = contract.Classes.Count;
        _ecg = OrtTensor.AllocatePinned(maxBatch * WindowValues);
        _mask = OrtTensor.AllocatePinned(maxBatch * ModelContract.LeadCount);
        _rhythm = contract.HasRhythmInput ? OrtTensor.AllocatePinned(maxBatch * ModelContract.RhythmFeatureCount) : null;
        _logits = OrtTensor.AllocatePinned(maxBatch * columns);
        _layerWeights = contract.HasLayerWeights ? OrtTensor.AllocatePinned(maxBatch * contract.LayerCount) : null;
        _probabilities = new float[maxBatch * RhythmClasses.Count];
        _probabilities.AsSpan().Fill(float.NaN);
        _classColumns = contract.Classes.Select(c => (int)c).ToArray();
        var thresholds = new double[RhythmClasses.Count];
        thresholds.AsSpan().Fill(double.NaN);
        for (int j = 0; j < columns; j++) thresholds[_classColumns[j]] = contract.Thresholds[j];
        Thresholds = thresholds;
        _ecgIndex = IndexOf(session.Inputs, ModelContract.EcgInput);
        _maskIndex = IndexOf(session.Inputs, ModelContract.LeadMaskInput);
        _rhythmIndex = IndexOf(session.Inputs, ModelContract.RhythmInput);
        _logitsIndex = IndexOf(session.Outputs, ModelContract.LogitsOutput);
        _layerWeightsIndex = IndexOf(session.Outputs, ModelContract.LayerWeightsOutput);
        _tensorsByBatch = new OrtTensor[]?[maxBatch + 1];
        _bindingsByBatch = new TensorBinding?[maxBatch + 1];
    }

    /// <summary>Loads and checks a model; throws <see cref="ModelContractException"/> listing every difference.</summary>
    public static RhythmModel Load(string path, InferenceOptions? options = null)
    {
        // a FIFO or a device would block the load, or read for ever
        if (Core.Files.RegularFiles.Problem(path) is { } why) throw new IOException($"{path}: {why}; a model is read from a file");
        options ??= new InferenceOptions();
        return Create(InferenceSession.Load(path, options), options);
    }

    public static RhythmModel Load(byte[] model, InferenceOptions? options = null, string name = "(in-memory model)")
    {
        options ??= new InferenceOptions();
        return Create(InferenceSession.Load(model, options, name), options);
    }

    private static RhythmModel Create(InferenceSession session, InferenceOptions options)
    {
        try
        {
            if (options.MaxBatch < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MaxBatch, "MaxBatch must be at least 1");
            return new RhythmModel(session, ContractCheck.Check(session), options.MaxBatch);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public InferenceSession Session => _session;
    public ContractDescription Contract { get; }
    public string ModelId => Contract.ModelId;
    public int MaxBatch { get; }
    /// <summary>Samples per lead of a window (2250 in contract v1).</summary>
    public int WindowLength => ModelContract.WindowSamples;
    /// <summary>Decision thresholds in class-set-v1 order (NaN for classes the model does not score).</summary>
    public IReadOnlyList<double> Thresholds { get; }

    /// <summary>The <c>ecg</c> input of one slot: 12 × 2250 values, lead-major in contract lead order.</summary>
    public Span<float> Ecg(int slot) => _ecg.AsSpan(CheckSlot(slot) * WindowValues, WindowValues);

    /// <summary>The <c>lead_mask</c> input of one slot: 12 values, 1 present, 0 absent.</summary>
    public Span<float> LeadMask(int slot) => _mask.AsSpan(CheckSlot(slot) * ModelContract.LeadCount, ModelContract.LeadCount);

    /// <summary>The <c>rhythm</c> input of one slot (contract v2: 14 RR-interval features); empty for a v1 model.</summary>
    public Span<float> Rhythm(int slot) =>
        _rhythm is null ? [] : _rhythm.AsSpan(CheckSlot(slot) * ModelContract.RhythmFeatureCount, ModelContract.RhythmFeatureCount);

    /// <summary>Copies a preprocessed window into a slot and sets its lead mask from the window's lead set (and, for a v2 model, its rhythm features: zeros, "not valid", when the window has none).</summary>
    public void SetWindow(int slot, in EcgWindow window)
    {
        if (window.Length != ModelContract.WindowSamples || window.SampleRate != ModelContract.SampleRate)
            throw new ArgumentException($"window of {window.Length} samples at {window.SampleRate} Hz; the model takes {ModelContract.WindowSamples} at {ModelContract.SampleRate} Hz", nameof(window));
        window.Data.Span.CopyTo(Ecg(slot));
        var mask = LeadMask(slot);
        for (int l = 0; l < mask.Length; l++) mask[l] = window.Leads.Contains((Lead)l) ? 1f : 0f;
        var rhythm = Rhythm(slot);
        if (rhythm.IsEmpty) return;
        if (window.Rhythm.Length == rhythm.Length) window.Rhythm.Span.CopyTo(rhythm);
        else rhythm.Clear();
    }

    /// <summary>Runs the model on slots 0…batch-1 and converts logits to probabilities.</summary>
    public void Run(int batch)
    {
        if (batch < 1 || batch > MaxBatch) throw new ArgumentOutOfRangeException(nameof(batch), batch, $"batch must be 1…{MaxBatch}");
        (_bindingsByBatch[batch] ??= BindBatch(batch)).Run();
        int columns = _classColumns.Length;
        for (int i = 0; i < batch; i++)
        {
            var logits = _logits.AsSpan(i * columns, columns);
            var probabilities = _probabilities.AsSpan(i * RhythmClasses.Count, RhythmClasses.Count);
            for (int j = 0; j < columns; j++) probabilities[_classColumns[j]] = 1f / (1f + MathF.Exp(-logits[j]));
        }
    }

    /// <summary>Probabilities of one slot after <see cref="Run"/>, in class-set-v1 order (NaN: not scored).</summary>
    public ReadOnlySpan<float> Probabilities(int slot) => _probabilities.AsSpan(CheckSlot(slot) * RhythmClasses.Count, RhythmClasses.Count);

    /// <summary>The same probabilities as memory, for <see cref="WindowScores"/> (valid until the next run).</summary>
    public ReadOnlyMemory<float> ProbabilityMemory(int slot) => _probabilities.AsMemory(CheckSlot(slot) * RhythmClasses.Count, RhythmClasses.Count);

    /// <summary>The PMA gate's weights over layers for one slot, empty when the model has no <c>layer_weights</c> output.</summary>
    public ReadOnlySpan<float> LayerWeights(int slot) =>
        _layerWeights is null ? [] : _layerWeights.AsSpan(CheckSlot(slot) * Contract.LayerCount, Contract.LayerCount);

    /// <summary>Tensors of <paramref name="batch"/> windows over the shared buffers, bound once to the session.</summary>
    private TensorBinding BindBatch(int batch)
    {
        var inputs = new OrtTensor[_session.Inputs.Count];
        inputs[_ecgIndex] = OrtTensor.Over(_ecg, [batch, ModelContract.LeadCount, ModelContract.WindowSamples]);
        inputs[_maskIndex] = OrtTensor.Over(_mask, [batch, ModelContract.LeadCount]);
        if (_rhythm is not null) inputs[_rhythmIndex] = OrtTensor.Over(_rhythm, [batch, ModelContract.RhythmFeatureCount]);
        var outputs = new OrtTensor[_session.Outputs.Count];
        outputs[_logitsIndex] = OrtTensor.Over(_logits, [batch, _classColumns.Length]);
        if (_layerWeights is not null) outputs[_layerWeightsIndex] = OrtTensor.Over(_layerWeights, [batch, Contract.LayerCount]);
        _tensorsByBatch[batch] = [.. inputs, .. outputs];
        return _session.Bind(inputs, outputs);
    }

    private int CheckSlot(int slot) =>
        (uint)slot < (uint)MaxBatch ? slot : throw new ArgumentOutOfRangeException(nameof(slot), slot, $"slot must be 0…{MaxBatch - 1}");

    private static int IndexOf(IReadOnlyList<TensorInfo> infos, string name)
    {
        for (int i = 0; i < infos.Count; i++) if (infos[i].Name == name) return i;
        return -1;
    }

    public void Dispose()
    {
        foreach (var binding in _bindingsByBatch) binding?.Dispose();
        foreach (var set in _tensorsByBatch) if (set is not null) foreach (var t in set) t.Dispose();
        _session.Dispose();
    }
}
