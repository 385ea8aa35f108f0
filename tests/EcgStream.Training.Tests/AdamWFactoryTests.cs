using EcgStream.Training.Optimization;
using static TorchSharp.torch;

namespace EcgStream.Training.Tests;

/// <summary>The optimiser every training step uses takes the hyperparameters that trained v1, whatever TorchSharp's defaults are.</summary>
public sealed class AdamWFactoryTests
{
    // Two AdamW steps by hand (β1 0.9, β2 0.999, ε 1e-8, decoupled decay): p = 1, lr 0.1, wd 0.01, gradients 0.5 then 1.0.
    // Step 1: p·(1 − lr·wd) = 0.999, m̂ = 0.5, v̂ = 0.25, update 0.1 → 0.899.
    // Step 2: 0.899·0.999 = 0.898101; m = 0.145, m̂ = 0.145 / 0.19; v = 0.999·0.00025 + 0.001·1, v̂ = v / (1 − 0.999²);
    // update 0.1·m̂ / √v̂ = 0.0965180… → 0.8015830 (β2 = 0.99 would give 0.8017…).
    private const double AfterTwoSteps = 0.898101 - 0.1 * (0.145 / 0.19) / 0.79068800;

    [TorchFact]
    public void One_group_takes_two_steps_as_written_by_hand()
    {
        using var p = new TorchSharp.Modules.Parameter(tensor(new[] { 1.0f }));
        using var optimizer = AdamWFactory.Create([p], learningRate: 0.1, weightDecay: 0.01);
        Step(optimizer, p, 0.5f);
        Assert.Equal(0.899, p.item<float>(), 6);
        Step(optimizer, p, 1.0f);
        Assert.Equal(AfterTwoSteps, p.item<float>(), 5);
    }

    [TorchFact]
    public void Every_group_gets_the_same_betas_epsilon_and_decay_at_its_own_rate()
    {
        using var head = new TorchSharp.Modules.Parameter(tensor(new[] { 1.0f }));
        using var encoder = new TorchSharp.Modules.Parameter(tensor(new[] { 1.0f }));
        using var optimizer = AdamWFactory.Create([(new[] { head }.AsEnumerable(), 1.0), ([encoder], 0.5)], learningRate: 0.1, weightDecay: 0.01);
        var groups = optimizer.ParamGroups.Cast<TorchSharp.Modules.AdamW.ParamGroup>().ToArray();
        Assert.Equal(2, groups.Length);
        Assert.Equal([0.1, 0.05], groups.Select(g => g.LearningRate));
        foreach (var g in groups)
        {
            Assert.Equal(AdamWFactory.Beta1, g.Options.beta1);
            Assert.Equal(AdamWFactory.Beta2, g.Options.beta2);
            Assert.Equal(AdamWFactory.Epsilon, g.Options.eps);
            Assert.Equal(0.01, g.Options.weight_decay);
            Assert.False(g.Options.amsgrad);
        }
        // The full-rate group follows the hand-written steps; the half-rate one moves less.
        head.grad = tensor(new[] { 0.5f }); encoder.grad = tensor(new[] { 0.5f });
        optimizer.step();
        Assert.Equal(0.899, head.item<float>(), 6);
        Assert.Equal(1.0 * (1 - 0.05 * 0.01) - 0.05, encoder.item<float>(), 6);
    }

    private static void Step(TorchSharp.Modules.AdamW optimizer, TorchSharp.Modules.Parameter p, float gradient)
    {
        p.grad = tensor(new[] { gradient });
        optimizer.step();
    }
}
