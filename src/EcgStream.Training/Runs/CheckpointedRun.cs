using System.Diagnostics;
using EcgStream.Training.Optimization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EcgStream.Training.Runs;

/// <summary>How a <see cref="CheckpointedRun"/> steps and where it keeps its state.</summary>
/// <param name="Title">Heading of the run's report.html.</param>
/// <param name="Activity">What diverged, in the error ("pretraining", "distillation").</param>
/// <param name="Fingerprint">What a resume must share with the run that wrote the checkpoint.</param>
public sealed record CheckpointedRunSettings(string RunDirectory, string Title, string Activity, string Fingerprint,
    long Steps, int CheckpointEvery, double ClipNorm, Func<RunMetrics> NewMetrics);

/// <summary>
/// The loop every resumable training run shares (pretraining, distillation): a folder with a checkpoint resumes from it
/// (the steps after it are redone, <c>Resumes</c> counted); each step sets the schedule's rate, computes the loss in its
/// own dispose scope, steps AdamW with optional gradient clipping and refuses a non-finite loss; a checkpoint,
/// <c>metrics.json</c> and report.html are written every <see cref="CheckpointedRunSettings.CheckpointEvery"/> steps, at
/// the end and on cancellation. The caller's loss is a function of the step (its batch and randomness seeded by it), and
/// the optimiser's moments are in the checkpoint, so a resumed run continues exactly as the uninterrupted one.
/// </summary>
public static class CheckpointedRun
{
    public const string MetricsFile = "metrics.json";

    /// <param name="lossAt">The loss of step <c>s</c>, built inside the step's dispose scope (which frees what it creates).</param>
    public static RunResult Run(nn.Module model, AdamW optimizer, WarmupCosine schedule, CheckpointedRunSettings settings,
        Func<long, Tensor> lossAt, Action<StepMetrics>? progress, CancellationToken cancel)
    {
        Directory.CreateDirectory(settings.RunDirectory);
        var checkpointPath = Path.Combine(settings.RunDirectory, TrainingCheckpoint.FileName);
        var metricsPath = Path.Combine(settings.RunDirectory, MetricsFile);

        long step = 0;
        RunMetrics metrics;
        if (File.Exists(checkpointPath))
        {
            step = TrainingCheckpoint.Load(checkpointPath, model, optimizer, settings.Fingerprint);
            metrics = File.Exists(metricsPath) ? RunMetrics.Load(metricsPath) : settings.NewMetrics();
            metrics.Steps.RemoveAll(s => s.Step >= step);   // steps after the checkpoint are redone
            metrics.Resumes++;
        }
        else metrics = settings.NewMetrics();

        var clock = Stopwatch.StartNew();
        model.train();
        while (step < settings.Steps && !cancel.IsCancellationRequested)
        {
            optimizer.SetLearningRate(schedule.RateAt(step));
            double loss;
            using (var scope = NewDisposeScope())
            {
                var lossTensor = lossAt(step);
                optimizer.zero_grad();
                lossTensor.backward();
                if (settings.ClipNorm > 0) nn.utils.clip_grad_norm_(model.parameters(), settings.ClipNorm);
                optimizer.step();
                loss = lossTensor.item<float>();
            }
            if (!double.IsFinite(loss))
                throw new InvalidOperationException($"{settings.Activity} diverged: loss {loss} at step {step} (lower the learning rate; the last good checkpoint is {checkpointPath})");
            var record = new StepMetrics(step, loss, optimizer.GetLearningRate(), clock.Elapsed.TotalSeconds);
            metrics.Steps.Add(record);
            progress?.Invoke(record);
            step++;
            if (step % settings.CheckpointEvery == 0 && step < settings.Steps) Checkpoint();
        }
        metrics.Completed = step >= settings.Steps;
        Checkpoint();
        model.eval();
        return new RunResult(step, metrics.Completed, metrics.Steps, settings.RunDirectory);

        void Checkpoint()
        {
            TrainingCheckpoint.Save(checkpointPath, model, optimizer, step, settings.Fingerprint);
            metrics.Save(metricsPath);
            RunReport.Write(settings.RunDirectory, settings.Title, metrics);
        }
    }
}
