using System.CommandLine;
using EcgStream.Training.Pretraining;
using Spectre.Console;

namespace EcgStream.Cli.Commands;

/// <summary>
/// `ecgstream train pretrain --out DIR`: masked pretraining (ST-MEM, or IPASTMEM with --groups) with
/// a progress bar; a folder holding a checkpoint resumes. Ctrl+C stops after the current step and
/// writes a checkpoint.
/// </summary>
internal static class TrainPretrainCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Run folder (checkpoint, metrics.json, encoder.safetensors).", Required = true };
        var config = new Option<string>("--config") { Description = "Model size: tiny, small (default) or base.", DefaultValueFactory = _ => "small" };
        var data = new Option<string>("--data") { Description = "synthetic or real (the train split of --data-root).", DefaultValueFactory = _ => "synthetic" };
        var dataRoot = new Option<string>("--data-root") { Description = "Real records folder (default ECGSTREAM_DATA or ../shared/data).", DefaultValueFactory = _ => TrainCommand.DefaultDataRoot };
        var windows = new Option<int>("--windows") { Description = "Synthetic windows to generate.", DefaultValueFactory = _ => 512 };
        var steps = new Option<int>("--steps") { Description = "Optimiser steps.", DefaultValueFactory = _ => 3000 };
        var batch = new Option<int>("--batch") { Description = "Windows per step.", DefaultValueFactory = _ => 32 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => 1e-3 };
        var warmup = new Option<int>("--warmup") { Description = "Warm-up steps.", DefaultValueFactory = _ => 150 };
        var groups = new Option<string?>("--groups") { Description = "IPASTMEM layer groups, e.g. 0-3,4-7 (default: last layer only)." };
        var seed = new Option<int>("--seed") { Description = "Seed of weights, batches and masks.", DefaultValueFactory = _ => 1 };
        var every = new Option<int>("--checkpoint-every") { Description = "Steps between checkpoints.", DefaultValueFactory = _ => 200 };
        var threads = new Option<int>("--threads") { Description = "libtorch threads.", DefaultValueFactory = _ => Math.Min(Environment.ProcessorCount, 2) };

        var cmd = new Command("pretrain", "Masked ECG pretraining of the encoder (resumes from a checkpoint in --out).")
        {
            output, config, data, dataRoot, windows, steps, batch, lr, warmup, groups, seed, every, threads,
        };
        cmd.SetAction((parse, cancel) => CliErrors.Guard(() =>
        {
            var outDir = parse.GetValue(output)!;
            var encoderConfig = TrainCommand.ConfigNamed(parse.GetValue(config)!);
            var options = new PretrainOptions
            {
                Steps = parse.GetValue(steps), BatchSize = parse.GetValue(batch), LearningRate = parse.GetValue(lr),
                WarmupSteps = parse.GetValue(warmup), Seed = (ulong)parse.GetValue(seed), LayerGroups = parse.GetValue(groups),
                CheckpointEvery = parse.GetValue(every),
            };
            TrainCommand.Validate(options.Validate, options.BatchSize);
            // checked before libtorch starts and data loads: a path that cannot be written fails at once
            CliPaths.OutputFolder(outDir, "--out");
            if (!TrainCommand.StartTorch(parse.GetValue(threads))) return Task.FromResult(3);
            var set = TrainCommand.LoadWindows(parse.GetValue(data)!, parse.GetValue(dataRoot)!, parse.GetValue(windows), parse.GetValue(seed), outDir);
            EcgStream.Training.Runs.RunResult? result = null;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("pretrain", maxValue: options.Steps);
                    result = Pretrainer.Run(encoderConfig, options, set, outDir, s =>
                    {
                        task.Value = s.Step + 1;
                        task.Description = $"pretrain loss {s.Loss:F4}";
                    }, cancel);
                });
            var r = result!;
            var last = r.Steps.Count > 0 ? r.Steps[^1].Loss : double.NaN;
            AnsiConsole.MarkupLineInterpolated($"{(r.Completed ? "done" : "stopped")}: {r.StepsDone}/{options.Steps} steps, last loss {last:F4}; {Path.Combine(outDir, Pretrainer.MetricsFile)}");
            return Task.FromResult(r.Completed ? 0 : 130);
        }));
        return cmd;
    }
}
