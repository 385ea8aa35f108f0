using EcgStream.Core.Models;
using EcgStream.Onnx.Contract;
using EcgStream.Onnx.Graph;
using TorchSharp;
using TorchSharp.Modules;
using EcgStream.Training.Modules;
using EcgStream.Training.Heads;
using EcgStream.Training.Model;
using static TorchSharp.torch;

namespace EcgStream.Training.Export;

/// <summary>
/// Writes encoder + PMA head as a contract-v1 ONNX model through our graph builder (contract v2 when the head has
/// a rhythm path: one more input, <c>rhythm</c> [N, 14]): inputs <c>ecg</c> [N, 12, 2250] and <c>lead_mask</c> [N, 12]; outputs <c>logits</c> [N, C] and
/// <c>layer_weights</c> [N, L]. The graph computes what <see cref="StMemEncoder.ForwardEncoding"/>
/// and <see cref="PmaHead.forward"/> compute. Only the lead slots present in some window of the
/// batch are computed (the union of <c>lead_mask</c> through NonZero and Gather), so a bed's cost
/// follows its leads; within those, a window's absent leads get −10⁴ added to their attention scores,
/// which underflows to the same zero weight as libtorch's −∞.
/// </summary>
public static class PmaOnnxExporter
{
    private const float MaskedScore = -1e4f;

