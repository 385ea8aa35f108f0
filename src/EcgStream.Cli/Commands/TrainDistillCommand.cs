using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EcgStream.Core.Rhythms;
using EcgStream.Inference;
using EcgStream.Onnx.Contract;
using EcgStream.Onnx.Proto;
using EcgStream.Training.Data;
using EcgStream.Training.Distillation;
using EcgStream.Training.Evaluation;
using EcgStream.Training.Export;
using EcgStream.Training.Heads;
using EcgStream.Training.Model;
using Spectre.Console;

namespace EcgStream.Cli.Commands;

/// <summary>
/// `ecgstream train distill --teacher T.onnx --out DIR`: trains a small PMA student from the teacher's
/// outputs (read through ONNX Runtime, once per window), exports it under the teacher's contract (a contract-v2
/// teacher gets a student with the same rhythm path) with thresholds chosen on the validation split record by
/// record (as `train probe` does), and scores teacher and student side by side on the real test records
/// (record-level, per source), and on the validation records, with the student / teacher ratios of both: runs are chosen
/// by the validation ratios, never by the test ones. Re-running with the same --out resumes; Ctrl+C writes a checkpoint.
/// </summary>
internal static class TrainDistillCommand
{
    public static Command Create()
    {
        var teacher = new Option<string>("--teacher") { Description = "The teacher: a contract-v1 or v2 PMA ONNX model (outputs logits and layer_weights); a v2 teacher gets a v2 student.", Required = true };
        var output = new Option<string>("--out") { Description = "Run folder: checkpoint, metrics.json, report.html, student.onnx, distill.json.", Required = true };
        var dim = new Option<int>("--dim") { Description = "Student width.", DefaultValueFactory = _ => EncoderConfig.Student().Dim };
        var depth = new Option<int>("--depth") { Description = "Student blocks (must divide the teacher's layers when --layer-weight > 0).", DefaultValueFactory = _ => EncoderConfig.Student().Depth };
        var heads = new Option<int>("--heads") { Description = "Student attention heads.", DefaultValueFactory = _ => EncoderConfig.Student().Heads };
        var gateHidden = new Option<int>("--gate-hidden") { Description = "Hidden units of the student's PMA gate.", DefaultValueFactory = _ => 32 };
        var data = new Option<string>("--data") { Description = "real or real+synthetic (the teacher labels both).", DefaultValueFactory = _ => "real+synthetic" };
        var dataRoot = new Option<string>("--data-root") { Description = "Real records folder.", DefaultValueFactory = _ => TrainCommand.DefaultDataRoot };
        var windows = new Option<int>("--windows") { Description = "Synthetic windows (with --data real+synthetic).", DefaultValueFactory = _ => 3000 };
        var steps = new Option<int>("--steps") { Description = "Optimiser steps.", DefaultValueFactory = _ => 1500 };
        var batch = new Option<int>("--batch") { Description = "Windows per step.", DefaultValueFactory = _ => 32 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => 1e-3 };
        var temperature = new Option<double>("--temperature") { Description = "Logit distillation temperature.", DefaultValueFactory = _ => 2.0 };
        var alpha = new Option<double>("--alpha") { Description = "Weight of the teacher term (1 − alpha on the labels).", DefaultValueFactory = _ => 0.7 };
        var layerWeight = new Option<double>("--layer-weight") { Description = "Weight of the PMA layer-mixture term (0: off).", DefaultValueFactory = _ => 0.1 };
        var flattening = new Option<double>("--lead-set-flattening") { Description = "0: every window equally likely; 1: every lead set the same share of a batch's windows (between: a lead set's weight is size^(1 − f)).", DefaultValueFactory = _ => 0 };
        var copies = new Option<int>("--teacher-copies") { Description = "Perturbed copies of each real train window with --teacher-copies-min-leads leads or more, labelled by the teacher alone (more inputs where the data is thin; 0: none).", DefaultValueFactory = _ => 0 };
        var copiesMinLeads = new Option<int>("--teacher-copies-min-leads") { Description = "Windows with at least this many leads get --teacher-copies copies.", DefaultValueFactory = _ => 12 };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Steps between checkpoints.", DefaultValueFactory = _ => 100 };
        var seed = new Option<int>("--seed") { Description = "Seed.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "libtorch threads.", DefaultValueFactory = _ => Math.Min(Environment.ProcessorCount, 2) };

        var cmd = new Command("distill", "Distil a PMA teacher (ONNX) into a smaller PMA student: logits at a temperature + the teacher's layer mixture.")
        {
            teacher, output, dim, depth, heads, gateHidden, data, dataRoot, windows, steps, batch, lr, temperature, alpha, layerWeight, flattening, copies, copiesMinLeads, checkpointEvery, seed, threads,
        };
        cmd.SetAction((parse, cancel) => CliErrors.Guard(() =>
        {
            // Settings are checked before libtorch starts: a bad one is refused in one line, wherever the command runs.
            var teacherPath = parse.GetValue(teacher)!;
            var outDir = parse.GetValue(output)!;
            var source = parse.GetValue(data)!;
            if (source is not ("real" or "real+synthetic")) throw new ArgumentException($"--data '{source}': expected real or real+synthetic (the student is scored on real test records)");
            int teacherCopies = parse.GetValue(copies), copiesLeads = parse.GetValue(copiesMinLeads);
            if (teacherCopies < 0) throw new ArgumentException($"--teacher-copies {teacherCopies}: must be 0 or more");
            if (copiesLeads is < 1 or > Core.Models.ModelContract.LeadCount) throw new ArgumentException($"--teacher-copies-min-leads {copiesLeads}: must be within 1…12");
            var config = EncoderConfig.Student() with { Dim = parse.GetValue(dim), Depth = parse.GetValue(depth), Heads = parse.GetValue(heads) };
            TrainCommand.Validate(config.Validate, parse.GetValue(batch));
            var options = new DistillOptions
            {
                Steps = parse.GetValue(steps), BatchSize = parse.GetValue(batch), LearningRate = parse.GetValue(lr),
                WarmupSteps = Math.Min(100, parse.GetValue(steps) / 10), Temperature = parse.GetValue(temperature), Alpha = parse.GetValue(alpha),
                LayerWeight = parse.GetValue(layerWeight), LeadSetFlattening = parse.GetValue(flattening), Seed = (ulong)parse.GetValue(seed), CheckpointEvery = parse.GetValue(checkpointEvery),
            };
            TrainCommand.Validate(options.Validate, options.BatchSize);
            if (!TrainCommand.StartTorch(parse.GetValue(threads))) return Task.FromResult(3);
            var fp32Teacher = ModelScores.ReadModel(teacherPath);
            bool rhythmPath = fp32Teacher.MetadataProps.FirstOrDefault(p => p.Key == Core.Models.ModelContract.Keys.ContractVersion)?.Value == "2";
            var ortOptions = new InferenceOptions { IntraOpThreads = CliLimits.Threads(parse.GetValue(threads)) };

            var set = TrainCommand.LoadWindows(teacherCopies > 0 ? "real" : source, parse.GetValue(dataRoot)!, parse.GetValue(windows), parse.GetValue(seed), outDir);
            if (teacherCopies > 0)
            {
                int added = TeacherTaughtCopies.Append(set, teacherCopies, copiesLeads, (ulong)parse.GetValue(seed));
                Console.WriteLine($"teacher-taught copies: {added} ({teacherCopies} of each real train window with {copiesLeads}+ leads)");
                if (source == "real+synthetic") set.AddRange(TrainCommand.LoadWindows("synthetic", parse.GetValue(dataRoot)!, parse.GetValue(windows), parse.GetValue(seed), outDir));
            }
            var started = DateTime.UtcNow;
            var targets = SoftTargets.ComputeOrLoad(teacherPath, set, outDir, ortOptions, done => { if (done % 2000 < 16) Console.WriteLine($"teacher: {done}/{set.Count} windows"); });
            Console.WriteLine($"teacher outputs for {set.Count} windows ({targets.Layers} layers; {(DateTime.UtcNow - started).TotalSeconds:F0} s, cached in {Path.Combine(outDir, SoftTargets.FileName)})");
            Console.WriteLine($"student: d {config.Dim}, depth {config.Depth}, heads {config.Heads}{(rhythmPath ? ", rhythm path (contract v2, as the teacher)" : "")}; {config.MacsPerWindow() / 1e6:F0} M multiply-adds per 12-lead window (small encoder: {EncoderConfig.Small().MacsPerWindow() / 1e6:F0} M)");

            var result = Distiller.Run(config, parse.GetValue(gateHidden), options, set, targets, SoftTargets.TeacherHash(teacherPath)[..16], outDir, m =>
            {
                if (m.Step % 25 == 0 || m.Step == options.Steps - 1)
                    Console.WriteLine(FormattableString.Invariant($"step {m.Step + 1}/{options.Steps}: loss {m.Loss:F4}, lr {m.LearningRate:E2}, {m.Seconds:F0} s"));
            }, cancel, rhythmPath);
            if (!result.Completed)
            {
                Console.WriteLine($"stopped at step {result.StepsDone}; checkpoint in {outDir} (run the same command to resume)");
                return Task.FromResult(130);
            }

            // Export, thresholds on validation windows (real and synthetic together, as train probe does), test scores.
            using var encoder = EncoderFile.Load(Path.Combine(outDir, Distiller.EncoderFileName));
            using var headModule = HeadFile.Load(Path.Combine(outDir, Distiller.HeadFileName));
            var head = (PmaHead)headModule;
            encoder.eval();
            head.eval();
            string teacherId = fp32Teacher.MetadataProps.FirstOrDefault(p => p.Key == Core.Models.ModelContract.Keys.ModelId)?.Value ?? Path.GetFileName(teacherPath);
            ContractModelInfo Info(IReadOnlyList<float>? thresholds) => new()
            {
                ModelId = rhythmPath ? $"ecgstream-student-d{config.Dim}x{config.Depth}-pma-rr-2" : $"ecgstream-student-d{config.Dim}x{config.Depth}-pma-1",
                RhythmPath = rhythmPath,
                Description = $"ST-MEM-style student d={config.Dim} depth={config.Depth} heads={config.Heads} + PMA head, distilled from {teacherId} (T {options.Temperature}, alpha {options.Alpha}, layer weight {options.LayerWeight}, {options.Steps} steps)",
                TrainingData = $"{source} train split: {set.Count} windows with the teacher's logits and layer weights" +
                    (teacherCopies > 0 ? $" ({teacherCopies} teacher-taught copies of each real window with {copiesLeads}+ leads among them)" : ""),
                Thresholds = thresholds,
            };
            ClassThreshold[] thresholds;
            using (var session = InferenceSession.Load(PmaOnnxExporter.Export(encoder, head, Info(null)), ortOptions, "student"))
                thresholds = TrainCommand.ValidationThresholds(source, parse.GetValue(dataRoot)!, parse.GetValue(windows), parse.GetValue(seed), outDir,
                    validation => OnnxScoring.Run(session, validation).Probabilities(), cancel);
            var studentPath = Path.Combine(outDir, "student.onnx");
            File.WriteAllBytes(studentPath, PmaOnnxExporter.Export(encoder, head, Info([.. thresholds.Select(t => (float)t.Threshold)])));

            // Teacher and student side by side on the real validation records (what a run is chosen by: recipe, seed,
            // steps) and on the test records (measured, never chosen by).
            var student = ModelScores.ReadModel(studentPath);
            float teacherAf = ModelScores.AfThreshold(fp32Teacher, teacherPath);
            List<(string Name, List<SourceScore> Scores)> Side(Split split)
            {
                var windows = TrainCommand.LoadWindows("real", parse.GetValue(dataRoot)!, 0, parse.GetValue(seed), outDir, split);
                return
                [
                    ("teacher", ModelScores.Evaluate(fp32Teacher, "teacher", windows, teacherAf, ortOptions)),
                    ("student", ModelScores.Evaluate(student, "student", windows, thresholds[(int)RhythmClass.AF].Threshold, ortOptions)),
                ];
            }
            var validationScores = Side(Split.Validation);
            var validationRatios = StudentRatios.Of(validationScores[0].Scores, validationScores[1].Scores);
            var scores = Side(Split.Test);
            var testRatios = StudentRatios.Of(scores[0].Scores, scores[1].Scores);
            Console.WriteLine("validation records:");
            ModelScores.PrintTable(validationScores);
            Console.WriteLine(FormattableString.Invariant($"student / teacher on validation, worst source of {StudentRatios.MinRecords}+ records: {StudentRatios.Worst(validationRatios):P1}"));
            Console.WriteLine("test records:");
            ModelScores.PrintTable(scores);
            Console.WriteLine(FormattableString.Invariant($"student / teacher on test, worst source: {StudentRatios.Worst(testRatios, minRecords: 1):P1}"));
            File.WriteAllText(Path.Combine(outDir, "distill.json"), JsonSerializer.Serialize(new
            {
                kind = "distill", teacher = teacherPath, contract = rhythmPath ? 2 : 1, student = studentPath, config, options, trainWindows = set.Count, teacherCopies, teacherCopiesMinLeads = copiesLeads,
                studentMacs = config.MacsPerWindow(), teacherEncoderMacs = EncoderConfig.Small().MacsPerWindow(),
                thresholds = thresholds.Select(t => t.Threshold),
                validation = validationScores.Select(s => new { name = s.Name, scores = s.Scores.Select(ModelScores.Json) }),
                validationRatios = RatiosJson(validationRatios, StudentRatios.MinRecords),
                test = scores.Select(s => new { name = s.Name, scores = s.Scores.Select(ModelScores.Json) }),
                testRatios = RatiosJson(testRatios, 1),      // the issue reads every source on test, however small
            }, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine($"wrote {studentPath} ({new FileInfo(studentPath).Length} bytes) and {Path.Combine(outDir, "distill.json")}");
            return Task.FromResult(0);
        }));
        return cmd;
    }

    private static object RatiosJson(List<SourceRatio> ratios, int minRecords) => new
    {
        worst = ModelScores.Finite(StudentRatios.Worst(ratios, minRecords)), worstOverSourcesOfRecords = minRecords,
        sources = ratios.Select(r => new { source = r.Source, records = r.Records, macroAuroc = ModelScores.Finite(r.MacroAuroc), afF1 = ModelScores.Finite(r.AfF1) }),
    };

}
