using System.CommandLine;
using System.Text.Json;
using EcgStream.Core.Rhythms;
using EcgStream.Training.Heads;
using EcgStream.Training.Model;
using Spectre.Console;

namespace EcgStream.Cli.Commands;

/// <summary>`ecgstream train probe --encoder E --head pma --out DIR`: trains a rhythm head (frozen encoder unless --fine-tune).</summary>
internal static class TrainProbeCommand
{
    public static Command Create()
    {
        var encoderPath = new Option<string>("--encoder") { Description = "encoder.safetensors from train pretrain.", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for head.safetensors (and encoder.safetensors when fine-tuned), metrics.json, splits.json.", Required = true };
        var kind = new Option<string>("--head") { Description = "last, probe, ppa or pma.", DefaultValueFactory = _ => "pma" };
        var gate = new Option<string>("--gate") { Description = "PMA gate: joint (default) or per-layer.", DefaultValueFactory = _ => "joint" };
        var layer = new Option<int>("--layer") { Description = "Layer for --head probe (0-based).", DefaultValueFactory = _ => 0 };
        var data = new Option<string>("--data") { Description = "synthetic or real.", DefaultValueFactory = _ => "synthetic" };
        var dataRoot = new Option<string>("--data-root") { Description = "Real records folder.", DefaultValueFactory = _ => TrainCommand.DefaultDataRoot };
        var windows = new Option<int>("--windows") { Description = "Synthetic windows to generate.", DefaultValueFactory = _ => 256 };
        var steps = new Option<int>("--steps") { Description = "Optimiser steps.", DefaultValueFactory = _ => 500 };
        var batch = new Option<int>("--batch") { Description = "Windows per step.", DefaultValueFactory = _ => 32 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => 1e-3 };
        var fineTune = new Option<bool>("--fine-tune") { Description = "Train the encoder too." };
        var seed = new Option<int>("--seed") { Description = "Seed.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "libtorch threads.", DefaultValueFactory = _ => Math.Min(Environment.ProcessorCount, 2) };

        var cmd = new Command("probe", "Train a rhythm head (last layer, layer probe, PPA or PMA) on an encoder.")
        {
            encoderPath, output, kind, gate, layer, data, dataRoot, windows, steps, batch, lr, fineTune, seed, threads,
        };
        cmd.SetAction((parse, cancel) => CliErrors.Guard(() =>
        {
            if (!TrainCommand.StartTorch(parse.GetValue(threads))) return Task.FromResult(3);
            var outDir = parse.GetValue(output)!;
            var headKind = parse.GetValue(kind) switch
            {
                "last" => HeadKind.LastLayer, "probe" => HeadKind.LayerProbe, "ppa" => HeadKind.Ppa, "pma" => HeadKind.Pma,
                var k => throw new ArgumentException($"--head '{k}': expected last, probe, ppa or pma"),
            };
            var options = new HeadTrainOptions
            {
                Steps = parse.GetValue(steps), BatchSize = parse.GetValue(batch), LearningRate = parse.GetValue(lr),
                WarmupSteps = Math.Min(20, parse.GetValue(steps) - 1), Seed = (ulong)parse.GetValue(seed), FreezeEncoder = !parse.GetValue(fineTune),
            };
            options.Validate();
            using var encoder = EncoderFile.Load(parse.GetValue(encoderPath)!);
            var set = TrainCommand.LoadWindows(parse.GetValue(data)!, parse.GetValue(dataRoot)!, parse.GetValue(windows), parse.GetValue(seed), outDir);
            EcgStream.Torch.torch.manual_seed((ulong)parse.GetValue(seed));
            var pmaGate = parse.GetValue(gate) switch
            {
                "joint" => PmaGate.Joint, "per-layer" => PmaGate.PerLayer,
                var g => throw new ArgumentException($"--gate '{g}': expected joint or per-layer"),
            };
            using var head = RhythmHeads.Create(headKind, encoder.Config.Dim, encoder.Depth, RhythmClasses.Count, parse.GetValue(layer), gate: pmaGate);
            IReadOnlyList<double> losses = [];
            AnsiConsole.Progress().Start(ctx =>
            {
                var task = ctx.AddTask($"{headKind}", maxValue: options.Steps);
                losses = HeadTrainer.Train(encoder, head, set, options, (s, loss) =>
                {
                    task.Value = s + 1;
                    task.Description = $"{headKind} BCE {loss:F4}";
                }, cancel);
            });
            HeadFile.Save(head, Path.Combine(outDir, "head.safetensors"));
            if (!options.FreezeEncoder) EncoderFile.Save(encoder, Path.Combine(outDir, "encoder.safetensors"));
            File.WriteAllText(Path.Combine(outDir, "metrics.json"), JsonSerializer.Serialize(new { kind = "probe", head = headKind.ToString(), options, losses }, new JsonSerializerOptions { WriteIndented = true }));
            AnsiConsole.MarkupLineInterpolated($"done: {losses.Count} steps, last BCE {(losses.Count > 0 ? losses[^1] : double.NaN):F4}; {Path.Combine(outDir, "head.safetensors")}");
            return Task.FromResult(0);
        }));
        return cmd;
    }
}
