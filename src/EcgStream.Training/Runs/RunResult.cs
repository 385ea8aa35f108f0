namespace EcgStream.Training.Runs;

/// <summary>The outcome of a training run in a run folder (pretraining, distillation): the steps reached, whether it finished, the metrics of every step.</summary>
public sealed record RunResult(long StepsDone, bool Completed, IReadOnlyList<StepMetrics> Steps, string RunDirectory);