    public static GraphBuilder Build(StMemEncoder encoder, PmaHead head, ContractModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(info);
        if (head.Layers != encoder.Depth || head.Dim != encoder.Config.Dim)
            throw new ArgumentException($"PMA head reads {head.Layers} layers of {head.Dim}; the encoder has {encoder.Depth} of {encoder.Config.Dim}", nameof(head));
        if (info.Classes.Count != head.Classes)
            throw new ArgumentException($"model info names {info.Classes.Count} classes; the head scores {head.Classes}", nameof(info));
        if (info.RhythmPath != head.RhythmFeatures > 0)
            throw new ArgumentException($"model info says rhythm path {info.RhythmPath}; the head has {(head.RhythmFeatures > 0 ? "one" : "none")}", nameof(info));

        const int leads = EncoderConfig.Leads, patches = EncoderConfig.PatchesPerLead, perLead = EncoderConfig.TokensPerLead;
        int d = encoder.Config.Dim, layers = encoder.Depth;
        var g = new GraphBuilder("ecgstream_stmem_pma") { DocString = info.Description };
        var (ecgIn, maskIn) = g.ContractInputs();

        // Only the lead slots some window of the batch has are computed: an absent lead's tokens change
        // nothing (masked as keys, left out of pooling), so a 1- or 2-lead bed pays for its leads, not 12
        // (as WindowSet.CompactBatch does in training). slots [n] = the leads present in any window.
        var slotsPresent = g.ReduceMax(maskIn, [0], keepDims: false);                                                // [12]
        var slots = g.Reshape(g.Op("NonZero", [slotsPresent]), -1);                                                  // [n] int64
        var ecg = g.Gather(ecgIn, slots, 1);                                                                         // [N, n, 2250]
        var mask = g.Gather(maskIn, slots, 1);                                                                       // [N, n]

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var pos = encoder.pos_embedding;

        // Tokens: patch embedding + positions 1…30, SEP (+ positions 0 and 31) around each lead, lead embedding.
        var patchTokens = g.Add(
            g.Linear(g.Reshape(ecg, 0, -1, patches, EncoderConfig.PatchSize), "patch_embed", Weight(encoder.patch_embed), Values(encoder.patch_embed.bias!), EncoderConfig.PatchSize, d),
            g.Initializer("pos_embedding.patches", Values(pos.narrow(0, 1, patches)), patches, d));
        var sepShape = g.Concat(0, g.Slice(g.Op("Shape", [ecg]), [0], [2], [0]), g.ConstantInt64("sep_shape", 1, d));   // [N, n, 1, d]
        var sepStart = g.Op("Expand", [g.Initializer("sep_start", Values(encoder.sep_embedding + pos.select(0, 0)), 1, 1, 1, d), sepShape]);
        var sepEnd = g.Op("Expand", [g.Initializer("sep_end", Values(encoder.sep_embedding + pos.select(0, perLead - 1)), 1, 1, 1, d), sepShape]);
        var leadEmbedding = g.Gather(g.Initializer("lead_embedding", Values(encoder.lead_embedding.weight!), leads, 1, d), slots, 0);   // [n, 1, d]
        var tokens = g.Add(g.Concat(2, sepStart, patchTokens, sepEnd), leadEmbedding);
        var x = g.Reshape(tokens, 0, -1, d);                                                                         // [N, 32·n, d]

        // Absent leads: masked as keys, excluded from pooling (pooling reads patch tokens only).
        var maskPerToken = g.Unsqueeze(mask, 2);                                                                      // [N, n, 1]
        var tokenMask = g.Reshape(g.Mul(maskPerToken, g.Constant("ones_per_lead", Enumerable.Repeat(1f, perLead).ToArray(), 1, 1, perLead)), 0, -1);
        var scoreBias = g.Reshape(g.Mul(g.Sub(tokenMask, g.Constant("one", [1f])), g.Constant("masked_score", [-MaskedScore])), 0, 1, 1, -1);
        var patchSlots = new float[perLead];
        for (int i = 1; i < perLead - 1; i++) patchSlots[i] = 1f;
        var poolWeights = g.Reshape(g.Mul(maskPerToken, g.Constant("patch_slots", patchSlots, 1, 1, perLead)), 0, -1, 1);   // [N, 32·n, 1]
        var poolCount = g.Reshape(g.ReduceSum(poolWeights, [1], keepDims: true), 0, 1);                              // [N, 1]

        var pooled = new string[layers];
        for (int l = 0; l < layers; l++)
        {
            x = g.EncoderLayer(x, $"block{l}", LayerWeights(encoder.Blocks[l]), d, encoder.Config.Heads, scoreBias);
            pooled[l] = g.Unsqueeze(g.Div(g.ReduceSum(g.Mul(x, poolWeights), [1], keepDims: false), poolCount), 1);  // [N, 1, d]
        }
        var stacked = layers == 1 ? pooled[0] : g.Concat(1, pooled);                                                  // [N, L, d]

        // PMA: shared LayerNorm, MLP gate over all layers, softmax weights, weighted sum, linear head.
        var z = g.LayerNormalization(stacked, g.Initializer("pma.norm.scale", Values(head.norm.weight!), d), g.Initializer("pma.norm.bias", Values(head.norm.bias!), d), -1, (float)EncoderConfig.NormEps);
        string gate;
        if (head.Gate == PmaGate.Joint)
        {
            var hidden = g.Linear(g.Reshape(z, 0, layers * d), "pma.gate_fc1", Weight(head.gate_fc1), Values(head.gate_fc1.bias!), layers * d, head.GateHidden);
            hidden = g.OnnxOpset >= 20 ? g.Gelu(hidden) : g.GeluErf(hidden);
            gate = g.Linear(hidden, "pma.gate_fc2", Weight(head.gate_fc2), Values(head.gate_fc2.bias!), head.GateHidden, layers);
        }
        else
        {
            var hidden = g.Linear(z, "pma.gate_fc1", Weight(head.gate_fc1), Values(head.gate_fc1.bias!), d, head.GateHidden);       // [N, L, h]
            hidden = g.OnnxOpset >= 20 ? g.Gelu(hidden) : g.GeluErf(hidden);
            gate = g.Reshape(g.Linear(hidden, "pma.gate_fc2", Weight(head.gate_fc2), Values(head.gate_fc2.bias!), head.GateHidden, 1), 0, layers);
        }
        var weights = g.Node("Softmax", [gate], [ModelContract.LayerWeightsOutput], [Attr.Int("axis", 1)])[0];
        var mixed = g.ReduceSum(g.Mul(z, g.Unsqueeze(weights, 2)), [1], keepDims: false);                           // [N, d]
        if (head.RhythmFeatures > 0) mixed = RhythmPath(g, head, mixed, d);
        var logits = g.Linear(mixed, "pma.head", Weight(head.head), Values(head.head.bias!), d, head.Classes);
        g.Node("Identity", [logits], [ModelContract.LogitsOutput]);
        g.Output(ModelContract.LogitsOutput, ElementType.Float, ModelContract.BatchDim, head.Classes);
        g.Output(ModelContract.LayerWeightsOutput, ElementType.Float, ModelContract.BatchDim, layers);
        return g.WriteContractMetadata(info);
    }

