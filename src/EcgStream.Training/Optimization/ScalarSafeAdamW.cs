using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EcgStream.Training.Optimization;

/// <summary>
/// TorchSharp's AdamW with its step written so that every native <see cref="Scalar"/> it passes to libtorch is held until
/// libtorch has used it. TorchSharp 0.107.0's own step converts doubles to Scalars implicitly (<c>add_(grad, alpha: 1 -
/// beta1)</c>): nothing references such a Scalar during the native call, so a garbage collection started by another
/// thread can finalize it while libtorch reads it. A training test once failed that way, inside that <c>add_</c>, with
/// libtorch's "toFloat" range check reading garbage (session 18's note); upstream PRs on disposing implicit Scalars were
/// still open. The arithmetic, its order and the optimizer state (<see cref="AdamW.State"/>, which checkpoints save) are
/// TorchSharp's own, so results are bit-for-bit the same (<c>ScalarSafeAdamWTests</c>).
/// </summary>
public sealed class ScalarSafeAdamW : AdamW
{
    public ScalarSafeAdamW(IEnumerable<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay)
        : base(groups, lr, beta1, beta2, eps, weightDecay, amsgrad: false, maximize: false)
    {
    }

    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        if (options.amsgrad == true || options.maximize == true)
            throw new NotSupportedException("ScalarSafeAdamW: AMSGrad and maximize are not used in this project");
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, eps = options.eps!.Value;
        double lr = options.LearningRate!.Value, weightDecay = options.weight_decay!.Value;
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;   // as TorchSharp's step: not disposed here
            if (grad is null) continue;
            state.step += 1;
            // each Scalar is a `using` local: referenced until the end of the iteration, after libtorch used it
            using var decay = (1 - lr * weightDecay).ToScalar();
            param.mul_(decay);
            double biasCorrection1 = 1 - Math.Pow(beta1, state.step);
            double biasCorrection2 = 1 - Math.Pow(beta2, state.step);
            using var b1 = beta1.ToScalar();
            using var oneMinusB1 = (1 - beta1).ToScalar();
            state.exp_avg.mul_(b1).add_(grad, oneMinusB1);
            using var b2 = beta2.ToScalar();
            using var oneMinusB2 = (1 - beta2).ToScalar();
            state.exp_avg_sq.mul_(b2).addcmul_(grad, grad, oneMinusB2);
            using var root = state.exp_avg_sq.sqrt();
            using var rootCorrection = Math.Sqrt(biasCorrection2).ToScalar();
            using var epsilon = eps.ToScalar();
            using var denom = root.div(rootCorrection).add_(epsilon);
            using var stepSize = (-(lr / biasCorrection1)).ToScalar();
            param.addcdiv_(state.exp_avg, denom, stepSize);
        }
    }, closure);
}
