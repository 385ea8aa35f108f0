using EcgStream.Inference.Tests.Support;
using EcgStream.Onnx.Graph;

namespace EcgStream.Inference.Tests;

/// <summary>Multi-head self-attention and a whole encoder layer, built with the writer's blocks, against C# reference math.</summary>
public class AttentionTests
{
    private const int B = 2, T = 5, D = 16, H = 4, Dh = D / H, Hidden = 32;

    private static AttentionWeights RandomAttention(int seed) => new(
        Reference.Random(D * D, seed + 1, 0.5f), Reference.Random(D, seed + 2, 0.1f),
        Reference.Random(D * D, seed + 3, 0.5f), Reference.Random(D, seed + 4, 0.1f),
        Reference.Random(D * D, seed + 5, 0.5f), Reference.Random(D, seed + 6, 0.1f),
        Reference.Random(D * D, seed + 7, 0.5f), Reference.Random(D, seed + 8, 0.1f));

    private static float[] Linear(float[] x, float[] w, float[] b, int rows, int inF, int outF) =>
        Reference.MatMul(x, w, 1, rows, inF, outF).Select((v, i) => v + b[i % outF]).ToArray();

    /// <summary>softmax(QKᵀ/√dₕ + bias)·V per head, heads concatenated, then the output projection.</summary>
    private static float[] ReferenceAttention(float[] x, AttentionWeights w, float[] keyBias)
    {
        var q = Linear(x, w.Wq, w.Bq, B * T, D, D);
        var k = Linear(x, w.Wk, w.Bk, B * T, D, D);
        var v = Linear(x, w.Wv, w.Bv, B * T, D, D);
        var merged = new float[B * T * D];
        for (int b = 0; b < B; b++)
            for (int h = 0; h < H; h++)
                for (int i = 0; i < T; i++)
                {
                    var scores = new double[T];
                    for (int j = 0; j < T; j++)
                    {
                        double s = 0;
                        for (int c = 0; c < Dh; c++) s += (double)q[(b * T + i) * D + h * Dh + c] * k[(b * T + j) * D + h * Dh + c];
                        scores[j] = s / Math.Sqrt(Dh) + keyBias[b * T + j];
                    }
                    var max = scores.Max();
                    var p = scores.Select(s => Math.Exp(s - max)).ToArray();
                    var sum = p.Sum();
                    for (int c = 0; c < Dh; c++)
                    {
                        double acc = 0;
                        for (int j = 0; j < T; j++) acc += p[j] / sum * v[(b * T + j) * D + h * Dh + c];
                        merged[(b * T + i) * D + h * Dh + c] = (float)acc;
                    }
                }
        return Linear(merged, w.Wo, w.Bo, B * T, D, D);
    }

    private static float[] KeyBias()
    {
        var bias = new float[B * T];
        bias[1 * T + 4] = -1e4f;   // batch 1 masks its last token as a key (absent lead)
        return bias;
    }

    [Fact]
    public void Multi_head_self_attention_with_key_mask_matches_reference()
    {
        var w = RandomAttention(100);
        var g = new GraphBuilder("mhsa");
        var x = g.Input("x", ElementType.Float, "B", "T", D);
        var bias = g.Input("bias", ElementType.Float, "B", 1, 1, "T");
        g.Node("Identity", [g.SelfAttention(x, "attn", w, D, H, bias)], ["y"]);
        g.Output("y", ElementType.Float, "B", "T", D);
        var xv = Reference.Random(B * T * D, seed: 31);
        var bv = KeyBias();

        var y = Graphs.RunSingle(g, [B, T, D], (xv, [B, T, D]), (bv, [B, 1, 1, T]));

        Reference.AssertClose(ReferenceAttention(xv, w, bv), y);
    }

    [Fact]
    public void Masked_key_has_no_influence_on_attention_output()
    {
        var w = RandomAttention(200);
        var g = new GraphBuilder("mhsa_mask");
        var x = g.Input("x", ElementType.Float, "B", "T", D);
        var bias = g.Input("bias", ElementType.Float, "B", 1, 1, "T");
        g.Node("Identity", [g.SelfAttention(x, "attn", w, D, H, bias)], ["y"]);
        g.Output("y", ElementType.Float, "B", "T", D);
        var xv = Reference.Random(B * T * D, seed: 32);
        var changed = (float[])xv.Clone();
        for (int c = 0; c < D; c++) changed[(1 * T + 4) * D + c] += 50f;   // scribble on the masked token

        var before = Graphs.RunSingle(g, [B, T, D], (xv, [B, T, D]), (KeyBias(), [B, 1, 1, T]));
        var after = Graphs.RunSingle(g, [B, T, D], (changed, [B, T, D]), (KeyBias(), [B, 1, 1, T]));

        // Rows of batch 1 other than the masked token itself are unchanged.
        Reference.AssertClose(before.AsSpan(T * D, 4 * D), after.AsSpan(T * D, 4 * D));
    }

    [Fact]
    public void Pre_norm_encoder_layer_matches_reference()
    {
        var w = new EncoderLayerWeights(
            Reference.Random(D, 41), Reference.Random(D, 42, 0.1f), RandomAttention(300),
            Reference.Random(D, 43), Reference.Random(D, 44, 0.1f),
            Reference.Random(D * Hidden, 45, 0.4f), Reference.Random(Hidden, 46, 0.1f),
            Reference.Random(Hidden * D, 47, 0.3f), Reference.Random(D, 48, 0.1f), Hidden);
        var g = new GraphBuilder("encoder_layer");
        var x = g.Input("x", ElementType.Float, "B", "T", D);
        g.Node("Identity", [g.EncoderLayer(x, "layer0", w, D, H)], ["y"]);
        g.Output("y", ElementType.Float, "B", "T", D);
        var xv = Reference.Random(B * T * D, seed: 33);

        var y = Graphs.RunSingle(g, [B, T, D], (xv, [B, T, D]));

        var noBias = new float[B * T];
        var ln1 = Reference.LayerNorm(xv, D, w.Ln1Scale, w.Ln1Bias, 1e-6);
        var h = ReferenceAttention(ln1, w.Attention, noBias).Select((v, i) => v + xv[i]).ToArray();
        var ln2 = Reference.LayerNorm(h, D, w.Ln2Scale, w.Ln2Bias, 1e-6);
        var fc1 = Linear(ln2, w.W1, w.B1, B * T, D, Hidden).Select(v => (float)Reference.Gelu(v)).ToArray();
        var expected = Linear(fc1, w.W2, w.B2, B * T, Hidden, D).Select((v, i) => v + h[i]).ToArray();
        Reference.AssertClose(expected, y);
    }
}
