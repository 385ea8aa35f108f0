using TorchSharp;
using EcgStream.Training.Optimization;
using EcgStream.Training.Data;
using EcgStream.Training.Model;
using EcgStream.Training.Runs;
using static TorchSharp.torch;

namespace EcgStream.Training.Pretraining;

/// <summary>
/// Runs masked pretraining in a run folder: AdamW with linear warm-up and cosine decay, in the shared resumable loop
/// (<see cref="CheckpointedRun"/>: checkpoints every <see cref="PretrainOptions.CheckpointEvery"/> steps, metrics.json,
/// report.html). Each step's batch and masking are functions of (seed, step).
/// </summary>
public static class Pretrainer
{
    public const string MetricsFile = CheckpointedRun.MetricsFile;
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
        manual_seed((long)options.Seed);     // initial weights
        using var model = new MaskedPretrainModel(config, grouping);
        using var optimizer = AdamWFactory.Create(model.parameters(), options.LearningRate, options.WeightDecay);
        var schedule = new WarmupCosine(options.LearningRate, options.WarmupSteps, options.Steps, options.MinLearningRate);
        var settings = new CheckpointedRunSettings(runDirectory,
            $"Pretraining ({(grouping.Count > 1 ? $"IPASTMEM, groups {grouping}" : "ST-MEM")}): {Path.GetFileName(Path.GetFullPath(runDirectory))}",
            "pretraining", Fingerprint(config, options), options.Steps, options.CheckpointEvery, options.ClipNorm, () => NewMetrics(config, options));

        var indices = new int[options.BatchSize];
        var buckets = data.IndicesByLeadSet();   // a batch shares one lead set, so it carries only those leads' tokens
        var result = CheckpointedRun.Run(model, optimizer, schedule, settings, step =>
        {
            BatchSampler.DrawFromBuckets(buckets, options.Seed, step, indices);
            var (ecg, leadMask, _, leadIndex) = data.CompactBatch(indices);
            manual_seed((long)BatchSampler.StepSeed(options.Seed ^ 0x5EED, step));   // masking and dropout of this step
            using var mask = PatchMask.Sample(options.BatchSize, options.MaskRatio, leadIndex.shape[0]);
            return model.forward(ecg, leadMask, mask, leadIndex);
        }, progress, cancel);
        if (result.Completed) EncoderFile.Save(model.encoder, Path.Combine(runDirectory, EncoderFileName));
        return result;
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
