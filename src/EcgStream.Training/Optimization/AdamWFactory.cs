using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EcgStream.Training.Optimization;

/// <summary>
/// The one AdamW every training step uses, with its hyperparameters written out: β1 0.9, β2 0.999, ε 1e-8,
/// decoupled weight decay on every parameter, no AMSGrad. These are what trained v1 (PyTorch's defaults); they are
/// named here rather than taken from TorchSharp's factory defaults, which are not guaranteed across releases. Its step is
/// <see cref="ScalarSafeAdamW"/>'s: TorchSharp's arithmetic, with the native Scalars held alive.
/// </summary>
public static class AdamWFactory
{
    public const double Beta1 = 0.9;
    public const double Beta2 = 0.999;
    public const double Epsilon = 1e-8;

    /// <summary>One parameter group at <paramref name="learningRate"/>.</summary>
    public static AdamW Create(IEnumerable<Parameter> parameters, double learningRate, double weightDecay) =>
        Create([(parameters, 1.0)], learningRate, weightDecay);

    /// <summary>One group per entry, each at <paramref name="learningRate"/> × its scale (set again every step by <see cref="OptimizerRates.SetLearningRates"/>).</summary>
    public static AdamW Create(IEnumerable<(IEnumerable<Parameter> Parameters, double RateScale)> groups, double learningRate, double weightDecay) =>
        new ScalarSafeAdamW(groups.Select(g => new AdamW.ParamGroup(g.Parameters, new AdamW.Options
        {
            LearningRate = learningRate * g.RateScale, beta1 = Beta1, beta2 = Beta2, eps = Epsilon, weight_decay = weightDecay, amsgrad = false, maximize = false,
        })), learningRate, Beta1, Beta2, Epsilon, weightDecay);
}
