using static TorchSharp.torch;

namespace EcgStream.Training.Optimization;

/// <summary>Reading and setting an optimiser's learning rate (all its parameter groups share one).</summary>
public static class OptimizerRates
{
    public static void SetLearningRate(this optim.Optimizer optimizer, double rate)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
    }

    public static double GetLearningRate(this optim.Optimizer optimizer) => optimizer.ParamGroups.First().LearningRate;
}
