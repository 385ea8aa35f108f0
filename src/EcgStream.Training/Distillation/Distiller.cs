using EcgStream.Training.Data;
using EcgStream.Training.Evaluation;
using EcgStream.Training.Heads;
using EcgStream.Training.Model;
using EcgStream.Training.Optimization;
using EcgStream.Training.Runs;
using static TorchSharp.torch;

namespace EcgStream.Training.Distillation;

/// <summary>
/// Trains a student (a smaller <see cref="StMemEncoder"/> + <see cref="PmaHead"/>) from scratch on
/// labelled windows and the teacher's outputs for them (<see cref="SoftTargets"/>): logits at a
/// temperature, hard labels, and the teacher's PMA mixture grouped onto the student's layers
/// (<see cref="DistillationLoss"/>). A contract-v2 teacher (<paramref name="rhythmPath"/>) gets a student with a
/// rhythm path reading the same features. The hard-label term counts only the classes a window's label rules on
/// (its known mask, as head training does); the soft term reads every class, since the teacher has an opinion on
/// each. AdamW, warm-up + cosine, in the shared resumable loop
/// (<see cref="CheckpointedRun"/>: checkpoints every <see cref="DistillOptions.CheckpointEvery"/> steps,
/// metrics.json, report.html). Batches (one lead set each) are functions of (seed, step).
/// </summary>
public static class Distiller
{
    public const string MetricsFile = CheckpointedRun.MetricsFile;
    public const string EncoderFileName = "encoder.safetensors";
    public const string HeadFileName = "head.safetensors";

    public static RunResult Run(EncoderConfig config, int gateHidden, DistillOptions options, WindowSet data, ModelOutputs teacher,
        string teacherId, string runDirectory, Action<StepMetrics>? progress = null, CancellationToken cancel = default, bool rhythmPath = false)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(teacher);
        config.Validate();
        options.Validate();
        if (data.Count == 0) throw new ArgumentException("distillation needs at least one window", nameof(data));
        if (teacher.Count != data.Count) throw new ArgumentException($"teacher outputs cover {teacher.Count} windows, the data has {data.Count}", nameof(teacher));
        if (teacher.Classes != Core.Rhythms.RhythmClasses.Count)
            throw new ArgumentException($"teacher scores {teacher.Classes} classes; the student scores class set v1 ({Core.Rhythms.RhythmClasses.Count})", nameof(teacher));
        if (options.LayerWeight > 0 && teacher.Layers % config.Depth != 0)
            throw new ArgumentException($"layer-mixture distillation groups the teacher's {teacher.Layers} layers onto the student's {config.Depth}: depth must divide {teacher.Layers} (or set the layer weight to 0)");
        manual_seed((long)options.Seed);     // initial weights
        using var student = new DistillStudent(new StMemEncoder(config), new PmaHead(config.Dim, config.Depth, teacher.Classes, gateHidden,
            rhythmFeatures: rhythmPath ? Signal.Rhythms.RhythmFeatures.Count : 0));
        using var optimizer = AdamWFactory.Create(student.parameters(), options.LearningRate, options.WeightDecay);
        var schedule = new WarmupCosine(options.LearningRate, options.WarmupSteps, options.Steps);
        var settings = new CheckpointedRunSettings(runDirectory,
            $"Distillation (student d={config.Dim} depth={config.Depth}): {Path.GetFileName(Path.GetFullPath(runDirectory))}",
            "distillation", Fingerprint(config, gateHidden, options, teacherId, data.Count, rhythmPath), options.Steps, options.CheckpointEvery, options.ClipNorm,
            () => NewMetrics(config, gateHidden, options, teacherId));

        var indices = new int[options.BatchSize];
        var rows = new long[options.BatchSize];
        var buckets = data.IndicesByLeadSet();
        using var teacherLogits = tensor(teacher.Logits, teacher.Count, teacher.Classes);
        using var teacherWeights = tensor(teacher.LayerWeights, teacher.Count, teacher.Layers);
        using var known = HeadTrainer.LabelWeights(data);
        using var hardLabels = HeadTrainer.Labels(data);
        using var rhythm = rhythmPath ? HeadTrainer.RhythmInputs(data) : null;
        var result = CheckpointedRun.Run(student, optimizer, schedule, settings, step =>
        {
            // Batches mix lead sets as the data does; the student's encoder runs once per lead set in the batch.
            BatchSampler.DrawMixed(buckets, options.Seed, step, indices, options.LeadSetFlattening);
            for (int i = 0; i < indices.Length; i++) rows[i] = indices[i];
            var index = tensor(rows);
            manual_seed((long)BatchSampler.StepSeed(options.Seed ^ 0xD157, step));   // dropout of this step
            using var output = student.Forward(data, indices, rhythm?.index_select(0, index));
            return DistillationLoss.Total(output.Logits, teacherLogits.index_select(0, index), hardLabels.index_select(0, index), options,
                output.LayerWeights, teacherWeights.index_select(0, index), hardMask: known.index_select(0, index));
        }, progress, cancel);
        if (result.Completed)
        {
            EncoderFile.Save(student.encoder, Path.Combine(runDirectory, EncoderFileName));
            HeadFile.Save(student.head, Path.Combine(runDirectory, HeadFileName));
        }
        return result;
    }

    private static RunMetrics NewMetrics(EncoderConfig config, int gateHidden, DistillOptions options, string teacherId) => new()
    {
        Kind = "distill",
        Config = RunMetrics.ToElement(new { encoder = config, gateHidden, teacher = teacherId }),
        Options = RunMetrics.ToElement(options),
    };

    /// <summary>What a resume must share with the run that wrote the checkpoint (everything but the checkpoint interval; a run
    /// made with batches of one lead set each, before 2026-12-04's mixed batches, is not resumed with mixed ones).</summary>
    private static string Fingerprint(EncoderConfig config, int gateHidden, DistillOptions options, string teacherId, int windows, bool rhythmPath) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            RunMetrics.ToElement(config).GetRawText() + RunMetrics.ToElement(options with { CheckpointEvery = 1 }).GetRawText() + $"|{gateHidden}|{teacherId}|{windows}" + (rhythmPath ? "|rhythm" : "") + "|mixed-lead-sets")))[..16];
}
