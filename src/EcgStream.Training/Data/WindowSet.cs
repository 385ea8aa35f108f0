using EcgStream.Core.Leads;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Signal.Rhythms;
using static TorchSharp.torch;

namespace EcgStream.Training.Data;

/// <summary>
/// Preprocessed, labelled contract windows in memory: each a 12 × 2250 window (lead-major in
/// contract lead order, absent leads zero, already standardised), its lead set, its class-set-v1
/// multi-label mask (bit <c>1 &lt;&lt; (int)class</c>), which classes that label rules on (the
/// <i>known</i> mask: a class outside it is unknown for the window, neither positive nor negative,
/// and left out of the loss), its rhythm features (contract v2's <c>rhythm</c> input; zeros when
/// not computed) and the record it came from (splits are by record). Only present leads are stored (a single-lead window costs 9 KB, not 108 KB); batches
/// are staged in reused buffers.
/// </summary>
public sealed class WindowSet
{
    public const int WindowValues = ModelContract.LeadCount * ModelContract.WindowSamples;

    private float[] _planes;                 // present leads' samples, window after window, in lead order
    private long _used;                      // floats of _planes in use
    private readonly List<long> _offsets = [];
    private readonly List<LeadSet> _leads = [];
    private readonly List<int> _labels = [];
    private readonly List<int> _known = [];
    private readonly List<float> _rhythm = [];   // RhythmFeatures.Count per window
    private readonly List<string> _records = [];
    private float[] _stageEcg = [], _stageMask = [], _stageLabels = [];

    public WindowSet(int capacity = 64) => _planes = new float[Math.Max(1, capacity) * ModelContract.WindowSamples];

    public int Count => _leads.Count;

    /// <summary>Writes window <paramref name="index"/> as 12 × 2250 values (absent leads zero) into <paramref name="destination"/>.</summary>
    public void CopyEcg(int index, Span<float> destination)
    {
        if (destination.Length < WindowValues) throw new ArgumentException($"destination holds {destination.Length} values, {WindowValues} needed", nameof(destination));
        var leads = _leads[CheckIndex(index)];
        var source = _planes.AsSpan((int)_offsets[index], leads.Count * ModelContract.WindowSamples);
        int p = 0;
        for (int l = 0; l < ModelContract.LeadCount; l++)
        {
            var target = destination.Slice(l * ModelContract.WindowSamples, ModelContract.WindowSamples);
            if (leads.Contains((Lead)l)) source.Slice(p++ * ModelContract.WindowSamples, ModelContract.WindowSamples).CopyTo(target);
            else target.Clear();
        }
    }

