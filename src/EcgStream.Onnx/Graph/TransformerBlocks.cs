namespace EcgStream.Onnx.Graph;

/// <summary>Weights of one multi-head self-attention block; projections stored [in, out] row-major.</summary>
public sealed record AttentionWeights(
    float[] Wq, float[] Bq, float[] Wk, float[] Bk, float[] Wv, float[] Bv, float[] Wo, float[] Bo);

/// <summary>Weights of a pre-norm transformer encoder layer: LN → attention → residual, LN → MLP(GELU) → residual.</summary>
public sealed record EncoderLayerWeights(
    float[] Ln1Scale, float[] Ln1Bias, AttentionWeights Attention,
    float[] Ln2Scale, float[] Ln2Bias, float[] W1, float[] B1, float[] W2, float[] B2, int Hidden);

/// <summary>
/// Transformer building blocks as graph fragments, for exporters and test models. Token tensors are
/// [batch, tokens, dModel] with batch and tokens free; reshapes use 0 ("keep this dimension").
/// </summary>
public static class TransformerBlocks
{
    /// <summary>
    /// Multi-head self-attention: softmax(Q·Kᵀ/√dₕ + bias)·V over <paramref name="heads"/> heads, then the
    /// output projection. <paramref name="scoreBias"/> (optional, broadcastable to [B, H, T, T]) adds
    /// e.g. -1e4 at masked keys.
    /// </summary>
    public static string SelfAttention(this GraphBuilder g, string x, string name, AttentionWeights w, int dModel, int heads, string? scoreBias = null)
    {
        if (heads <= 0 || dModel % heads != 0)
            throw new ArgumentException($"{name}: dModel {dModel} is not divisible into {heads} heads");
        int dh = dModel / heads;
        string Heads(string t) => g.Transpose(g.Reshape(t, 0, 0, heads, dh), 0, 2, 1, 3);      // [B,H,T,dh]
        var q = Heads(g.Linear(x, $"{name}.q", w.Wq, w.Bq, dModel, dModel));
        var k = Heads(g.Linear(x, $"{name}.k", w.Wk, w.Bk, dModel, dModel));
        var v = Heads(g.Linear(x, $"{name}.v", w.Wv, w.Bv, dModel, dModel));
        var scores = g.Mul(g.MatMul(q, g.Transpose(k, 0, 1, 3, 2)), g.Constant($"{name}.scale", [1f / MathF.Sqrt(dh)]));
        if (scoreBias is not null) scores = g.Add(scores, scoreBias);
        var context = g.MatMul(g.Softmax(scores, -1), v);                                       // [B,H,T,dh]
        var merged = g.Reshape(g.Transpose(context, 0, 2, 1, 3), 0, 0, dModel);               // [B,T,D]
        return g.Linear(merged, $"{name}.out", w.Wo, w.Bo, dModel, dModel);
    }

    /// <summary>A pre-norm encoder layer (ViT style); returns the new token tensor.</summary>
    public static string EncoderLayer(this GraphBuilder g, string x, string name, EncoderLayerWeights w, int dModel, int heads, string? scoreBias = null)
    {
        var ln1 = g.LayerNormalization(x, g.Initializer($"{name}.ln1.scale", w.Ln1Scale, dModel), g.Initializer($"{name}.ln1.bias", w.Ln1Bias, dModel), -1, 1e-6f);
        var h = g.Add(x, g.SelfAttention(ln1, $"{name}.attn", w.Attention, dModel, heads, scoreBias));
        var ln2 = g.LayerNormalization(h, g.Initializer($"{name}.ln2.scale", w.Ln2Scale, dModel), g.Initializer($"{name}.ln2.bias", w.Ln2Bias, dModel), -1, 1e-6f);
        var fc1 = g.Linear(ln2, $"{name}.fc1", w.W1, w.B1, dModel, w.Hidden);
        var act = g.OnnxOpset >= 20 ? g.Gelu(fc1) : g.GeluErf(fc1);
        var mlp = g.Linear(act, $"{name}.fc2", w.W2, w.B2, w.Hidden, dModel);
        return g.Add(h, mlp);
    }
}
