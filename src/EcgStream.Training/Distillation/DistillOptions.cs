namespace EcgStream.Training.Distillation;

/// <summary>How a distillation run trains; everything that decides its numbers is here (and in the seed).</summary>
public sealed record DistillOptions
{
    public int Steps { get; init; } = 1500;
    public int BatchSize { get; init; } = 32;
    public double LearningRate { get; init; } = 1e-3;
    public double WeightDecay { get; init; } = 0.05;
    public int WarmupSteps { get; init; } = 100;
    /// <summary>Temperature of the logit distillation (the teacher's and the student's logits are divided by it).</summary>
    public double Temperature { get; init; } = 2.0;
    /// <summary>Weight of the soft (teacher) term; the hard-label BCE gets 1 − Alpha.</summary>
    public double Alpha { get; init; } = 0.7;
    /// <summary>Weight of the layer-mixture term (KL of the teacher's grouped PMA weights to the student's); 0 turns it off.</summary>
    public double LayerWeight { get; init; } = 0.1;
    public double ClipNorm { get; init; } = 1.0;
    public ulong Seed { get; init; } = 1;
    public int CheckpointEvery { get; init; } = 100;
    /// <summary>
    /// How evenly a batch's windows are shared among lead sets (batches mix lead sets, <see cref="Data.BatchSampler.DrawMixed"/>):
    /// 0 draws every window equally likely, 1 gives every lead set the same share, so the few 12-lead windows are not
    /// drowned by the many single-lead ones.
    /// Left out of the options' JSON at 0, so runs made before it keep their fingerprint.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public double LeadSetFlattening { get; init; }

    public void Validate()
    {
        if (Steps <= 0) throw new ArgumentException($"Steps {Steps} must be positive");
        if (BatchSize <= 0) throw new ArgumentException($"BatchSize {BatchSize} must be positive");
        if (!(LearningRate > 0)) throw new ArgumentException($"LearningRate {LearningRate} must be positive");
        if (!(WeightDecay >= 0)) throw new ArgumentException($"WeightDecay {WeightDecay} must be >= 0");
        if (WarmupSteps < 0 || WarmupSteps >= Steps) throw new ArgumentException($"WarmupSteps {WarmupSteps} must be within 0…{Steps - 1}");
        if (!(Temperature > 0)) throw new ArgumentException($"Temperature {Temperature} must be positive");
        if (Alpha is < 0 or > 1 || double.IsNaN(Alpha)) throw new ArgumentException($"Alpha {Alpha} must be within 0…1");
        if (!(LayerWeight >= 0)) throw new ArgumentException($"LayerWeight {LayerWeight} must be >= 0");
        if (!(LeadSetFlattening is >= 0 and <= 1)) throw new ArgumentException($"LeadSetFlattening {LeadSetFlattening} must be within 0…1");
        if (CheckpointEvery <= 0) throw new ArgumentException($"CheckpointEvery {CheckpointEvery} must be positive");
    }
}
