using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Onnx.Graph;
using EcgStream.Onnx.Proto;

namespace EcgStream.Onnx.Contract;

/// <summary>
/// Contract-v1 models built by the writer, for tests, demos and benchmarks before (or beside) a
/// trained model. None of them is trained; their metadata says so (model id "contract-test…").
/// </summary>
public static class ContractModels
{
    public const string RuleLikeModelId = "contract-test";
    public const string EncoderModelId = "contract-test-encoder";

    // Rule-like model constants: an energy envelope at 25 Hz, autocorrelation over lags 8..50
    // (0.32-2.0 s, i.e. 187-30 beats/min).
    private const int EnvelopeRate = 25;
    private const int EnvelopeBin = ModelContract.SampleRate / EnvelopeRate;   // 10 samples
    private const int EnvelopeLength = 224;                                      // 2240 of 2249 differences
    private const int MinLag = 8, MaxLag = 50;
    private const int LagCount = MaxLag - MinLag + 1;
    private const int AcLength = EnvelopeLength - MaxLag;

    /// <summary>
    /// A fixed-weight model that behaves like a crude rate-and-regularity rule, so replaying a record
    /// through it gives plausible events: it estimates the beat period from the autocorrelation of the
    /// squared-slope envelope (summed over present leads) and scores SR (regular, 60-100/min), STACH
    /// (&gt;100/min), SBRAD (&lt;60/min) and AF (irregular); other classes stay near zero probability.
    /// Output <c>logits</c> [N, 11] in class set v1 order.
    /// </summary>
    public static ModelProto BuildRuleLikeModel() => RuleLikeGraph().Build();

    public static GraphBuilder RuleLikeGraph()
    {
        var g = new GraphBuilder("contract_test_rule_like") { DocString = "EcgStream contract test model: fixed weights, NOT a trained model." };
        var (ecg, mask) = g.ContractInputs();

        var present = g.Mul(ecg, g.Unsqueeze(mask, 2));                                           // [N,12,2250]
        var slope = g.Sub(g.Slice(present, [1], [ModelContract.WindowSamples], [2]),
                          g.Slice(present, [0], [ModelContract.WindowSamples - 1], [2]));        // [N,12,2249]
        var energy = g.ReduceSum(g.Mul(slope, slope), [1], keepDims: false);                      // [N,2249]
        var binned = g.Reshape(g.Slice(energy, [0], [EnvelopeLength * EnvelopeBin], [1]), 0, EnvelopeLength, EnvelopeBin);
        var envelope = g.ReduceMean(binned, [2], keepDims: false);                                 // [N,224] at 25 Hz
        // Smooth over 0.2 s so a beat's peak spans a few lags and a non-integer period is not lost.
        var smoothKernel = g.Constant("smooth", [0.2f, 0.2f, 0.2f, 0.2f, 0.2f], 1, 1, 5);
        var smooth = g.Reshape(g.Op("Conv", [g.Unsqueeze(envelope, 1), smoothKernel], Attr.Ints("pads", 2, 2)), 0, EnvelopeLength);
        var eps = g.Constant("eps", [1e-6f]);
        var centred = g.Sub(smooth, g.ReduceMean(smooth, [1]));

        var indices = new long[LagCount * AcLength];
        for (int l = 0; l < LagCount; l++)
            for (int t = 0; t < AcLength; t++) indices[l * AcLength + t] = t + MinLag + l;
        var shifted = g.Gather(centred, indices, [LagCount, AcLength], axis: 1);                  // [N,L,T]
        var head = g.Slice(centred, [0], [AcLength], [1]);                                         // [N,T]
        var ac = g.ReduceMean(g.Mul(shifted, g.Unsqueeze(head, 1)), [2], keepDims: false);         // [N,L]
        var r = g.Div(ac, g.Add(g.ReduceMean(g.Mul(head, head), [1]), eps));                       // ≈ correlation

        // Soft arg-max over lags, biased towards shorter lags so the fundamental beats its harmonics.
        var lags = new float[LagCount];
        var penalty = new float[LagCount];
        for (int l = 0; l < LagCount; l++) { lags[l] = MinLag + l; penalty[l] = 0.25f * (MinLag + l); }
        var weights = g.Softmax(g.Sub(g.Mul(r, g.Constant("sharpness", [20f])), g.Constant("lag_penalty", penalty, LagCount)), -1);
        var lag = g.ReduceSum(g.Mul(weights, g.Constant("lags", lags, LagCount)), [1]);           // [N,1]
        var regularity = g.ReduceSum(g.Mul(weights, r), [1]);                                      // [N,1]
        var bpm = g.Div(g.Constant("beats_per_lag", [60f * EnvelopeRate]), lag);
        var deviation = g.Abs(g.Sub(bpm, g.Constant("normal_rate", [80f])));
        var features = g.Concat(1, bpm, deviation, regularity);                                    // [N,3]

        // logits = features · W + b, columns in class set v1 order.
        var w = new float[3 * RhythmClasses.Count];
        var b = Enumerable.Repeat(-5f, RhythmClasses.Count).ToArray();
        void Set(RhythmClass c, float perBpm, float perDeviation, float perRegularity, float bias)
        {
            w[0 * RhythmClasses.Count + (int)c] = perBpm;
            w[1 * RhythmClasses.Count + (int)c] = perDeviation;
            w[2 * RhythmClasses.Count + (int)c] = perRegularity;
            b[(int)c] = bias;
        }
        Set(RhythmClass.SR, 0f, -0.15f, 6f, -3f);
        Set(RhythmClass.STACH, 0.2f, 0f, 0f, -20f);
        Set(RhythmClass.SBRAD, -0.2f, 0f, 0f, 12f);
        Set(RhythmClass.AF, 0f, 0f, -8f, 2.8f);
        var logits = g.Node("Add", [g.MatMul(features, g.Constant("head_w", w, 3, RhythmClasses.Count)), g.Constant("head_b", b, RhythmClasses.Count)],
                            [ModelContract.LogitsOutput])[0];
        g.Output(logits, ElementType.Float, ModelContract.BatchDim, RhythmClasses.Count);
        return g.WriteContractMetadata(new ContractModelInfo
        {
            ModelId = RuleLikeModelId,
            Description = "TEST MODEL, NOT TRAINED: fixed weights estimating rate and regularity from an autocorrelation; for exercising the runtime only.",
            TrainingData = "none (fixed weights)",
        });
    }

