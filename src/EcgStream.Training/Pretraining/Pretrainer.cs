using System.Diagnostics;
using TorchSharp;
using EcgStream.Training.Optimization;
using EcgStream.Training.Data;
using EcgStream.Training.Model;
using EcgStream.Training.Runs;
using static TorchSharp.torch;

namespace EcgStream.Training.Pretraining;

/// <summary>
/// Runs masked pretraining in a run folder: AdamW with linear warm-up and cosine decay, gradient
/// clipping, a checkpoint every <see cref="PretrainOptions.CheckpointEvery"/> steps (and at the end
/// or on cancellation), <c>metrics.json</c> and its HTML report (<see cref="RunReport"/>). A folder with a checkpoint resumes from it. Each
/// step's batch and masking are functions of (seed, step), and the optimiser's moments are in the
/// checkpoint, so a resumed run continues exactly as the uninterrupted one.
/// </summary>
public static class Pretrainer
{
    public const string MetricsFile = "metrics.json";
    public const string EncoderFileName = "encoder.safetensors";

    public static RunResult Run(EncoderConfig config, PretrainOptions options, WindowSet data, string runDirectory,
        Action<StepMetrics>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        config.Validate();
        options.Validate();
        if (data.Count == 0) throw new ArgumentException("pretraining needs at least one window", nameof(data));
        Directory.CreateDirectory(runDirectory);

        var grouping = options.LayerGroups is null ? LayerGrouping.LastLayer(config.Depth) : LayerGrouping.Parse(options.LayerGroups, config.Depth);
        var fingerprint = Fingerprint(config, options);
        var checkpointPath = Path.Combine(runDirectory, TrainingCheckpoint.FileName);
        var metricsPath = Path.Combine(runDirectory, MetricsFile);

        manual_seed((long)options.Seed);     // initial weights
        using var model = new MaskedPretrainModel(config, grouping);
        using var optimizer = optim.AdamW(model.parameters(), options.LearningRate, weight_decay: options.WeightDecay);
        var schedule = new WarmupCosine(options.LearningRate, options.WarmupSteps, options.Steps, options.MinLearningRate);

        long step = 0;
        RunMetrics metrics;
        if (File.Exists(checkpointPath))
        {
            step = TrainingCheckpoint.Load(checkpointPath, model, optimizer, fingerprint);
            metrics = File.Exists(metricsPath) ? RunMetrics.Load(metricsPath) : NewMetrics(config, options);
            metrics.Steps.RemoveAll(s => s.Step >= step);   // steps after the checkpoint are redone
            metrics.Resumes++;
        }
        else metrics = NewMetrics(config, options);

        var indices = new int[options.BatchSize];
        var buckets = data.IndicesByLeadSet();   // a batch shares one lead set, so it carries only those leads' tokens
        var clock = Stopwatch.StartNew();
        model.train();
        while (step < options.Steps && !cancel.IsCancellationRequested)
        {
            optimizer.SetLearningRate(schedule.RateAt(step));
            double loss;
            using (var scope = NewDisposeScope())
            {
                BatchSampler.DrawFromBuckets(buckets, options.Seed, step, indices);
                var (ecg, leadMask, _, leadIndex) = data.CompactBatch(indices);
                manual_seed((long)BatchSampler.StepSeed(options.Seed ^ 0x5EED, step));   // masking and dropout of this step
                using var mask = PatchMask.Sample(options.BatchSize, options.MaskRatio, leadIndex.shape[0]);
                var lossTensor = model.forward(ecg, leadMask, mask, leadIndex);
                optimizer.zero_grad();
                lossTensor.backward();
                if (options.ClipNorm > 0) nn.utils.clip_grad_norm_(model.parameters(), options.ClipNorm);
                optimizer.step();
                loss = lossTensor.item<float>();
            }
            if (!double.IsFinite(loss))
                throw new InvalidOperationException($"pretraining diverged: loss {loss} at step {step} (lower the learning rate; the last good checkpoint is {checkpointPath})");
            var record = new StepMetrics(step, loss, optimizer.GetLearningRate(), clock.Elapsed.TotalSeconds);
            metrics.Steps.Add(record);
            progress?.Invoke(record);
            step++;
            if (step % options.CheckpointEvery == 0 && step < options.Steps) Checkpoint();
        }
        metrics.Completed = step >= options.Steps;
        Checkpoint();
        if (metrics.Completed) EncoderFile.Save(model.encoder, Path.Combine(runDirectory, EncoderFileName));
        return new RunResult(step, metrics.Completed, metrics.Steps, runDirectory);

        void Checkpoint()
        {
            TrainingCheckpoint.Save(checkpointPath, model, optimizer, step, fingerprint);
            metrics.Save(metricsPath);
            RunReport.Write(runDirectory, $"Pretraining ({(grouping.Count > 1 ? $"IPASTMEM, groups {grouping}" : "ST-MEM")}): {Path.GetFileName(Path.GetFullPath(runDirectory))}", metrics);
        }
    }

    private static RunMetrics NewMetrics(EncoderConfig config, PretrainOptions options) => new()
    {
        Kind = "pretrain",
        Config = RunMetrics.ToElement(config),
        Options = RunMetrics.ToElement(options),
    };

    /// <summary>What a resume must share with the run that wrote the checkpoint (everything but the checkpoint interval).</summary>
    private static string Fingerprint(EncoderConfig config, PretrainOptions options) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            RunMetrics.ToElement(config).GetRawText() + RunMetrics.ToElement(options with { CheckpointEvery = 1 }).GetRawText())))[..16];
}