    /// <summary>
    /// Contract v2's rhythm path: input <c>rhythm</c> [N, F] → MLP → LayerNorm (r, [N, d]); the path gate's softmax over
    /// [PMA mixture, r] mixes the two per window, as <see cref="PmaHead.Forward"/> does.
    /// </summary>
    private static string RhythmPath(GraphBuilder g, PmaHead head, string mixed, int d)
    {
        var rhythmIn = g.RhythmInput();
        int f = head.RhythmFeatures, h = PmaHead.RhythmHidden;
        var hidden = g.Linear(rhythmIn, "rhythm.fc1", Weight(head.rhythm_fc1!), Values(head.rhythm_fc1!.bias!), f, h);
        hidden = g.OnnxOpset >= 20 ? g.Gelu(hidden) : g.GeluErf(hidden);
        var r = g.Linear(hidden, "rhythm.fc2", Weight(head.rhythm_fc2!), Values(head.rhythm_fc2!.bias!), h, d);
        r = g.LayerNormalization(r, g.Initializer("rhythm.norm.scale", Values(head.rhythm_norm!.weight!), d), g.Initializer("rhythm.norm.bias", Values(head.rhythm_norm!.bias!), d), -1, (float)EncoderConfig.NormEps);
        var pathHidden = g.Linear(g.Concat(1, mixed, r), "path.fc1", Weight(head.path_fc1!), Values(head.path_fc1!.bias!), 2 * d, head.GateHidden);
        pathHidden = g.OnnxOpset >= 20 ? g.Gelu(pathHidden) : g.GeluErf(pathHidden);
        var paths = g.Op("Softmax", [g.Linear(pathHidden, "path.fc2", Weight(head.path_fc2!), Values(head.path_fc2!.bias!), head.GateHidden, 2)], Attr.Int("axis", 1));   // [N, 2]
        var both = g.Concat(1, g.Unsqueeze(mixed, 1), g.Unsqueeze(r, 1));                                              // [N, 2, d]
        return g.ReduceSum(g.Mul(both, g.Unsqueeze(paths, 2)), [1], keepDims: false);                                  // [N, d]
    }

    /// <summary>The model as ONNX bytes.</summary>
    public static byte[] Export(StMemEncoder encoder, PmaHead head, ContractModelInfo info) => Build(encoder, head, info).ToBytes();

    private static EncoderLayerWeights LayerWeights(TransformerBlock block)
    {
        long e = block.attn.out_proj.in_features;
        var w = block.attn.in_proj_weight;
        var b = block.attn.in_proj_bias!;
        var attention = new AttentionWeights(
            Values(w.narrow(0, 0, e).transpose(0, 1)), Values(b.narrow(0, 0, e)),
            Values(w.narrow(0, e, e).transpose(0, 1)), Values(b.narrow(0, e, e)),
            Values(w.narrow(0, 2 * e, e).transpose(0, 1)), Values(b.narrow(0, 2 * e, e)),
            Weight(block.attn.out_proj), Values(block.attn.out_proj.bias!));
        return new EncoderLayerWeights(
            Values(block.norm1.weight!), Values(block.norm1.bias!), attention,
            Values(block.norm2.weight!), Values(block.norm2.bias!),
            Weight(block.fc1), Values(block.fc1.bias!), Weight(block.fc2), Values(block.fc2.bias!), (int)block.fc1.out_features);
    }

    /// <summary>A Linear's weight as the writer stores it: [in, out] row-major (libtorch keeps [out, in]).</summary>
    private static float[] Weight(Linear linear) => Values(linear.weight.transpose(0, 1));

    private static float[] Values(Tensor t) => t.detach().contiguous().data<float>().ToArray();
}