    /// <summary>
    /// A contract-sized transformer encoder with deterministic random weights (for benchmarks): patch
    /// embedding 75→d per lead, lead and position embeddings, <paramref name="depth"/> pre-norm
    /// attention blocks over all 360 patch tokens with absent leads masked from attention and pooling,
    /// masked mean-pool, linear head to 11 logits. Defaults match the student: d 128, depth 4, 4 heads.
    /// </summary>
    public static ModelProto BuildEncoderModel(int dModel = 128, int depth = 4, int heads = 4, int mlpRatio = 2, int seed = 1) =>
        EncoderGraph(dModel, depth, heads, mlpRatio, seed).Build();

    public static GraphBuilder EncoderGraph(int dModel = 128, int depth = 4, int heads = 4, int mlpRatio = 2, int seed = 1)
    {
        const int leads = ModelContract.LeadCount;
        const int patches = ModelContract.WindowSamples / ModelContract.PatchSamples;   // 30
        const int tokens = leads * patches;                                              // 360
        var rng = new Random(seed);
        float[] Uniform(int fanIn, int count)
        {
            var bound = 1f / MathF.Sqrt(fanIn);
            var a = new float[count];
            for (int i = 0; i < a.Length; i++) a[i] = (float)(rng.NextDouble() * 2 - 1) * bound;
            return a;
        }
        float[] Fill(int count, float value) => Enumerable.Repeat(value, count).ToArray();

        var g = new GraphBuilder("contract_test_encoder") { DocString = "EcgStream benchmark encoder: random weights, NOT a trained model." };
        var (ecg, mask) = g.ContractInputs();

        var patchesIn = g.Reshape(ecg, 0, leads, patches, ModelContract.PatchSamples);                         // [N,12,30,75]
        var embedded = g.Linear(patchesIn, "patch_embed", Uniform(75, 75 * dModel), Fill(dModel, 0f), ModelContract.PatchSamples, dModel);
        var leadEmbed = g.Initializer("lead_embed", Uniform(1, leads * dModel), leads, 1, dModel);
        var posEmbed = g.Initializer("pos_embed", Uniform(1, patches * dModel), patches, dModel);
        var x = g.Reshape(g.Add(g.Add(embedded, leadEmbed), posEmbed), 0, tokens, dModel);                       // [N,360,d]

        var tokenMask = g.Reshape(g.Mul(g.Unsqueeze(mask, 2), g.Constant("ones", Fill(patches, 1f), 1, 1, patches)), 0, tokens); // [N,360]
        var scoreBias = g.Reshape(g.Mul(g.Sub(tokenMask, g.Constant("one", [1f])), g.Constant("neg_large", [1e4f])), 0, 1, 1, tokens);

        int hidden = dModel * mlpRatio;
        for (int layer = 0; layer < depth; layer++)
        {
            var attention = new AttentionWeights(
                Uniform(dModel, dModel * dModel), Fill(dModel, 0f), Uniform(dModel, dModel * dModel), Fill(dModel, 0f),
                Uniform(dModel, dModel * dModel), Fill(dModel, 0f), Uniform(dModel, dModel * dModel), Fill(dModel, 0f));
            var weights = new EncoderLayerWeights(Fill(dModel, 1f), Fill(dModel, 0f), attention, Fill(dModel, 1f), Fill(dModel, 0f),
                Uniform(dModel, dModel * hidden), Fill(hidden, 0f), Uniform(hidden, hidden * dModel), Fill(dModel, 0f), hidden);
            x = g.EncoderLayer(x, $"block{layer}", weights, dModel, heads, scoreBias);
        }
        x = g.LayerNormalization(x, g.Initializer("final_ln.scale", Fill(dModel, 1f), dModel), g.Initializer("final_ln.bias", Fill(dModel, 0f), dModel), -1, 1e-6f);
        var m3 = g.Unsqueeze(tokenMask, 2);                                                                         // [N,360,1]
        var pooled = g.Div(g.ReduceSum(g.Mul(x, m3), [1], keepDims: false), g.Add(g.ReduceSum(m3, [1], keepDims: false), g.Constant("eps", [1e-6f])));
        var head = g.Linear(pooled, "head", Uniform(dModel, dModel * RhythmClasses.Count), Fill(RhythmClasses.Count, 0f), dModel, RhythmClasses.Count);
        g.Node("Identity", [head], [ModelContract.LogitsOutput]);
        g.Output(ModelContract.LogitsOutput, ElementType.Float, ModelContract.BatchDim, RhythmClasses.Count);
        return g.WriteContractMetadata(new ContractModelInfo
        {
            ModelId = EncoderModelId,
            Description = $"BENCHMARK MODEL, NOT TRAINED: random-weight encoder d={dModel} depth={depth} heads={heads}, contract-sized.",
            TrainingData = "none (random weights)",
        });
    }
}