    /// <summary>Window <paramref name="index"/> as a new 12 × 2250 array (for tests and tools; batches use <see cref="Batch"/>).</summary>
    public float[] Ecg(int index)
    {
        var result = new float[WindowValues];
        CopyEcg(index, result);
        return result;
    }
    public LeadSet Leads(int index) => _leads[CheckIndex(index)];
    public int ClassMask(int index) => _labels[CheckIndex(index)];
    /// <summary>Classes the window's label rules on (positive or negative); the rest are unknown.</summary>
    public int KnownMask(int index) => _known[CheckIndex(index)];
    /// <summary>The window's rhythm features (<see cref="RhythmFeatures.Count"/> values).</summary>
    public ReadOnlySpan<float> Rhythm(int index) =>
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_rhythm).Slice(CheckIndex(index) * RhythmFeatures.Count, RhythmFeatures.Count);

    /// <summary>Every class known: what a label that names the window's rhythms completely means.</summary>
    public const int AllKnown = (1 << RhythmClasses.Count) - 1;
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

    /// <summary>Window indices grouped by lead set (ascending lead-set mask, indices in order): the buckets of <see cref="BatchSampler.DrawFromBuckets"/>.</summary>
    public List<int[]> IndicesByLeadSet() =>
        [.. Enumerable.Range(0, Count).GroupBy(i => _leads[i].Mask).OrderBy(g => g.Key).Select(g => g.ToArray())];

    /// <summary>
    /// Adds one preprocessed window (12 × 2250, lead-major). <paramref name="knownMask"/>: the classes the label rules
    /// on (default all); <paramref name="rhythm"/>: its rhythm features (default none: zeros, "not valid").
    /// </summary>
    public void Add(ReadOnlySpan<float> window, LeadSet leads, int classMask, string recordId, int knownMask = AllKnown, ReadOnlySpan<float> rhythm = default)
    {
        if ((classMask & ~knownMask) != 0) throw new ArgumentException($"window of '{recordId}': positive classes {classMask:X} outside the known mask {knownMask:X}", nameof(knownMask));
        if (!rhythm.IsEmpty && rhythm.Length != RhythmFeatures.Count) throw new ArgumentException($"window of '{recordId}': {rhythm.Length} rhythm features, {RhythmFeatures.Count} expected", nameof(rhythm));
        if (window.Length != WindowValues) throw new ArgumentException($"window holds {window.Length} values, {WindowValues} expected", nameof(window));
        if (leads.IsEmpty) throw new ArgumentException($"window of '{recordId}' has no present lead", nameof(leads));
        if (classMask < 0 || classMask >= 1 << RhythmClasses.Count) throw new ArgumentOutOfRangeException(nameof(classMask), classMask, "not a class-set-v1 mask");
        for (int i = 0; i < window.Length; i++)
            if (!float.IsFinite(window[i])) throw new ArgumentException($"window of '{recordId}' holds a non-finite value at {i}", nameof(window));
        long need = _used + (long)leads.Count * ModelContract.WindowSamples;
        if (need > Array.MaxLength) throw new InvalidOperationException($"window set is full ({Count} windows); split the data");
        if (need > _planes.Length) Array.Resize(ref _planes, (int)Math.Min(Array.MaxLength, Math.Max(need, _planes.Length + _planes.Length / 2)));
        _offsets.Add(_used);
        foreach (var lead in leads)
        {
            window.Slice((int)lead * ModelContract.WindowSamples, ModelContract.WindowSamples).CopyTo(_planes.AsSpan((int)_used));
            _used += ModelContract.WindowSamples;
        }
        _leads.Add(leads);
        _labels.Add(classMask);
        _known.Add(knownMask);
        if (rhythm.IsEmpty) for (int k = 0; k < RhythmFeatures.Count; k++) _rhythm.Add(0f);
        else foreach (var v in rhythm) _rhythm.Add(float.IsFinite(v) ? v : 0f);
        _records.Add(recordId);
    }

    /// <summary>
    /// SHA-256 of what a model reads from every window (samples, lead sets, rhythm features), in order: two sets with the
    /// same fingerprint give a model the same inputs. Cached model outputs are keyed by it.
    /// </summary>
    public string Fingerprint()
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_planes.AsSpan(0, (int)_used)));
        Span<byte> word = stackalloc byte[4];
        foreach (var leads in _leads) { System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(word, leads.Mask); sha.AppendData(word); }
        sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_rhythm)));
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }

    /// <summary>Appends every window of <paramref name="other"/> (record ids must not collide: splits are by record).</summary>
    public void AddRange(WindowSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var mine = _records.ToHashSet();
        var buffer = new float[WindowValues];
        for (int i = 0; i < other.Count; i++)
        {
            if (mine.Contains(other._records[i])) throw new ArgumentException($"record '{other._records[i]}' is in both window sets", nameof(other));
            other.CopyEcg(i, buffer);
            Add(buffer, other._leads[i], other._labels[i], other._records[i], other._known[i], other.Rhythm(i));
        }
    }

    /// <summary>The windows whose record is in <paramref name="records"/>, in order.</summary>
    public WindowSet Subset(IReadOnlySet<string> records)
    {
        var result = new WindowSet();
        var buffer = new float[WindowValues];
        for (int i = 0; i < Count; i++)
        {
            if (!records.Contains(_records[i])) continue;
            CopyEcg(i, buffer);
            result.Add(buffer, _leads[i], _labels[i], _records[i], _known[i], Rhythm(i));
        }
        return result;
    }

    /// <summary>
    /// The windows with a positive class, every class known: labels as training read them before per-class masks
    /// (2026-11-21, the recipe of v1's encoder), when a window that names no class of the set (PhysioNet 2017's "O", an
    /// unmapped rhythm) was left out and every class a window did not name counted as a negative.
    /// </summary>
    public WindowSet WithEveryLabelKnown()
    {
        var result = new WindowSet();
        var buffer = new float[WindowValues];
        for (int i = 0; i < Count; i++)
        {
            if (_labels[i] == 0) continue;
            CopyEcg(i, buffer);
            result.Add(buffer, _leads[i], _labels[i], _records[i], AllKnown, Rhythm(i));
        }
        return result;
    }

    /// <summary>
    /// Tensors for the windows at <paramref name="indices"/>: ecg [B, 12, 2250], lead_mask [B, 12],
    /// labels [B, 11] (0/1). The caller owns (or scopes) the tensors.
    /// </summary>
    public (Tensor Ecg, Tensor LeadMask, Tensor Labels) Batch(ReadOnlySpan<int> indices)
    {
        var (ecg, mask, labels, leadIndex) = Stage(indices, LeadSet.All);
        leadIndex.Dispose();
        return (ecg, mask, labels);
    }

    /// <summary>
    /// Like <see cref="Batch"/>, but only the lead slots that some window of the batch has: ecg [B, n, 2250],
    /// lead_mask [B, n] and <c>LeadIndex</c> [n] (int64, each slot's contract lead index, ascending), for
    /// the encoder's <c>leadIndex</c> argument. Tokens of absent leads change nothing (they are masked
    /// out of attention and pooling), so dropping slots no window uses gives the same result for a
    /// fraction of the work: a batch of single-lead windows is 32 tokens per window instead of 384.
    /// </summary>
    public (Tensor Ecg, Tensor LeadMask, Tensor Labels, Tensor LeadIndex) CompactBatch(ReadOnlySpan<int> indices)
    {
        var union = LeadSet.None;
        foreach (int i in indices) union = union.Union(_leads[CheckIndex(i)]);
        return Stage(indices, union);
    }

    /// <summary>Stages the windows' samples for the lead slots <paramref name="slots"/> in reused buffers.</summary>
    private (Tensor Ecg, Tensor LeadMask, Tensor Labels, Tensor LeadIndex) Stage(ReadOnlySpan<int> indices, LeadSet slots)
    {
        int b = indices.Length;
        if (b == 0) throw new ArgumentException("empty batch", nameof(indices));
        int n = slots.Count;
        if (_stageEcg.Length < b * WindowValues)
        {
            _stageEcg = new float[b * WindowValues];
            _stageMask = new float[b * ModelContract.LeadCount];
            _stageLabels = new float[b * RhythmClasses.Count];
        }
        var slotLeads = new long[n];
        int s = 0;
        foreach (var lead in slots) slotLeads[s++] = (long)lead;
        for (int j = 0; j < b; j++)
        {
            int i = CheckIndex(indices[j]);
            var leads = _leads[i];
            var source = _planes.AsSpan((int)_offsets[i], leads.Count * ModelContract.WindowSamples);
            int p = 0;
            for (int k = 0; k < n; k++)
            {
                var target = _stageEcg.AsSpan((j * n + k) * ModelContract.WindowSamples, ModelContract.WindowSamples);
                bool present = leads.Contains((Lead)slotLeads[k]);
                if (present) source.Slice(p++ * ModelContract.WindowSamples, ModelContract.WindowSamples).CopyTo(target);
                else target.Clear();
                _stageMask[j * n + k] = present ? 1f : 0f;
            }
            for (int c = 0; c < RhythmClasses.Count; c++) _stageLabels[j * RhythmClasses.Count + c] = (_labels[i] & (1 << c)) != 0 ? 1f : 0f;
        }
        return (Copy(_stageEcg.AsSpan(0, b * n * ModelContract.WindowSamples), [b, n, ModelContract.WindowSamples]),
                Copy(_stageMask.AsSpan(0, b * n), [b, n]),
                Copy(_stageLabels.AsSpan(0, b * RhythmClasses.Count), [b, RhythmClasses.Count]),
                tensor(slotLeads));
    }

    /// <summary>A new float32 tensor holding a copy of <paramref name="values"/> (the staging buffers are reused by the next batch).</summary>
    private static Tensor Copy(Span<float> values, long[] shape)
    {
        var t = empty(shape, ScalarType.Float32);
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).CopyTo(t.bytes);
        return t;
    }

    private int CheckIndex(int index) =>
        (uint)index < (uint)Count ? index : throw new ArgumentOutOfRangeException(nameof(index), index, $"window index must be 0…{Count - 1}");
}
