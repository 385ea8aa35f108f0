using EcgStream.Core.Leads;
using EcgStream.Training.Data;
using EcgStream.Training.Heads;
using EcgStream.Training.Model;
using static TorchSharp.torch;

namespace EcgStream.Training.Tests;

/// <summary>
/// Batches that carry only the lead slots their windows use (WindowSet.CompactBatch + the encoder's
/// leadIndex) must encode exactly as the 12-slot layout, and the bucketed and mixed samplers must keep every
/// window equally likely.
/// </summary>
public sealed class CompactLeadTests
{
    /// <summary>The 24 synthetic 12-lead windows, each cut down to one of a few lead sets.</summary>
    private static WindowSet MixedLeadSets() => SyntheticData.WithLeadSets(
    [
        LeadSet.Of(Lead.I), LeadSet.Of(Lead.II, Lead.V1), LeadSet.All,
        LeadSet.Of(Lead.II, Lead.V5), LeadSet.Of(Lead.I), LeadSet.Of(Lead.V2, Lead.V4, Lead.aVF),
    ]);

    [TorchFact]
    public void A_compact_batch_encodes_exactly_as_the_twelve_slot_layout()
    {
        manual_seed(11);
        using var encoder = new StMemEncoder(EncoderConfig.Tiny());
        encoder.eval();
        var data = MixedLeadSets();
        int[] indices = [0, 1, 3, 6, 9];   // lead sets I; II+V1; II+V5; I; II+V5 → slots I, II, V1, V5
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (ecg, mask, labels) = data.Batch(indices);
        var (cEcg, cMask, cLabels, leadIndex) = data.CompactBatch(indices);
        Assert.Equal([(long)Lead.I, (long)Lead.II, (long)Lead.V1, (long)Lead.V5], leadIndex.ToArray<long>());
        Assert.Equal([5L, 4, 2250], cEcg.shape);
        Assert.Equal(mask.ToArray<float>().Where((_, i) => leadIndex.ToArray<long>().Contains(i % 12)).ToArray(), cMask.ToArray<float>());
        Assert.Equal(labels.ToArray<float>(), cLabels.ToArray<float>());
        using var full = encoder.ForwardEncoding(ecg, mask);
        using var compact = encoder.ForwardEncoding(cEcg, cMask, leadIndex: leadIndex);
        Assert.True(full.LayerPooled.allclose(compact.LayerPooled, 1e-5, 1e-6),
            $"max |Δ| {(full.LayerPooled - compact.LayerPooled).abs().amax().item<float>()}");
    }

    [TorchFact]
    public void Features_are_extracted_by_lead_set_and_returned_in_window_order()
    {
        manual_seed(12);
        using var encoder = new StMemEncoder(EncoderConfig.Tiny());
        var data = MixedLeadSets();
        using var scope = NewDisposeScope();
        var features = HeadTrainer.ExtractFeatures(encoder, data, batchSize: 3);
        Assert.Equal([(long)data.Count, 4, 32], features.shape);
        encoder.eval();
        using var _ = no_grad();
        for (int i = 0; i < data.Count; i++)
        {
            var (ecg, mask, _) = data.Batch([i]);
            using var one = encoder.ForwardEncoding(ecg, mask);
            Assert.True(one.LayerPooled.allclose(features.narrow(0, i, 1), 1e-5, 1e-6), $"window {i}");
        }
    }

    [TorchFact]
    public void Lead_index_and_lead_mask_of_the_wrong_shape_are_refused_by_name()
    {
        using var encoder = new StMemEncoder(EncoderConfig.Tiny());
        using var scope = NewDisposeScope();
        var e1 = Assert.Throws<ArgumentException>(() => encoder.ForwardEncoding(randn([1, 2, 2250]), ones([1, 2]), leadIndex: tensor(new long[] { 0, 1, 2 })));
        Assert.Contains("ecg must be [batch, 3, 2250]", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => encoder.ForwardEncoding(randn([1, 2, 2250]), ones([1, 12]), leadIndex: tensor(new long[] { 0, 1 })));
        Assert.Contains("lead_mask must be [1, 2]", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => encoder.ForwardEncoding(randn([1, 2, 2250]), ones([1, 2]), leadIndex: tensor(new float[] { 0, 1 })));
        Assert.Contains("lead_index must be int64", e3.Message);
    }

