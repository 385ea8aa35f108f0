using EcgStream.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EcgStream.Training.Tests;

/// <summary>
/// <see cref="ScalarSafeAdamW"/> only changes how long its Scalars live: every step must give TorchSharp's AdamW's
/// parameters and moments bit for bit, with weight decay, two groups at different rates and a rate changed mid-run.
/// </summary>
public class ScalarSafeAdamWTests
{
    private static AdamW.ParamGroup[] Groups(Linear m, double lr, double wd) =>
    [
        new(m.weight is { } w ? [w] : [], new AdamW.Options { LearningRate = lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = wd, amsgrad = false, maximize = false }),
        new(m.bias is { } b ? [b] : [], new AdamW.Options { LearningRate = lr * 0.1, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = wd, amsgrad = false, maximize = false }),
    ];

    [TorchFact]
    public void Every_step_equals_TorchSharps_AdamW_bit_for_bit()
    {
        torch.manual_seed(5);
        using var theirs = nn.Linear(7, 3);
        using var ours = nn.Linear(7, 3);
        using (torch.no_grad())
            foreach (var (t, o) in theirs.parameters().Zip(ours.parameters())) o.copy_(t);
        using var reference = optim.AdamW(Groups(theirs, 3e-3, 0.05), 3e-3, 0.9, 0.999, 1e-8, 0.05, amsgrad: false, maximize: false);
        using var safe = new ScalarSafeAdamW(Groups(ours, 3e-3, 0.05), 3e-3, 0.9, 0.999, 1e-8, 0.05);
        for (int step = 0; step < 40; step++)
        {
            if (step == 20) { reference.SetLearningRates(1e-3, [1.0, 0.1]); safe.SetLearningRates(1e-3, [1.0, 0.1]); }
            using var scope = NewDisposeScope();
            var x = torch.randn(16, 7);
            foreach (var (model, optimizer) in new (Linear, AdamW)[] { (theirs, reference), (ours, safe) })
            {
                optimizer.zero_grad();
                model.forward(x).pow(2).mean().backward();
                optimizer.step();
            }
            foreach (var (t, o) in theirs.parameters().Zip(ours.parameters()))
                Assert.True(t.eq(o).all().item<bool>(), $"step {step}: parameters differ by up to {(t - o).abs().max().item<float>()}");
        }
        // the moments too (what a checkpoint saves)
        using var stateScope = NewDisposeScope();
        var theirState = AdamWState.Export(reference);
        var ourState = AdamWState.Export(safe);
        Assert.Equal(theirState.Keys.Order(), ourState.Keys.Order());
        foreach (var (name, t) in theirState) Assert.True(t.eq(ourState[name]).all().item<bool>(), name);
    }
}
