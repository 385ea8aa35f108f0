using EcgStream.Core.Rhythms;
using EcgStream.Training.Heads;
using EcgStream.Training.Model;
using static TorchSharp.torch;

namespace EcgStream.Training.Tests;

public sealed class HeadTests
{
    private static readonly HeadTrainOptions Quick = new() { Steps = 60, BatchSize = 8, LearningRate = 1e-2, WarmupSteps = 3, Seed = 5 };

    [TorchFact]
    public void EveryHeadKindTrainsOnAFrozenEncoder()
    {
        manual_seed(21);
        using var encoder = new StMemEncoder(EncoderConfig.Tiny());
        var variants = Enum.GetValues<HeadKind>().Select(k => (k, PmaGate.Joint)).Append((HeadKind.Pma, PmaGate.PerLayer));
        foreach (var (kind, gate) in variants)
        {
            manual_seed(22);
            using var head = RhythmHeads.Create(kind, 32, 4, RhythmClasses.Count, layer: 1, gate: gate);
            var before = encoder.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
            var losses = HeadTrainer.Train(encoder, head, SyntheticData.Small, Quick);
            double first = losses.Take(5).Average(), last = losses.TakeLast(5).Average();
            Assert.True(last < 0.7 * first, $"{kind}: BCE did not fall (first 5 steps {first:F4}, last 5 {last:F4})");
            foreach (var (name, value) in encoder.state_dict())
                Assert.True(value.allclose(before[name], 0, 0), $"{kind}: frozen encoder's {name} changed");
            foreach (var t in before.Values) t.Dispose();
        }
    }

    [TorchTheory]
    [InlineData(PmaGate.Joint)]
    [InlineData(PmaGate.PerLayer)]
    public void PmaWeightsArePerSampleSoftmaxOverLayers(PmaGate gate)
    {
        manual_seed(23);
        using var head = new PmaHead(32, 4, RhythmClasses.Count, gateHidden: 16, gate);
        using var scope = NewDisposeScope();
        // Make the gate non-trivial so the weights differ between samples.
        using (no_grad()) nn.init.normal_(head.gate_fc2.weight, 0, 0.5);
        var pooled = randn([5, 4, 32]);
        using var output = head.forward(pooled);
        Assert.Equal([5L, RhythmClasses.Count], output.Logits.shape);
        Assert.Equal([5L, 4], output.LayerWeights!.shape);
        var w = output.LayerWeights.ToArray<float>();
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(1.0, w.AsSpan(i * 4, 4).ToArray().Sum(), 5);
            Assert.All(w.AsSpan(i * 4, 4).ToArray(), x => Assert.InRange(x, 0f, 1f));
        }
        Assert.NotEqual(w[0], w[4], 4);   // sample 0 and 1 weigh layer 0 differently
    }

    [TorchFact]
    public void PpaReadsTheMeanOfTheLayersAndProbesReadTheirLayer()
    {
        manual_seed(24);
        using var ppa = new PpaHead(32, 4, 3);
        using var probe = new LayerProbeHead(32, 4, 3, layer: 2);
        using var scope = NewDisposeScope();
        var pooled = randn([2, 4, 32]);
        using var a = ppa.forward(pooled);
        var expected = ppa.head.forward(ppa.norm.forward(pooled.mean([1])));
        Assert.True(a.Logits.allclose(expected, 1e-6, 1e-6));
        // A probe of layer 2 ignores the other layers.
        var altered = pooled + cat([randn([2, 2, 32]), zeros([2, 1, 32]), randn([2, 1, 32])], 1);
        using var p1 = probe.forward(pooled);
        using var p2 = probe.forward(altered);
        Assert.True(p1.Logits.allclose(p2.Logits, 0, 0));
        Assert.Equal(HeadKind.LayerProbe, probe.Kind);
        Assert.Contains("reads [batch, 4, 32]", Assert.Throws<ArgumentException>(() => ppa.forward(randn([2, 3, 32]))).Message);
    }

    [TorchFact]
    public void FineTuningTrainsEncoderAndPmaHeadTogether()
    {
        manual_seed(25);
        using var encoder = new StMemEncoder(EncoderConfig.Tiny());
        using var head = new PmaHead(32, 4, RhythmClasses.Count, gateHidden: 16);
        using var before = encoder.patch_embed.weight.clone();
        var losses = HeadTrainer.Train(encoder, head, SyntheticData.Small, Quick with { Steps = 30, FreezeEncoder = false, LearningRate = 3e-3 });
        double first = losses.Take(5).Average(), last = losses.TakeLast(5).Average();
        Assert.True(last < 0.7 * first, $"fine-tuning BCE did not fall (first 5 steps {first:F4}, last 5 {last:F4})");
        Assert.False(encoder.patch_embed.weight.allclose(before, 1e-6, 1e-6));
    }

    [TorchFact]
    public void The_encoder_learning_rate_scale_scales_the_encoders_first_step_and_leaves_the_heads()
    {
        // Adam's first step moves each weight by lr·g/|g| (plus decay lr·wd·w): exactly proportional to the rate,
        // so the encoder's step at scale 0.1 is a tenth of its step at scale 1, and the head's is the same in both.
        (Tensor Encoder, Tensor Head) FirstStep(double scale)
        {
            manual_seed(27);
            using var encoder = new StMemEncoder(EncoderConfig.Tiny());
            using var head = new PmaHead(32, 4, RhythmClasses.Count, gateHidden: 16);
            var e0 = encoder.patch_embed.weight.clone();
            var h0 = head.head.weight.clone();
            HeadTrainer.Train(encoder, head, SyntheticData.Small,
                Quick with { Steps = 1, WarmupSteps = 0, FreezeEncoder = false, LearningRate = 1e-3, EncoderLearningRateScale = scale });
            return (encoder.patch_embed.weight - e0, head.head.weight - h0);
        }
        var (encoderFull, headFull) = FirstStep(1.0);
        var (encoderTenth, headTenth) = FirstStep(0.1);
        Assert.True(encoderFull.abs().max().item<float>() > 1e-4f, "the encoder did not move at all");
        Assert.True((encoderTenth * 10).allclose(encoderFull, rtol: 1e-3, atol: 1e-7), "encoder step at scale 0.1 is not a tenth of the step at scale 1");
        Assert.True(headTenth.allclose(headFull, rtol: 1e-5, atol: 1e-8), "the head's step changed with the encoder's scale");
        Assert.Contains("EncoderLearningRateScale 0 must be within (0, 1]",
            Assert.Throws<ArgumentException>(() => (Quick with { EncoderLearningRateScale = 0 }).Validate()).Message);
    }
}

