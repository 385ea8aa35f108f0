using TorchSharp.Modules;
using EcgStream.Training.Modules;
using static TorchSharp.torch;

namespace EcgStream.Training.Heads;

/// <summary>How the PMA gate scores the layers.</summary>
public enum PmaGate
{
    /// <summary>One MLP reads all L normalised layer vectors at once (concatenated) and gives L logits: it can compare layers.</summary>
    Joint,
    /// <summary>One small MLP scores each layer's normalised vector on its own (shared weights): fewer parameters, no cross-layer view.</summary>
    PerLayer,
}

/// <summary>
/// PMA (ECG-Soup's mixture of layers). The paper's gate is not public; ours: each layer's pooled
/// representation is LayerNorm-ed (one shared norm, so layers of different scale compete fairly), a
/// gate gives L logits, a softmax turns them into per-sample weights, and the head reads the weighted
/// sum of the normalised vectors through Linear(d → C); the weights are the model's
/// <c>layer_weights</c> output, for explanation. Two gates: <see cref="PmaGate.PerLayer"/> (the
/// default: one shared two-layer MLP scores each layer on its own, as attention pooling over layers)
/// and <see cref="PmaGate.Joint"/> (one MLP reads all L vectors concatenated). On the real held-out
/// split the per-layer gate scored clearly better (docs/results.md), so it is the default.
/// </summary>
public sealed class PmaHead : RhythmHead
{
    /// <param name="rhythmFeatures">0: PMA alone (contract v1). Otherwise the width of the rhythm path's input (contract v2).</param>
    public PmaHead(int dim, int layers, int classes, int gateHidden = 64, PmaGate gate = PmaGate.PerLayer, int rhythmFeatures = 0) : base(nameof(PmaHead), dim, layers, classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rhythmFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gateHidden);
        GateHidden = gateHidden;
        Gate = gate;
        norm = nn.LayerNorm(dim, Model.EncoderConfig.NormEps);
        gate_fc1 = gate == PmaGate.Joint ? nn.Linear((long)dim * layers, gateHidden) : nn.Linear(dim, gateHidden);
        gate_fc2 = gate == PmaGate.Joint ? nn.Linear(gateHidden, layers) : nn.Linear(gateHidden, 1);
        head = nn.Linear(dim, classes);
        using (no_grad())
        using (NewDisposeScope())   // disposes the handles the in-place ops return
        {
            // Start from equal weights (PPA over normalised layers) and let training move away.
            gate_fc2.weight.zero_();
            gate_fc2.bias!.zero_();
        }
        register_module(nameof(norm), norm);
        register_module(nameof(gate_fc1), gate_fc1);
        register_module(nameof(gate_fc2), gate_fc2);
        register_module(nameof(head), head);
        _rhythmFeatures = rhythmFeatures;
        if (rhythmFeatures > 0)
        {
            rhythm_fc1 = nn.Linear(rhythmFeatures, RhythmHidden);
            rhythm_fc2 = nn.Linear(RhythmHidden, dim);
            rhythm_norm = nn.LayerNorm(dim, Model.EncoderConfig.NormEps);
            path_fc1 = nn.Linear(2L * dim, gateHidden);
            path_fc2 = nn.Linear(gateHidden, 2);
            using (no_grad())
            using (NewDisposeScope())
            {
                // Start with both paths weighted equally, as the PMA gate starts from equal layers.
                path_fc2.weight.zero_();
                path_fc2.bias!.zero_();
            }
            register_module(nameof(rhythm_fc1), rhythm_fc1);
            register_module(nameof(rhythm_fc2), rhythm_fc2);
            register_module(nameof(rhythm_norm), rhythm_norm);
            register_module(nameof(path_fc1), path_fc1);
            register_module(nameof(path_fc2), path_fc2);
        }
    }

    /// <summary>Hidden width of the rhythm path's MLP.</summary>
    public const int RhythmHidden = 64;
    private readonly int _rhythmFeatures;
    public override int RhythmFeatures => _rhythmFeatures;
    // The rhythm path (contract v2): MLP over the RR features to d, LayerNorm-ed like the layers; a second gate
    // (MLP over [PMA mixture, rhythm vector] → softmax over the two paths) mixes them per sample before the head.
    public readonly Linear? rhythm_fc1;
    public readonly Linear? rhythm_fc2;
    public readonly LayerNorm? rhythm_norm;
    public readonly Linear? path_fc1;
    public readonly Linear? path_fc2;

    public int GateHidden { get; }
    public PmaGate Gate { get; }
    public readonly LayerNorm norm;
    public readonly Linear gate_fc1;
    public readonly Linear gate_fc2;
    public readonly Linear head;
    public override HeadKind Kind => HeadKind.Pma;

    public override HeadOutput forward(Tensor layerPooled)
    {
        if (_rhythmFeatures > 0) throw new ArgumentException("this PMA head has a rhythm path: call Forward(layerPooled, rhythm)");
        return Forward(layerPooled, null);
    }

    public override HeadOutput Forward(Tensor layerPooled, Tensor? rhythm)
    {
        CheckInput(layerPooled);
        if (_rhythmFeatures > 0 && (rhythm is null || rhythm.ndim != 2 || rhythm.shape[0] != layerPooled.shape[0] || rhythm.shape[1] != _rhythmFeatures))
            throw new ArgumentException($"PmaHead's rhythm path reads [batch, {_rhythmFeatures}], got {(rhythm is null ? "none" : $"[{string.Join(", ", rhythm.shape)}]")}", nameof(rhythm));
        long b = layerPooled.shape[0];
        using var scope = NewDisposeScope();
        var z = norm.forward(layerPooled);                                                       // [B, L, d]
        var gate = Gate == PmaGate.Joint
            ? gate_fc2.forward(nn.functional.gelu(gate_fc1.forward(z.reshape(b, (long)Layers * Dim))))
            : gate_fc2.forward(nn.functional.gelu(gate_fc1.forward(z))).squeeze(2);                // [B, L]
        var weights = gate.softmax(1);                                                            // [B, L]
        var mixed = (z * weights.unsqueeze(2)).sum(1);                                            // [B, d]
        if (_rhythmFeatures > 0)
        {
            var r = rhythm_norm!.forward(rhythm_fc2!.forward(nn.functional.gelu(rhythm_fc1!.forward(rhythm!))));     // [B, d]
            var paths = path_fc2!.forward(nn.functional.gelu(path_fc1!.forward(cat([mixed, r], 1)))).softmax(1);    // [B, 2]
            mixed = mixed * paths.narrow(1, 0, 1) + r * paths.narrow(1, 1, 1);
        }
        return new HeadOutput(scope.MoveToOuter(head.forward(mixed)), scope.MoveToOuter(weights));
    }
}
