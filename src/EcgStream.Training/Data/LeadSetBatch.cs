using EcgStream.Training.Model;
using static TorchSharp.torch;

namespace EcgStream.Training.Data;

/// <summary>
/// A batch of windows of any lead sets through the encoder: one compact pass per lead set in it
/// (<see cref="WindowSet.CompactBatch"/>: a single-lead window costs a twelfth of a 12-lead one), the per-layer pooled
/// representations put back in batch order. Gradients flow through, so heads and students train on batches that mix
/// sources as the data does (<see cref="BatchSampler.DrawMixed"/>).
/// </summary>
public static class LeadSetBatch
{
    /// <summary>Per-layer pooled representations [B, L, d] of the windows <paramref name="indices"/>, in that order.</summary>
    public static Tensor Encode(StMemEncoder encoder, WindowSet data, ReadOnlySpan<int> indices)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(data);
        if (indices.IsEmpty) throw new ArgumentException("empty batch", nameof(indices));
        var groups = new Dictionary<ushort, List<int>>();   // lead-set mask → positions in the batch
        for (int p = 0; p < indices.Length; p++)
        {
            var mask = data.Leads(indices[p]).Mask;
            if (!groups.TryGetValue(mask, out var list)) groups[mask] = list = [];
            list.Add(p);
        }
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>(groups.Count);
        var order = new long[indices.Length];
        int row = 0;
        foreach (var positions in groups.OrderBy(g => g.Key).Select(g => g.Value))
        {
            var members = new int[positions.Count];
            for (int k = 0; k < members.Length; k++) members[k] = indices[positions[k]];
            var (ecg, leadMask, _, leadIndex) = data.CompactBatch(members);
            parts.Add(encoder.ForwardEncoding(ecg, leadMask, leadIndex: leadIndex).LayerPooled);
            foreach (int p in positions) order[p] = row++;
        }
        var grouped = parts.Count == 1 ? parts[0] : cat(parts, 0);
        return grouped.index_select(0, tensor(order)).MoveToOuterDisposeScope();
    }
}
