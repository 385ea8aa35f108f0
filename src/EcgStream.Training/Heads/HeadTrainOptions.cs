namespace EcgStream.Training.Heads;

/// <summary>How a head (and, when not frozen, the encoder) is trained on labelled windows.</summary>
public sealed record HeadTrainOptions
{
    public int Steps { get; init; } = 500;
    public int BatchSize { get; init; } = 32;
    public double LearningRate { get; init; } = 1e-3;
    public double WeightDecay { get; init; } = 0.01;
    public int WarmupSteps { get; init; } = 20;
    public ulong Seed { get; init; } = 1;
    /// <summary>Frozen: only the head trains, on features computed once. Otherwise the encoder is fine-tuned too.</summary>
    public bool FreezeEncoder { get; init; } = true;
    /// <summary>
    /// When fine-tuning: the encoder's learning rate as a fraction of the head's. A pretrained encoder needs small
    /// steps while a new head needs large ones; one shared rate either leaves the head untrained or moves the encoder
    /// far from what pretraining found.
    /// </summary>
    public double EncoderLearningRateScale { get; init; } = 1;
    /// <summary>
    /// When fine-tuning: every batch from one lead set (a bucket drawn in proportion to its windows), as the 2026-11-21
    /// recipe that made v1's encoder did; otherwise batches mix lead sets. Frozen heads always mix them.
    /// </summary>
    public bool LeadSetBatches { get; init; }

    public void Validate()
    {
        if (Steps <= 0) throw new ArgumentException($"Steps {Steps} must be positive");
        if (BatchSize <= 0) throw new ArgumentException($"BatchSize {BatchSize} must be positive");
        if (!(LearningRate > 0)) throw new ArgumentException($"LearningRate {LearningRate} must be positive");
        if (!(WeightDecay >= 0)) throw new ArgumentException($"WeightDecay {WeightDecay} must be >= 0");
        if (!(EncoderLearningRateScale > 0 && EncoderLearningRateScale <= 1)) throw new ArgumentException($"EncoderLearningRateScale {EncoderLearningRateScale} must be within (0, 1]");
        if (LeadSetBatches && FreezeEncoder) throw new ArgumentException("LeadSetBatches applies to fine-tuning only (FreezeEncoder is set)");
        if (WarmupSteps < 0 || WarmupSteps >= Steps) throw new ArgumentException($"WarmupSteps {WarmupSteps} must be within 0…{Steps - 1}");
    }
}
