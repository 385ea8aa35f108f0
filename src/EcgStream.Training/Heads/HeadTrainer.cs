using TorchSharp;
using EcgStream.Training.Optimization;
using TorchSharp.Modules;
using EcgStream.Training.Modules;
using EcgStream.Training.Data;
using EcgStream.Training.Model;
using static TorchSharp.torch;

namespace EcgStream.Training.Heads;

/// <summary>
/// Trains a rhythm head with masked multi-label BCE over class set v1 — a class the window's label
/// does not rule on (outside its known mask) adds nothing to the loss, so "not AF, the rest unknown"
/// teaches "not AF" and nothing else — on a frozen encoder (features of every window computed once,
/// then only the head learns) or fine-tuning encoder and head together. A head with a rhythm path
/// also reads each window's rhythm features. Batches are functions of (seed, step), as in pretraining.
/// </summary>
public static class HeadTrainer
{
    /// <summary>
    /// Per-layer pooled representations [N, L, d] of every window, computed in eval mode without gradients, in window
    /// order: <paramref name="batchSize"/> windows at a time through <see cref="LeadSetBatch.Encode"/>, which runs the
    /// encoder once per lead set among them, carrying only those leads' tokens.
    /// </summary>
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
            var all = Enumerable.Range(0, data.Count).ToArray();
            for (int start = 0; start < all.Length; start += batchSize)
                parts.Add(LeadSetBatch.Encode(encoder, data, all.AsSpan(start, Math.Min(batchSize, all.Length - start))));
            return scope.MoveToOuter(parts.Count == 1 ? parts[0] : cat(parts, 0));
        }
        finally
        {
            encoder.train(wasTraining);
        }
    }

    /// <summary>Loss weights [N, C] of every window: 1 where the label rules on the class, 0 where it is unknown.</summary>
    public static Tensor LabelWeights(WindowSet data)
    {
        int c = Core.Rhythms.RhythmClasses.Count;
        var values = new float[data.Count * c];
        for (int i = 0; i < data.Count; i++)
            for (int k = 0; k < c; k++) values[i * c + k] = (data.KnownMask(i) & (1 << k)) != 0 ? 1f : 0f;
        return tensor(values, data.Count, c);
    }

    /// <summary>Rhythm features [N, F] of every window (contract v2's <c>rhythm</c> input).</summary>
    public static Tensor RhythmInputs(WindowSet data)
    {
        int f = Signal.Rhythms.RhythmFeatures.Count;
        var values = new float[data.Count * f];
        for (int i = 0; i < data.Count; i++) data.Rhythm(i).CopyTo(values.AsSpan(i * f, f));
        return tensor(values, data.Count, f);
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
        if (options.FreezeEncoder)
        {
            using var scope = NewDisposeScope();
            return TrainOnFeatures(head, ExtractFeatures(encoder, data), Labels(data), options, progress, cancel,
                LabelWeights(data), head.RhythmFeatures > 0 ? RhythmInputs(data) : null);
        }
        // Fine-tuning draws batches as the frozen path does, from every window (lead sets mixed), unless
        // LeadSetBatches asks for the 2026-11-21 recipe's one lead set per batch; the encoder runs once per lead set in
        // the batch, so a single-lead window still costs 1/12 of a 12-lead one. (Batches of one lead set each left the
        // head underfitting: validation AF F1 0.733 against 0.860 on the same features, docs/runs/2026-12-04/teacher-fine-tune/.)
        using var labels = Labels(data);
        using var weights = LabelWeights(data);
        using var rhythm = head.RhythmFeatures > 0 ? RhythmInputs(data) : null;
        return Run(head, [new(head.parameters(), 1.0), new(encoder.parameters(), options.EncoderLearningRateScale)], FineTuneBuckets(data, options), options, progress, cancel, indices =>
        {
            // LeadSetBatch hands its tensor to the caller's scope: this step's, disposed after the update.
            var encoded = LeadSetBatch.Encode(encoder, data, indices);
            var index = tensor(indices.ToArray().Select(i => (long)i).ToArray());
            return (encoded, labels.index_select(0, index), weights.index_select(0, index), rhythm?.index_select(0, index));
        }, encoder);
    }

    /// <summary>
    /// The buckets a fine-tuning step draws its batch from (<see cref="BatchSampler.DrawFromBuckets"/>): one of every
    /// window (batches mix lead sets), or one per lead set with <see cref="HeadTrainOptions.LeadSetBatches"/>.
    /// </summary>
    public static IReadOnlyList<int[]> FineTuneBuckets(WindowSet data, HeadTrainOptions options) =>
        options.LeadSetBatches ? data.IndicesByLeadSet() : [[.. Enumerable.Range(0, data.Count)]];

    /// <summary>
    /// Trains <paramref name="head"/> alone on precomputed <paramref name="features"/> [N, L, d] (from
    /// <see cref="ExtractFeatures"/>) and <paramref name="labels"/> [N, C]: probing many heads on one
    /// frozen encoder encodes the windows once.
    /// </summary>
    /// <param name="weights">Loss weights [N, C] (<see cref="LabelWeights"/>); null: every class known.</param>
    /// <param name="rhythm">Rhythm features [N, F] for a head with a rhythm path (<see cref="RhythmInputs"/>).</param>
    public static IReadOnlyList<double> TrainOnFeatures(RhythmHead head, Tensor features, Tensor labels, HeadTrainOptions options,
        Action<long, double>? progress = null, CancellationToken cancel = default, Tensor? weights = null, Tensor? rhythm = null)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        long n = features.shape[0];
        if (labels.shape[0] != n) throw new ArgumentException($"{labels.shape[0]} label rows for {n} feature rows", nameof(labels));
        if (head.RhythmFeatures > 0 && (rhythm is null || rhythm.shape[0] != n))
            throw new ArgumentException($"the head's rhythm path needs {n} rows of rhythm features", nameof(rhythm));
        return Run(head, [new(head.parameters(), 1.0)], [[.. Enumerable.Range(0, (int)n)]], options, progress, cancel, indices =>
        {
            var index = tensor(indices.ToArray().Select(i => (long)i).ToArray());
            return (features.index_select(0, index), labels.index_select(0, index), weights?.index_select(0, index), rhythm?.index_select(0, index));
        }, null);
    }

    /// <summary>Makes one step's batch; called inside the step's dispose scope, which owns what it creates.</summary>
    private delegate (Tensor X, Tensor Y, Tensor? Weights, Tensor? Rhythm) BatchMaker(ReadOnlySpan<int> indices);

    /// <summary>
    /// Mean binary cross-entropy over the (window, class) pairs whose label is known: Σ w·bce / Σ w (the plain mean
    /// when every weight is 1). A batch with no known pair gives 0.
    /// </summary>
    public static Tensor MaskedBce(Tensor logits, Tensor targets, Tensor? weights)
    {
        if (weights is null) return nn.functional.binary_cross_entropy_with_logits(logits, targets);
        var perPair = nn.functional.binary_cross_entropy_with_logits(logits, targets, reduction: nn.Reduction.None);
        return (perPair * weights).sum() / weights.sum().clamp_min(1.0);
    }

    /// <summary>Parameters trained at <paramref name="RateScale"/> × the schedule's learning rate.</summary>
    private readonly record struct ParameterGroup(IEnumerable<Parameter> Parameters, double RateScale);

    /// <summary>
    /// The seed a run's random streams start from: the head's initial weights (the caller seeds libtorch with it) and the
    /// batch draws. A fine-tune takes a seed of its own: with one seed, a head trained on the fine-tuned encoder with the
    /// same --seed (tools/train-model.sh's steps 4 and 5, both seed 1) started from the fine-tune head's initial weights
    /// and stalled at a higher training loss (PhysioNet 2017 validation AF + SR AUROC about 1.72 against 1.85-1.88 for
    /// other head seeds on the same encoder, docs/runs/2026-12-05/recipe-gap/).
    /// </summary>
    public static ulong RunSeed(ulong seed, bool encoderTrained) => encoderTrained ? seed ^ FineTuneSeed : seed;

    private const ulong FineTuneSeed = 0x5EED_F1E7_0E1C_0DE5UL;

    /// <summary>
    /// Seeds libtorch's generator for the starting weights of a head about to be created for a run with
    /// <paramref name="options"/>: from <see cref="RunSeed"/>, so a fine-tune's head and a head trained afterwards on its
    /// encoder with the same --seed do not start from the same weights.
    /// </summary>
    public static void SeedInitialWeights(HeadTrainOptions options) =>
        manual_seed((long)RunSeed(options.Seed, encoderTrained: !options.FreezeEncoder));

    private static List<double> Run(RhythmHead head, IReadOnlyList<ParameterGroup> groups, IReadOnlyList<int[]> buckets, HeadTrainOptions options,
        Action<long, double>? progress, CancellationToken cancel, BatchMaker batch, StMemEncoder? fineTuned)
    {
        using var optimizer = AdamWFactory.Create(groups.Select(g => (g.Parameters, g.RateScale)), options.LearningRate, options.WeightDecay);
        var scales = groups.Select(g => g.RateScale).ToArray();
        var schedule = new WarmupCosine(options.LearningRate, options.WarmupSteps, options.Steps);
        var losses = new List<double>(options.Steps);
        var indices = new int[options.BatchSize];
        ulong seed = RunSeed(options.Seed, encoderTrained: fineTuned is not null);
        head.train();
        fineTuned?.train();
        for (long step = 0; step < options.Steps && !cancel.IsCancellationRequested; step++)
        {
            optimizer.SetLearningRates(schedule.RateAt(step), scales);
            using var scope = NewDisposeScope();
            BatchSampler.DrawFromBuckets(buckets, seed, step, indices);
            manual_seed((long)BatchSampler.StepSeed(seed ^ 0xF1E, step));   // dropout of this step
            var (x, y, w, r) = batch(indices);
            using var output = head.Forward(x, r);
            var loss = MaskedBce(output.Logits, y, w);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            double value = loss.item<float>();
            if (!double.IsFinite(value)) throw new InvalidOperationException($"head training diverged: loss {value} at step {step}");
            losses.Add(value);
            progress?.Invoke(step, value);
        }
        fineTuned?.eval();
        head.eval();
        return losses;
    }
}
