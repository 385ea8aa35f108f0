namespace EcgStream.Training.Pretraining;

/// <summary>How a masked-pretraining run trains; everything that decides its numbers is here (and in the seed).</summary>
public sealed record PretrainOptions
{
    public int Steps { get; init; } = 1000;
    public int BatchSize { get; init; } = 16;
    public double LearningRate { get; init; } = 1e-3;
    public double WeightDecay { get; init; } = 0.05;
    /// <summary>Linear warm-up steps before the cosine decay.</summary>
    public int WarmupSteps { get; init; } = 50;
    public double MinLearningRate { get; init; }
    public double MaskRatio { get; init; } = 0.75;
    /// <summary>Gradient-norm clip (≤ 0: none).</summary>
    public double ClipNorm { get; init; } = 1.0;
    public ulong Seed { get; init; } = 1;
    /// <summary>Layer groups the decoder reads (IPASTMEM); null: the last layer (plain ST-MEM).</summary>
    public string? LayerGroups { get; init; }
    /// <summary>Steps between checkpoints (also written at the end and when cancelled).</summary>
    public int CheckpointEvery { get; init; } = 100;

    public void Validate()
    {
        if (Steps <= 0) throw new ArgumentException($"Steps {Steps} must be positive");
        if (BatchSize <= 0) throw new ArgumentException($"BatchSize {BatchSize} must be positive");
        if (!(LearningRate > 0)) throw new ArgumentException($"LearningRate {LearningRate} must be positive");
        if (!(WeightDecay >= 0)) throw new ArgumentException($"WeightDecay {WeightDecay} must be >= 0");
        if (WarmupSteps < 0 || WarmupSteps >= Steps) throw new ArgumentException($"WarmupSteps {WarmupSteps} must be within 0…{Steps - 1}");
        if (!(MinLearningRate >= 0) || MinLearningRate > LearningRate) throw new ArgumentException($"MinLearningRate {MinLearningRate} must be within 0…{LearningRate}");
        if (MaskRatio is < 0 or >= 1) throw new ArgumentException($"MaskRatio {MaskRatio} must be in [0, 1)");
        if (CheckpointEvery <= 0) throw new ArgumentException($"CheckpointEvery {CheckpointEvery} must be positive");
    }
}