public sealed class ModelFileTests
{
    [TorchFact]
    public void EncoderAndHeadFilesRebuildTheSameModules()
    {
        manual_seed(41);
        var dir = SyntheticData.TempDir();
        using var encoder = new StMemEncoder(EncoderConfig.Tiny());
        using var head = new PmaHead(32, 4, RhythmClasses.Count, gateHidden: 16, PmaGate.PerLayer);
        EncoderFile.Save(encoder, Path.Combine(dir, "e.safetensors"));
        HeadFile.Save(head, Path.Combine(dir, "h.safetensors"));
        using var encoder2 = EncoderFile.Load(Path.Combine(dir, "e.safetensors"));
        using var head2 = HeadFile.Load(Path.Combine(dir, "h.safetensors"));
        Assert.Equal(encoder.Config, encoder2.Config);
        Assert.Equal(HeadKind.Pma, head2.Kind);
        Assert.Equal(16, ((PmaHead)head2).GateHidden);
        Assert.Equal(PmaGate.PerLayer, ((PmaHead)head2).Gate);
        foreach (var (name, t) in encoder.state_dict()) Assert.True(t.allclose(encoder2.state_dict()[name], 0, 0), name);
        foreach (var (name, t) in head.state_dict()) Assert.True(t.allclose(head2.state_dict()[name], 0, 0), name);
        // A head file is not an encoder file.
        var e = Assert.Throws<InvalidDataException>(() => EncoderFile.Load(Path.Combine(dir, "h.safetensors")));
        Assert.Contains("h.safetensors", e.Message);
        Assert.Contains(EncoderFile.ConfigKey, e.Message);
    }
}
