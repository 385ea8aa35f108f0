using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EcgStream.Training.Optimization;

/// <summary>
/// AdamW's per-parameter state (step count and both moments) as named tensors, so a checkpoint in
/// safetensors resumes the optimiser exactly. Names are <c>{i}.exp_avg</c>, <c>{i}.exp_avg_sq</c> and
/// <c>{i}.step</c> (int64 scalar) for the i-th parameter in the optimiser's order.
/// </summary>
public static class AdamWState
{
    /// <summary>The live state tensors (owned by the optimiser) and fresh step scalars (owned by the caller's scope).</summary>
    public static Dictionary<string, Tensor> Export(AdamW optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var result = new Dictionary<string, Tensor>();
        var states = optimizer.state_dict().State;
        for (int i = 0; i < states.Count; i++)
        {
            var s = (AdamW.State)states[i];
            var prefix = i.ToString(CultureInfo.InvariantCulture);
            result[prefix + ".exp_avg"] = s.exp_avg;
            result[prefix + ".exp_avg_sq"] = s.exp_avg_sq;
            result[prefix + ".step"] = tensor(s.step);
        }
        return result;
    }

    /// <summary>Copies a state written by <see cref="Export"/> into <paramref name="optimizer"/>; throws naming what does not fit.</summary>
    public static void Import(AdamW optimizer, IReadOnlyDictionary<string, Tensor> source)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(source);
        var states = optimizer.state_dict().State;
        if (source.Count != 3 * states.Count)
            throw new ArgumentException($"optimiser state has {source.Count} tensors; this optimiser needs {3 * states.Count} ({states.Count} parameters)", nameof(source));
        using var _ = no_grad();
        for (int i = 0; i < states.Count; i++)
        {
            var s = (AdamW.State)states[i];
            var prefix = i.ToString(CultureInfo.InvariantCulture);
            var avg = Get(prefix + ".exp_avg", s.exp_avg.shape);
            var avgSq = Get(prefix + ".exp_avg_sq", s.exp_avg_sq.shape);
            s.exp_avg.copy_(avg);
            s.exp_avg_sq.copy_(avgSq);
            s.step = Get(prefix + ".step", []).item<long>();
        }

        Tensor Get(string name, long[] shape)
        {
            if (!source.TryGetValue(name, out var t)) throw new ArgumentException($"optimiser state lacks '{name}'", nameof(source));
            if (!t.shape.AsSpan().SequenceEqual(shape))
                throw new ArgumentException($"optimiser state '{name}' is [{string.Join(", ", t.shape)}], the parameter needs [{string.Join(", ", shape)}]", nameof(source));
            return t;
        }
    }
}
