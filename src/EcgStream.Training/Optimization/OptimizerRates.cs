using static TorchSharp.torch;

namespace EcgStream.Training.Optimization;

/// <summary>Reading and setting an optimiser's learning rate (shared by every parameter group, or scaled per group).</summary>
public static class OptimizerRates
{
    public static void SetLearningRate(this optim.Optimizer optimizer, double rate)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
    }

    /// <summary>Sets group i's rate to <paramref name="rate"/> × <paramref name="scales"/>[i] (one scale per parameter group).</summary>
    public static void SetLearningRates(this optim.Optimizer optimizer, double rate, IReadOnlyList<double> scales)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        int i = 0;
        foreach (var group in optimizer.ParamGroups)
        {
            if (i >= scales.Count) throw new ArgumentException($"{scales.Count} scales for more parameter groups", nameof(scales));
            group.LearningRate = rate * scales[i++];
        }
        if (i != scales.Count) throw new ArgumentException($"{scales.Count} scales for {i} parameter groups", nameof(scales));
    }

    public static double GetLearningRate(this optim.Optimizer optimizer) => optimizer.ParamGroups.First().LearningRate;
}
