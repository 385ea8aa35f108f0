using EcgStream.Training.Model;
using EcgStream.Training.Pretraining;
using EcgStream.Training.Runs;
using static TorchSharp.torch;

namespace EcgStream.Training.Tests;

public sealed class PretrainingTests
{
    private static PretrainOptions Quick(int steps, string? groups = null) => new()
    {
        Steps = steps, BatchSize = 4, LearningRate = 3e-3, WarmupSteps = 2, Seed = 11, LayerGroups = groups, CheckpointEvery = 5,
    };

    private static double Mean(IEnumerable<StepMetrics> steps) => steps.Average(s => s.Loss);

    [TorchFact]
    public void ReconstructionLossFallsOnSyntheticWindows()
    {
        var dir = SyntheticData.TempDir();
        var result = Pretrainer.Run(EncoderConfig.Tiny(), Quick(40), SyntheticData.Small, dir);
        Assert.True(result.Completed);
        Assert.Equal(40, result.Steps.Count);
        double first = Mean(result.Steps.Take(5)), last = Mean(result.Steps.TakeLast(5));
        // Normalised patches: predicting zero scores 1.0; the model must do clearly better than its start.
        Assert.True(last < 0.8 * first, $"loss did not fall: first 5 steps {first:F4}, last 5 {last:F4}");
        Assert.True(File.Exists(Path.Combine(dir, Pretrainer.EncoderFileName)));
        var metrics = RunMetrics.Load(Path.Combine(dir, Pretrainer.MetricsFile));
        Assert.True(metrics.Completed);
        Assert.Equal(40, metrics.Steps.Count);
        Assert.Equal("pretrain", metrics.Kind);
        // The run's HTML report holds the loss curve and the summary of the numbers above.
        var html = File.ReadAllText(Path.Combine(dir, RunReport.FileName));
        Assert.Contains("<svg", html);
        Assert.Contains("pretrain loss", html);
        Assert.Contains(Mean(result.Steps.TakeLast(RunReport.SmoothingSteps)).ToString("F4", System.Globalization.CultureInfo.InvariantCulture), html);
    }

    [TorchFact]
    public void IpastmemWithTwoLayerGroupsTrains()
    {
        var dir = SyntheticData.TempDir();
        var result = Pretrainer.Run(EncoderConfig.Tiny(), Quick(80, groups: "0-1,2-3"), SyntheticData.Small, dir);
        double first = Mean(result.Steps.Take(5)), last = Mean(result.Steps.TakeLast(5));
        Assert.True(last < 0.8 * first, $"IPASTMEM loss did not fall: first 5 steps {first:F4}, last 5 {last:F4}");
        // The decoder reads two groups of d = 32 features each.
        using var model = new MaskedPretrainModel(EncoderConfig.Tiny(), LayerGrouping.Parse("0-1,2-3", 4));
        Assert.Equal(64, model.decoder.decoder_embed.in_features);
    }

    [TorchFact]
    public void AnInterruptedRunResumesExactlyWhereTheUninterruptedOneWouldBe()
    {
        var options = Quick(8);
        var straight = Pretrainer.Run(EncoderConfig.Tiny(), options, SyntheticData.Small, SyntheticData.TempDir());

        var dir = SyntheticData.TempDir();
        using var cancel = new CancellationTokenSource();
        var part = Pretrainer.Run(EncoderConfig.Tiny(), options, SyntheticData.Small, dir, s => { if (s.Step == 2) cancel.Cancel(); }, cancel.Token);
        Assert.False(part.Completed);
        Assert.Equal(3, part.StepsDone);
        var resumed = Pretrainer.Run(EncoderConfig.Tiny(), options, SyntheticData.Small, dir);
        Assert.True(resumed.Completed);

        Assert.Equal(straight.Steps.Select(s => s.Loss), resumed.Steps.Select(s => s.Loss));
        Assert.Equal(straight.Steps.Select(s => s.LearningRate), resumed.Steps.Select(s => s.LearningRate));
        Assert.Equal(1, RunMetrics.Load(Path.Combine(dir, Pretrainer.MetricsFile)).Resumes);
    }

    [TorchFact]
    public void ACheckpointOfAnotherConfigurationIsRefused()
    {
        var dir = SyntheticData.TempDir();
        Pretrainer.Run(EncoderConfig.Tiny(), Quick(3), SyntheticData.Small, dir);
        var e = Assert.Throws<InvalidDataException>(() => Pretrainer.Run(EncoderConfig.Tiny(), Quick(3) with { LearningRate = 1e-2 }, SyntheticData.Small, dir));
        Assert.Contains("another run configuration", e.Message);
        Assert.Contains(dir, e.Message);
    }

    [Fact]
    public void BadOptionsNameTheField()
    {
        Assert.Contains("WarmupSteps", Assert.Throws<ArgumentException>(() => (Quick(5) with { WarmupSteps = 5 }).Validate()).Message);
        Assert.Contains("MaskRatio", Assert.Throws<ArgumentException>(() => (Quick(5) with { MaskRatio = 1 }).Validate()).Message);
    }
}

public sealed class ReconstructionTests(Xunit.Abstractions.ITestOutputHelper log)
{
    /// <summary>
    /// Windows whose every patch repeats one random waveform (a sine of 1–3 cycles per patch with a
    /// random phase, per window): a masked patch is predictable only from the visible ones, so the
    /// loss can fall well below 1 (the loss of predicting zero) only if visible content flows
    /// encoder → decoder → the right masked slots.
    /// </summary>
    private static Data.WindowSet PeriodicWindows(int count, int seed)
    {
        var rng = new Random(seed);
        var set = new Data.WindowSet(count);
        var w = new float[Data.WindowSet.WindowValues];
        for (int i = 0; i < count; i++)
        {
            int cycles = 1 + rng.Next(3);
            double phase = rng.NextDouble() * 2 * Math.PI;
            for (int l = 0; l < 12; l++)
                for (int t = 0; t < 2250; t++)
                    w[l * 2250 + t] = (float)Math.Sin(2 * Math.PI * cycles * t / 75.0 + phase + l);
            set.Add(w, Core.Leads.LeadSet.All, 1, $"periodic-{i}");
        }
        return set;
    }

    [TorchFact]
    public void MaskedPatchesAreReconstructedFromTheVisibleOnes()
    {
        var options = new PretrainOptions { Steps = 60, BatchSize = 8, LearningRate = 3e-3, WarmupSteps = 5, Seed = 3, CheckpointEvery = 60 };
        var result = Pretrainer.Run(EncoderConfig.Tiny(), options, PeriodicWindows(32, 1), SyntheticData.TempDir());
        double last = result.Steps.TakeLast(5).Average(s => s.Loss);
        log.WriteLine($"reconstruction loss: first {result.Steps[0].Loss:F3}, last 5 steps {last:F3}");
        Assert.True(last < 0.8, $"loss {last:F3}: masked patches are not reconstructed from visible content (predicting zero scores 1)");
    }
}
