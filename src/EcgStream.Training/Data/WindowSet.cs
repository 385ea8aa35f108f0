using EcgStream.Core.Leads;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using static EcgStream.Torch.torch;

namespace EcgStream.Training.Data;

/// <summary>
/// Preprocessed, labelled contract-v1 windows in memory: 12 × 2250 floats each (lead-major in
/// contract lead order, absent leads zero, already standardised), the lead set, the class-set-v1
/// multi-label mask (bit <c>1 &lt;&lt; (int)class</c>) and the record the window came from (splits
/// are by record). Batches are staged in reused buffers.
/// </summary>
public sealed class WindowSet
{
    public const int WindowValues = ModelContract.LeadCount * ModelContract.WindowSamples;

    private float[] _ecg;
    private readonly List<LeadSet> _leads = [];
    private readonly List<int> _labels = [];
    private readonly List<string> _records = [];
    private float[] _stageEcg = [], _stageMask = [], _stageLabels = [];

    public WindowSet(int capacity = 64) => _ecg = new float[Math.Max(1, capacity) * WindowValues];

    public int Count => _leads.Count;

    public ReadOnlySpan<float> Ecg(int index) => _ecg.AsSpan(CheckIndex(index) * WindowValues, WindowValues);
    public LeadSet Leads(int index) => _leads[CheckIndex(index)];
    public int ClassMask(int index) => _labels[CheckIndex(index)];
    public string RecordId(int index) => _records[CheckIndex(index)];

    /// <summary>Windows per class (a window counts once for each of its labels).</summary>
    public int[] ClassCounts()
    {
        var counts = new int[RhythmClasses.Count];
        foreach (var m in _labels)
            for (int c = 0; c < counts.Length; c++)
                if ((m & (1 << c)) != 0) counts[c]++;
        return counts;
    }

    /// <summary>Adds one preprocessed window (12 × 2250, lead-major).</summary>
    public void Add(ReadOnlySpan<float> window, LeadSet leads, int classMask, string recordId)
    {
        if (window.Length != WindowValues) throw new ArgumentException($"window holds {window.Length} values, {WindowValues} expected", nameof(window));
        if (leads.IsEmpty) throw new ArgumentException($"window of '{recordId}' has no present lead", nameof(leads));
        if (classMask < 0 || classMask >= 1 << RhythmClasses.Count) throw new ArgumentOutOfRangeException(nameof(classMask), classMask, "not a class-set-v1 mask");
        for (int i = 0; i < window.Length; i++)
            if (!float.IsFinite(window[i])) throw new ArgumentException($"window of '{recordId}' holds a non-finite value at {i}", nameof(window));
        if ((Count + 1) * WindowValues > _ecg.Length) Array.Resize(ref _ecg, Math.Max(_ecg.Length * 2, (Count + 1) * WindowValues));
        window.CopyTo(_ecg.AsSpan(Count * WindowValues));
        _leads.Add(leads);
        _labels.Add(classMask);
        _records.Add(recordId);
    }

    /// <summary>The windows whose record is in <paramref name="records"/>, in order.</summary>
    public WindowSet Subset(IReadOnlySet<string> records)
    {
        var result = new WindowSet(Count);
        for (int i = 0; i < Count; i++)
            if (records.Contains(_records[i])) result.Add(Ecg(i), _leads[i], _labels[i], _records[i]);
        return result;
    }

    /// <summary>
    /// Tensors for the windows at <paramref name="indices"/>: ecg [B, 12, 2250], lead_mask [B, 12],
    /// labels [B, 11] (0/1). The caller owns (or scopes) the tensors.
    /// </summary>
    public (Tensor Ecg, Tensor LeadMask, Tensor Labels) Batch(ReadOnlySpan<int> indices)
    {
        int b = indices.Length;
        if (b == 0) throw new ArgumentException("empty batch", nameof(indices));
        if (_stageEcg.Length < b * WindowValues)
        {
            _stageEcg = new float[b * WindowValues];
            _stageMask = new float[b * ModelContract.LeadCount];
            _stageLabels = new float[b * RhythmClasses.Count];
        }
        for (int j = 0; j < b; j++)
        {
            int i = CheckIndex(indices[j]);
            Ecg(i).CopyTo(_stageEcg.AsSpan(j * WindowValues));
            for (int l = 0; l < ModelContract.LeadCount; l++) _stageMask[j * ModelContract.LeadCount + l] = _leads[i].Contains((Lead)l) ? 1f : 0f;
            for (int c = 0; c < RhythmClasses.Count; c++) _stageLabels[j * RhythmClasses.Count + c] = (_labels[i] & (1 << c)) != 0 ? 1f : 0f;
        }
        return (tensor<float>(_stageEcg.AsSpan(0, b * WindowValues), [b, ModelContract.LeadCount, ModelContract.WindowSamples]),
                tensor<float>(_stageMask.AsSpan(0, b * ModelContract.LeadCount), [b, ModelContract.LeadCount]),
                tensor<float>(_stageLabels.AsSpan(0, b * RhythmClasses.Count), [b, RhythmClasses.Count]));
    }

    private int CheckIndex(int index) =>
        (uint)index < (uint)Count ? index : throw new ArgumentOutOfRangeException(nameof(index), index, $"window index must be 0…{Count - 1}");
}
