using EcgStream.Core.Models;
using EcgStream.Inference;
using EcgStream.Training.Data;

namespace EcgStream.Training.Evaluation;

/// <summary>What a contract model gave for each window of a set: logits [N × Classes] and, when the model has it, layer_weights [N × Layers].</summary>
public sealed record ModelOutputs(float[] Logits, int Classes, float[] LayerWeights, int Layers)
{
    public int Count => Classes == 0 ? 0 : Logits.Length / Classes;

    /// <summary>Sigmoid of the logits, row-major [N × Classes].</summary>
    public float[] Probabilities() => [.. Logits.Select(z => 1f / (1f + MathF.Exp(-z)))];
}

/// <summary>
/// Runs an ONNX contract model (through ONNX Runtime) over a <see cref="WindowSet"/>: batches hold one
/// lead set each (the exported graph computes the union of the batch's leads, so mixing a 12-lead window
/// into single-lead ones would cost every window twelve leads). Used for teacher soft targets, calibration
/// and held-out scores of exported and quantized models.
/// </summary>
public static class OnnxScoring
{
    /// <summary>
    /// Calls <paramref name="run"/> with each batch's window indices and its contract inputs by name (ecg [B, 12, 2250],
    /// lead_mask [B, 12]), plus what <paramref name="extraInputs"/> gives for the batch (e.g. contract v2's
    /// <c>rhythm</c> [B, F]; the caller owns those tensors).
    /// </summary>
    /// <param name="rhythm">Also pass each window's rhythm features as contract v2's <c>rhythm</c> [B, 14] (the model has that input).</param>
    public static void ForEachBatch(WindowSet windows, int batchSize, Action<int[], IReadOnlyList<(string Name, OrtTensor Tensor)>> run, IEnumerable<int>? subset = null,
        Func<int[], IReadOnlyList<(string Name, OrtTensor Tensor)>>? extraInputs = null, bool rhythm = false)
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be at least 1");
        var chosen = (subset ?? Enumerable.Range(0, windows.Count)).ToArray();
        foreach (var group in chosen.GroupBy(i => windows.Leads(i).Mask).OrderBy(g => g.Key))
            foreach (var batch in group.Chunk(batchSize))
            {
                using var ecg = OrtTensor.Create([batch.Length, ModelContract.LeadCount, ModelContract.WindowSamples]);
                using var mask = OrtTensor.Create([batch.Length, ModelContract.LeadCount]);
                for (int b = 0; b < batch.Length; b++)
                {
                    windows.CopyEcg(batch[b], ecg.Span.Slice(b * WindowSet.WindowValues, WindowSet.WindowValues));
                    var leads = windows.Leads(batch[b]);
                    for (int l = 0; l < ModelContract.LeadCount; l++) mask.Span[b * ModelContract.LeadCount + l] = leads.Contains((Core.Leads.Lead)l) ? 1f : 0f;
                }
                using var features = rhythm ? OrtTensor.Create([batch.Length, ModelContract.RhythmFeatureCount]) : null;
                if (features is not null)
                    for (int b = 0; b < batch.Length; b++)
                        windows.Rhythm(batch[b]).CopyTo(features.Span.Slice(b * ModelContract.RhythmFeatureCount, ModelContract.RhythmFeatureCount));
                IReadOnlyList<(string Name, OrtTensor Tensor)> own = features is null
                    ? [(ModelContract.EcgInput, ecg), (ModelContract.LeadMaskInput, mask)]
                    : [(ModelContract.EcgInput, ecg), (ModelContract.LeadMaskInput, mask), (ModelContract.RhythmInput, features)];
                run(batch, [.. own, .. extraInputs?.Invoke(batch) ?? []]);
            }
    }

    /// <summary>Logits (and layer weights when the model outputs them) of every window, in window order.</summary>
    public static ModelOutputs Run(InferenceSession session, WindowSet windows, int batchSize = 16, Action<int>? progress = null,
        Func<int[], IReadOnlyList<(string Name, OrtTensor Tensor)>>? extraInputs = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        var logitsInfo = session.Outputs.FirstOrDefault(o => o.Name == ModelContract.LogitsOutput)
            ?? throw new ArgumentException($"{session.ModelName} has no '{ModelContract.LogitsOutput}' output", nameof(session));
        var weightsInfo = session.Outputs.FirstOrDefault(o => o.Name == ModelContract.LayerWeightsOutput);
        int classes = (int)logitsInfo.Shape[^1];
        int layers = weightsInfo is null ? 0 : (int)weightsInfo.Shape[^1];
        if (classes <= 0 || (weightsInfo is not null && layers <= 0))
            throw new ArgumentException($"{session.ModelName}: outputs must declare their last dimension (logits {logitsInfo.ShapeText})", nameof(session));
        var logits = new float[windows.Count * classes];
        var weights = new float[windows.Count * layers];
        string[] names = weightsInfo is null ? [ModelContract.LogitsOutput] : [ModelContract.LogitsOutput, ModelContract.LayerWeightsOutput];
        int done = 0;
        ForEachBatch(windows, batchSize, (batch, inputs) =>
        {
            session.RunNamed(inputs, names, (name, values, _) =>
            {
                bool isLogits = name == ModelContract.LogitsOutput;
                int width = isLogits ? classes : layers;
                var target = isLogits ? logits : weights;
                for (int b = 0; b < batch.Length; b++) values.Slice(b * width, width).CopyTo(target.AsSpan(batch[b] * width, width));
            });
            done += batch.Length;
            progress?.Invoke(done);
        }, extraInputs: extraInputs, rhythm: extraInputs is null && HasRhythmInput(session));
        return new ModelOutputs(logits, classes, weights, layers);
    }

    /// <summary>
    /// The model is contract v2: it reads <c>rhythm</c> [N, 14], which the windows carry (<see cref="WindowSet.Rhythm"/>),
    /// so <see cref="Run"/> passes it unless the caller gives its own extra inputs.
    /// </summary>
    public static bool HasRhythmInput(InferenceSession session) =>
        session.Inputs.Any(i => i.Name == ModelContract.RhythmInput && i.Rank == 2 && i.Shape[1] == ModelContract.RhythmFeatureCount);
}
