using EcgStream.Torch;
using EcgStream.Training.Data;
using EcgStream.Training.Model;
using static EcgStream.Torch.torch;

namespace EcgStream.Training.Heads;

/// <summary>
/// Trains a rhythm head with multi-label BCE over class set v1: on a frozen encoder (features of
/// every window computed once, then only the head learns) or fine-tuning encoder and head together.
/// Batches are functions of (seed, step), as in pretraining.
/// </summary>
public static class HeadTrainer
{
    /// <summary>Per-layer pooled representations [N, L, d] of every window, computed in eval mode without gradients.</summary>
    public static Tensor ExtractFeatures(StMemEncoder encoder, WindowSet data, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0) throw new ArgumentException("no windows to encode", nameof(data));
        bool wasTraining = encoder.training;
        encoder.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var parts = new List<Tensor>();
            var indices = new int[batchSize];
            for (int start = 0; start < data.Count; start += batchSize)
            {
                int n = Math.Min(batchSize, data.Count - start);
                for (int j = 0; j < n; j++) indices[j] = start + j;
                var (ecg, mask, _) = data.Batch(indices.AsSpan(0, n));
                using var output = encoder.ForwardEncoding(ecg, mask);
                parts.Add(output.LayerPooled.clone());
            }
            return scope.MoveToOuter(parts.Count == 1 ? parts[0] : cat(parts, 0));
        }
        finally
        {
            encoder.train(wasTraining);
        }
    }

    /// <summary>Labels [N, C] (0/1) of every window.</summary>
    public static Tensor Labels(WindowSet data)
    {
        var values = new float[data.Count * Core.Rhythms.RhythmClasses.Count];
        for (int i = 0; i < data.Count; i++)
            for (int c = 0; c < Core.Rhythms.RhythmClasses.Count; c++)
                values[i * Core.Rhythms.RhythmClasses.Count + c] = (data.ClassMask(i) & (1 << c)) != 0 ? 1f : 0f;
        return tensor(values, data.Count, Core.Rhythms.RhythmClasses.Count);
    }

    /// <summary>Trains <paramref name="head"/> (and the encoder unless frozen); returns the loss of every step.</summary>
    public static IReadOnlyList<double> Train(StMemEncoder encoder, RhythmHead head, WindowSet data, HeadTrainOptions options,
        Action<long, double>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (head.Layers != encoder.Depth || head.Dim != encoder.Config.Dim)
            throw new ArgumentException($"head reads {head.Layers} layers of {head.Dim}; the encoder has {encoder.Depth} of {encoder.Config.Dim}", nameof(head));
        if (data.Count == 0) throw new ArgumentException("no labelled windows", nameof(data));

        var parameters = options.FreezeEncoder ? head.parameters().ToList() : [.. encoder.parameters(), .. head.parameters()];
        using var optimizer = optim.AdamW(parameters, options.LearningRate, weight_decay: options.WeightDecay);
        var schedule = optim.lr_scheduler.WarmupCosine(optimizer, options.WarmupSteps, options.Steps);
        using var featureScope = NewDisposeScope();
        var features = options.FreezeEncoder ? ExtractFeatures(encoder, data) : null;
        var labels = options.FreezeEncoder ? Labels(data) : null;

        var losses = new List<double>(options.Steps);
        var indices = new int[options.BatchSize];
        head.train();
        encoder.train(!options.FreezeEncoder);
        for (long step = 0; step < options.Steps && !cancel.IsCancellationRequested; step++)
        {
            optimizer.LearningRate = schedule.RateAt(step);
            using var scope = NewDisposeScope();
            BatchSampler.Draw(data.Count, options.Seed, step, indices);
            Tensor x, y;
            if (features is not null)
            {
                var index = tensor(indices.Select(i => (long)i).ToArray());
                x = features.index_select(0, index);
                y = labels!.index_select(0, index);
            }
            else
            {
                manual_seed(BatchSampler.StepSeed(options.Seed ^ 0xF1E, step));   // dropout of this step
                var (ecg, mask, batchLabels) = data.Batch(indices);
                var encoded = encoder.ForwardEncoding(ecg, mask);
                x = scope.Include(encoded.LayerPooled);
                scope.Include(encoded.LastHidden);
                y = batchLabels;
            }
            using var output = head.forward(x);
            var loss = nn.functional.binary_cross_entropy_with_logits(output.Logits, y);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            double value = loss.item<float>();
            if (!double.IsFinite(value)) throw new InvalidOperationException($"head training diverged: loss {value} at step {step}");
            losses.Add(value);
            progress?.Invoke(step, value);
        }
        encoder.eval();
        head.eval();
        return losses;
    }
}
