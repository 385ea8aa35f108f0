using System.Diagnostics;
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
/// (<see cref="DistillationLoss"/>). AdamW, warm-up + cosine, gradient clipping; checkpoint, metrics.json
/// and report.html every <see cref="DistillOptions.CheckpointEvery"/> steps, at the end and on
/// cancellation. Batches (one lead set each) are functions of (seed, step), and the optimiser's moments
/// are in the checkpoint, so a resumed run continues exactly as the uninterrupted one.
/// </summary>
public static class Distiller
{
    public const string MetricsFile = "metrics.json";
    public const string EncoderFileName = "encoder.safetensors";
    public const string HeadFileName = "head.safetensors";

    public static RunResult Run(EncoderConfig config, int gateHidden, DistillOptions options, WindowSet data, ModelOutputs teacher,
        string teacherId, string runDirectory, Action<StepMetrics>? progress = null, CancellationToken cancel = default)
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
        Directory.CreateDirectory(runDirectory);

        var fingerprint = Fingerprint(config, gateHidden, options, teacherId, data.Count);
        var checkpointPath = Path.Combine(runDirectory, TrainingCheckpoint.FileName);
        var metricsPath = Path.Combine(runDirectory, MetricsFile);

        manual_seed((long)options.Seed);     // initial weights
        using var student = new DistillStudent(new StMemEncoder(config), new PmaHead(config.Dim, config.Depth, teacher.Classes, gateHidden));
        using var optimizer = optim.AdamW(student.parameters(), options.LearningRate, weight_decay: options.WeightDecay);
        var schedule = new WarmupCosine(options.LearningRate, options.WarmupSteps, options.Steps);

        long step = 0;
        RunMetrics metrics;
        if (File.Exists(checkpointPath))
        {
            step = TrainingCheckpoint.Load(checkpointPath, student, optimizer, fingerprint);
            metrics = File.Exists(metricsPath) ? RunMetrics.Load(metricsPath) : NewMetrics(config, gateHidden, options, teacherId);
            metrics.Steps.RemoveAll(s => s.Step >= step);   // steps after the checkpoint are redone
            metrics.Resumes++;
        }
        else metrics = NewMetrics(config, gateHidden, options, teacherId);

        var indices = new int[options.BatchSize];
        var rows = new long[options.BatchSize];
        var buckets = data.IndicesByLeadSet();
        using var teacherLogits = tensor(teacher.Logits, teacher.Count, teacher.Classes);
        using var teacherWeights = tensor(teacher.LayerWeights, teacher.Count, teacher.Layers);
        var clock = Stopwatch.StartNew();
        student.train();
        while (step < options.Steps && !cancel.IsCancellationRequested)
        {
            optimizer.SetLearningRate(schedule.RateAt(step));
            double loss;
            using (var scope = NewDisposeScope())
            {
                BatchSampler.DrawFromBuckets(buckets, options.Seed, step, indices);
                for (int i = 0; i < indices.Length; i++) rows[i] = indices[i];
                var (ecg, leadMask, labels, leadIndex) = data.CompactBatch(indices);
                var index = tensor(rows);
                manual_seed((long)BatchSampler.StepSeed(options.Seed ^ 0xD157, step));   // dropout of this step
                using var output = student.forward(ecg, leadMask, leadIndex);
                var lossTensor = DistillationLoss.Total(output.Logits, teacherLogits.index_select(0, index), labels, options,
                    output.LayerWeights, teacherWeights.index_select(0, index));
                optimizer.zero_grad();
                lossTensor.backward();
                if (options.ClipNorm > 0) nn.utils.clip_grad_norm_(student.parameters(), options.ClipNorm);
                optimizer.step();
                loss = lossTensor.item<float>();
            }
            if (!double.IsFinite(loss))
                throw new InvalidOperationException($"distillation diverged: loss {loss} at step {step} (lower the learning rate; the last good checkpoint is {checkpointPath})");
            var record = new StepMetrics(step, loss, optimizer.GetLearningRate(), clock.Elapsed.TotalSeconds);
            metrics.Steps.Add(record);
            progress?.Invoke(record);
            step++;
            if (step % options.CheckpointEvery == 0 && step < options.Steps) Checkpoint();
        }
        metrics.Completed = step >= options.Steps;
        Checkpoint();
        student.eval();
        if (metrics.Completed)
        {
            EncoderFile.Save(student.encoder, Path.Combine(runDirectory, EncoderFileName));
            HeadFile.Save(student.head, Path.Combine(runDirectory, HeadFileName));
        }
        return new RunResult(step, metrics.Completed, metrics.Steps, runDirectory);

        void Checkpoint()
        {
            TrainingCheckpoint.Save(checkpointPath, student, optimizer, step, fingerprint);
            metrics.Save(metricsPath);
            RunReport.Write(runDirectory, $"Distillation (student d={config.Dim} depth={config.Depth}): {Path.GetFileName(Path.GetFullPath(runDirectory))}", metrics);
        }
    }

    private static RunMetrics NewMetrics(EncoderConfig config, int gateHidden, DistillOptions options, string teacherId) => new()
    {
        Kind = "distill",
        Config = RunMetrics.ToElement(new { encoder = config, gateHidden, teacher = teacherId }),
        Options = RunMetrics.ToElement(options),
    };

    /// <summary>What a resume must share with the run that wrote the checkpoint (everything but the checkpoint interval).</summary>
    private static string Fingerprint(EncoderConfig config, int gateHidden, DistillOptions options, string teacherId, int windows) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            RunMetrics.ToElement(config).GetRawText() + RunMetrics.ToElement(options with { CheckpointEvery = 1 }).GetRawText() + $"|{gateHidden}|{teacherId}|{windows}")))[..16];
}
