using EcgStream.Training.Model;
using EcgStream.Training.Pretraining;
using static TorchSharp.torch;

namespace EcgStream.Training.Tests;

public sealed class ModelTests
{
    [Fact]
    public void SinCosTableHasSinesThenCosinesOfPositionTimesFrequency()
    {
        var t = SinCosPositions.Table(32, 8);
        Assert.Equal(32 * 8, t.Length);
        // Row 0: sin 0 = 0, cos 0 = 1.
        Assert.Equal([0f, 0f, 0f, 0f, 1f, 1f, 1f, 1f], t[..8]);
        // Row 5, frequency i = 1: ω = 10000^(-1/4) = 0.1.
        Assert.Equal(MathF.Sin(0.5f), t[5 * 8 + 1], 6);
        Assert.Equal(MathF.Cos(0.5f), t[5 * 8 + 4 + 1], 6);
    }

    [TorchFact]
    public void EncodingReportsEveryLayersPooledRepresentationAndTheHiddenStates()
    {
        manual_seed(3);
        using var encoder = new StMemEncoder(EncoderConfig.Tiny());
        using var scope = NewDisposeScope();
        var ecg = randn([2, 12, 2250]);
        var mask = ones([2, 12]);
        using var output = encoder.ForwardEncoding(ecg, mask, keepAllLayers: true);
        Assert.Equal([2L, 4, 32], output.LayerPooled.shape);
        Assert.Equal(4, output.Hidden.Count);
        Assert.Equal([2L, 12 * 32, 32], output.LastHidden.shape);
        // Pooling is the mean over the 360 patch tokens (SEP excluded), layer by layer.
        var patchTokens = output.Hidden[1].reshape(2, 12, 32, 32).narrow(2, 1, 30).reshape(2, 360, 32).mean([1]);
        Assert.True(patchTokens.allclose(output.LayerPooled.select(1, 1), 1e-5, 1e-6));
    }

    [TorchFact]
    public void AbsentLeadsNeitherAttendNorPool()
    {
        manual_seed(4);
        using var encoder = new StMemEncoder(EncoderConfig.Tiny());
        encoder.eval();
        using var scope = NewDisposeScope();
        var present = new float[12];
        present[0] = present[1] = present[7] = 1;   // I, II, V2
        var mask = tensor(present, 1, 12);
        var ecg = randn([1, 12, 2250]) * mask.unsqueeze(2);
        var garbage = ecg + randn([1, 12, 2250]) * 50 * (1 - mask.unsqueeze(2));
        using var a = encoder.ForwardEncoding(ecg, mask);
        using var b = encoder.ForwardEncoding(garbage, mask);
        Assert.True(a.LayerPooled.allclose(b.LayerPooled, 1e-5, 1e-6));
        // …while changing a present lead does change the representation.
        var changed = ecg + randn([1, 12, 2250]) * mask.unsqueeze(2);
        using var c = encoder.ForwardEncoding(changed, mask);
        Assert.False(a.LayerPooled.allclose(c.LayerPooled, 1e-3, 1e-3));
    }

    [TorchFact]
    public void LeadEmbeddingIsLookedUpByLeadIndex()
    {
        manual_seed(5);
        using var encoder = new StMemEncoder(EncoderConfig.Tiny());
        using var scope = NewDisposeScope();
        // The same signal in slot I alone and in slot V6 alone gives different representations.
        var signal = randn([1, 1, 2250]);
        var zeros11 = zeros([1, 11, 2250]);
        var inI = cat([signal, zeros11], 1);
        var inV6 = cat([zeros11, signal], 1);
        var maskI = tensor([1f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 1, 12);
        var maskV6 = tensor([0f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 1, 12);
        using var a = encoder.ForwardEncoding(inI, maskI);
        using var b = encoder.ForwardEncoding(inV6, maskV6);
        Assert.False(a.LayerPooled.allclose(b.LayerPooled, 1e-3, 1e-3));
    }

    [TorchFact]
    public void WindowsWithoutLeadsAndWrongShapesAreRefusedClearly()
    {
        using var encoder = new StMemEncoder(EncoderConfig.Tiny());
        using var scope = NewDisposeScope();
        var e1 = Assert.Throws<ArgumentException>(() => encoder.ForwardEncoding(zeros([2, 12, 2250]), cat([ones([1, 12]), zeros([1, 12])], 0)));
        Assert.Contains("no present lead", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => encoder.ForwardEncoding(zeros([2, 12, 2000]), ones([2, 12])));
        Assert.Contains("[batch, 12, 2250]", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => new EncoderConfig { Dim = 30, Depth = 2, Heads = 4, DecoderDim = 8, DecoderDepth = 1, DecoderHeads = 2 }.Validate());
        Assert.Contains("not divisible into 4 heads", e3.Message);
    }

    [TorchFact]
    public void PatchMaskKeepsSevenDistinctPatchesPerLeadAndMasksTheRest()
    {
        manual_seed(6);
        using var mask = PatchMask.Sample(3, 0.75);
        Assert.Equal([3L, 12, 7], mask.Keep.shape);
        var keep = mask.Keep.ToArray<long>();
        var masked = mask.Masked.ToArray<float>();
        var restore = mask.Restore.ToArray<long>();
        for (int row = 0; row < 36; row++)
        {
            var kept = keep.AsSpan(row * 7, 7).ToArray();
            Assert.Equal(7, kept.Distinct().Count());
            Assert.Equal(23f, masked.AsSpan(row * 30, 30).ToArray().Sum());
            foreach (var k in kept) Assert.Equal(0f, masked[row * 30 + (int)k]);
            // restore[k] is k's place in kept-then-masked order.
            for (int j = 0; j < 7; j++) Assert.Equal(j, restore[row * 30 + (int)kept[j]]);
        }
        Assert.Equal(7, PatchMask.KeptPerLead(0.75));
        Assert.Throws<ArgumentOutOfRangeException>(() => PatchMask.KeptPerLead(1.0));
    }

    [Fact]
    public void LayerGroupingsParseSplitAndRefuseBadLayers()
    {
        Assert.Equal("0-1,2-3", LayerGrouping.Contiguous(4, 2).ToString());
        Assert.Equal("0-2,3-4,5-6", LayerGrouping.Contiguous(7, 3).ToString());
        Assert.Equal("7", LayerGrouping.LastLayer(8).ToString());
        Assert.False(LayerGrouping.LastLayer(8).NeedsAllLayers(8));
        Assert.True(LayerGrouping.Parse("2,5-7", 8).NeedsAllLayers(8));
        Assert.Equal([5, 6, 7], LayerGrouping.Parse("2,5-7", 8).Groups[1]);
        Assert.Contains("has layers 0…3", Assert.Throws<FormatException>(() => LayerGrouping.Parse("0-4", 4)).Message);
        Assert.Contains("runs backwards", Assert.Throws<FormatException>(() => LayerGrouping.Parse("3-1", 4)).Message);
        Assert.Contains("'x'", Assert.Throws<FormatException>(() => LayerGrouping.Parse("0,x", 4)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerGrouping.Contiguous(4, 5));
    }
}
