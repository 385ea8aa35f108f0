using static EcgStream.Torch.torch;

namespace EcgStream.Torch.Tests;

/// <summary>Optimiser steps, clipping and schedules against the formulas computed by hand.</summary>
public sealed class OptimizerTests
{
    [TorchFact]
    public void AdamW_follows_decoupled_weight_decay_adam_step_by_step()
    {
        using var scope = NewDisposeScope();
        using var p = nn.Parameter(tensor(new[] { 1.0, -2.0 }));
        using var opt = optim.AdamW([p], lr: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, weight_decay: 0.05);
        double[] w = [1.0, -2.0], m = [0, 0], v = [0, 0];
        for (var t = 1; t <= 4; t++)
        {
            opt.zero_grad();
            (p * p * p).sum().backward();   // g = 3w²
            opt.step();
            for (var i = 0; i < 2; i++)
            {
                var g = 3 * w[i] * w[i];
                w[i] *= 1 - 0.1 * 0.05;
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.99 * v[i] + 0.01 * g * g;
                var denom = Math.Sqrt(v[i]) / Math.Sqrt(1 - Math.Pow(0.99, t)) + 1e-8;
                w[i] -= 0.1 / (1 - Math.Pow(0.9, t)) * m[i] / denom;
            }
            var got = p.ToArray<double>();
            Assert.Equal(w[0], got[0], 12);
            Assert.Equal(w[1], got[1], 12);
        }
        Assert.Equal(4, opt.StepCount);
    }

    [TorchFact]
    public void SGD_applies_weight_decay_and_momentum()
    {
        using var scope = NewDisposeScope();
        using var p = nn.Parameter(tensor(new[] { 2.0 }));
        using var opt = optim.SGD([p], lr: 0.1, momentum: 0.9, weight_decay: 0.5);
        double w = 2, buf = 0;
        for (var t = 0; t < 3; t++)
        {
            opt.zero_grad();
            (p * p).sum().backward();   // g = 2w
            opt.step();
            var d = 2 * w + 0.5 * w;
            buf = t == 0 ? d : 0.9 * buf + d;
            w -= 0.1 * buf;
            Assert.Equal(w, p.ToArray<double>()[0], 12);
        }
        // A momentum buffer starts as a copy of the parameter's first update even when that
        // parameter first gets a gradient on a later step (dampening applies only afterwards).
        using var early = nn.Parameter(tensor(new[] { 1.0 }));
        using var late = nn.Parameter(tensor(new[] { 1.0 }));
        using var damped = optim.SGD([early, late], lr: 0.1, momentum: 0.9, dampening: 0.5);
        (early * 2).sum().backward();
        damped.step();
        (late * 2).sum().backward();
        damped.step();
        Assert.Equal(1 - 0.1 * 2, late.ToArray<double>()[0], 12);
        Assert.Equal(1 - 0.1 * 2 - 0.1 * (0.9 * 2 + 0.5 * 2), early.ToArray<double>()[0], 12);

        // A parameter without a gradient is left alone.
        using var q = nn.Parameter(tensor(new[] { 1.0 }));
        using var sgd = optim.SGD([q], lr: 1);
        sgd.step();
        Assert.Equal(1.0, q.ToArray<double>()[0]);
    }

    [TorchFact]
    public void Clip_grad_norm_scales_all_gradients_to_the_global_norm()
    {
        using var scope = NewDisposeScope();
        using var a = nn.Parameter(tensor(new[] { 0.0, 0.0 }));
        using var b = nn.Parameter(tensor(new[] { 0.0 }));
        (a * tensor(new[] { 3.0, 0.0 })).sum().backward();
        (b * tensor(new[] { 4.0 })).sum().backward();
        var norm = nn.utils.clip_grad_norm_([a, b], 1.0);
        Assert.Equal(5.0, norm, 12);
        var scale = 1.0 / (5.0 + 1e-6);
        Assert.Equal([3 * scale, 0], a.grad!.ToArray<double>());
        Assert.Equal(4 * scale, b.grad!.ToArray<double>()[0], 12);
        // Under the limit nothing changes.
        Assert.Equal(1.0, nn.utils.clip_grad_norm_([a, b], 10.0), 5);
        Assert.Equal(4 * scale, b.grad!.ToArray<double>()[0], 12);
    }

    [TorchFact]
    public void Schedules_warm_up_linearly_and_decay_along_a_cosine()
    {
        using var scope = NewDisposeScope();
        using var p = nn.Parameter(tensor(new[] { 0.0 }));
        using var opt = optim.AdamW([p], lr: 1.0);
        var sched = optim.lr_scheduler.WarmupCosine(opt, warmup_steps: 4, total_steps: 12, eta_min: 0.1);
        var seen = new List<double> { opt.LearningRate };
        for (var i = 0; i < 13; i++) { sched.step(); seen.Add(opt.LearningRate); }
        Assert.Equal([0.25, 0.5, 0.75, 1.0], seen.Take(4));
        Assert.Equal(0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * 2 / 8)), seen[6], 12);
        Assert.Equal(0.55, seen[8], 12);   // halfway down the cosine
        Assert.Equal(0.1, seen[12], 12);
        Assert.Equal(0.1, seen[13], 12);
        Assert.True(seen.Skip(3).Zip(seen.Skip(4)).All(s => s.Second <= s.First), "cosine part must not increase");

        using var opt2 = optim.SGD([p], lr: 0.2);
        var warm = optim.lr_scheduler.LinearWarmup(opt2, 2);
        Assert.Equal(0.1, opt2.LearningRate, 12);
        warm.step();
        Assert.Equal(0.2, opt2.LearningRate, 12);
        warm.step();
        Assert.Equal(0.2, warm.get_last_lr(), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => optim.lr_scheduler.WarmupCosine(opt2, 5, 5));
    }

    [TorchFact]
    public void Optimisers_reject_bad_arguments()
    {
        using var scope = NewDisposeScope();
        using var p = nn.Parameter(tensor(new[] { 0.0 }));
        Assert.Throws<ArgumentException>(() => optim.AdamW([]));
        Assert.Throws<ArgumentException>(() => optim.AdamW([p, p]));
        Assert.Throws<ArgumentOutOfRangeException>(() => optim.AdamW([p], lr: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => optim.AdamW([p], beta1: 1));
        Assert.Throws<ArgumentException>(() => optim.SGD([p], 0.1, nesterov: true));
    }
}