    [Fact]
    public void Bucketed_draws_share_one_bucket_repeat_per_step_and_keep_windows_equally_likely()
    {
        int[][] buckets = [[0, 1, 2, 3, 4, 5], [6, 7], [8, 9, 10, 11]];
        var counts = new int[12];
        var batch = new int[4];
        var again = new int[4];
        for (long step = 0; step < 30_000; step++)
        {
            BatchSampler.DrawFromBuckets(buckets, 7, step, batch);
            BatchSampler.DrawFromBuckets(buckets, 7, step, again);
            Assert.Equal(batch, again);
            var bucket = buckets.Single(b => b.Contains(batch[0]));
            Assert.All(batch, i => Assert.Contains(i, bucket));
            foreach (int i in batch) counts[i]++;
        }
        // One bucket of 0…n−1 draws exactly as the plain sampler (frozen-feature head training relies on it).
        var plain = new int[8];
        var single = new int[8];
        BatchSampler.Draw(12, 3, 5, plain);
        BatchSampler.DrawFromBuckets([[.. Enumerable.Range(0, 12)]], 3, 5, single);
        Assert.Equal(plain, single);
        // 120,000 draws over 12 windows: 10,000 each expected, σ ≈ 100 per window (bucket choice adds some)
        Assert.All(counts, c => Assert.InRange(c, 9_000, 11_000));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    public void Flattened_draws_share_steps_among_lead_sets_by_size_to_the_power_one_minus_flattening(double flattening)
    {
        // a lead set of 900 windows beside two of 90 and 10 (an empty one is never drawn): the many single-lead windows beside the few 12-lead ones
        int[][] buckets = [[.. Enumerable.Range(0, 900)], [], [.. Enumerable.Range(900, 90)], [.. Enumerable.Range(990, 10)]];
        var weights = buckets.Select(b => b.Length == 0 ? 0 : Math.Pow(b.Length, 1 - flattening)).ToArray();
        var batch = new int[4];
        var again = new int[4];
        var steps = new int[4];
        const int n = 40_000;
        for (long step = 0; step < n; step++)
        {
            BatchSampler.DrawFromBuckets(buckets, 11, step, batch, flattening);
            BatchSampler.DrawFromBuckets(buckets, 11, step, again, flattening);
            Assert.Equal(batch, again);   // a function of (seed, step): a resumed run draws the same batches
            int b = Array.FindIndex(buckets, x => x.Contains(batch[0]));
            Assert.All(batch, i => Assert.Contains(i, buckets[b]));
            steps[b]++;
        }
        Assert.Equal(0, steps[1]);
        for (int b = 0; b < buckets.Length; b++)
        {
            double expected = n * weights[b] / weights.Sum();
            Assert.InRange(steps[b], expected - 5 * Math.Sqrt(expected) - 1, expected + 5 * Math.Sqrt(expected) + 1);   // 5 σ
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchSampler.DrawFromBuckets(buckets, 11, 0, batch, 1.5));
        // 0 is the plain size-proportional draw, bit for bit (runs made before the option reproduce)
        BatchSampler.DrawFromBuckets(buckets, 11, 3, batch);
        BatchSampler.DrawFromBuckets(buckets, 11, 3, again, 0);
        Assert.Equal(batch, again);
    }

    [Fact]
    public void Mixed_draws_repeat_per_step_mix_lead_sets_and_keep_windows_equally_likely()
    {
        int[][] buckets = [[0, 1, 2, 3, 4, 5], [6, 7], [8, 9, 10, 11]];
        var counts = new int[12];
        var batch = new int[6];
        var again = new int[6];
        int mixed = 0;
        for (long step = 0; step < 20_000; step++)
        {
            BatchSampler.DrawMixed(buckets, 7, step, batch);
            BatchSampler.DrawMixed(buckets, 7, step, again);
            Assert.Equal(batch, again);   // a function of (seed, step): a resumed run draws the same batches
            if (batch.Select(i => Array.FindIndex(buckets, b => b.Contains(i))).Distinct().Count() > 1) mixed++;
            foreach (int i in batch) counts[i]++;
        }
        Assert.True(mixed > 19_000, $"{mixed} of 20 000 batches mixed lead sets");
        // 120 000 draws over 12 windows: 10 000 each expected, σ ≈ 96
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));

        // Flattening 1: every non-empty lead set the same share of a batch's windows.
        int[][] uneven = [[.. Enumerable.Range(0, 900)], [], [.. Enumerable.Range(900, 90)], [.. Enumerable.Range(990, 10)]];
        var shares = new int[4];
        for (long step = 0; step < 10_000; step++)
        {
            BatchSampler.DrawMixed(uneven, 3, step, batch, flattening: 1);
            foreach (int i in batch) shares[Array.FindIndex(uneven, b => b.Contains(i))]++;
        }
        Assert.Equal(0, shares[1]);
        foreach (int b in new[] { 0, 2, 3 }) Assert.InRange(shares[b], 18_500, 21_500);   // 60 000 / 3 each
    }
}
