using System.CommandLine;
using System.Text.Json;
using EcgStream.Core.Rhythms;
using EcgStream.Training.Data;

namespace EcgStream.Cli.Commands;

/// <summary>
/// `ecgstream train dataset --out DIR`: lists and windows the real records, assigns patient-wise
/// splits (DIR/splits.json) and prints windows per class and split as JSON, with every skip counted.
/// </summary>
internal static class TrainDatasetCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder for splits.json and dataset.json.", Required = true };
        var dataRoot = new Option<string>("--data-root") { Description = "Real records folder.", DefaultValueFactory = _ => TrainCommand.DefaultDataRoot };
        var maxPerRecord = new Option<int>("--max-windows-per-record") { Description = "Cap per record (0: none).", DefaultValueFactory = _ => 40 };
        var cmd = new Command("dataset", "Window the real records, save patient-wise splits, print class counts per split.") { output, dataRoot, maxPerRecord };
        cmd.SetAction(parse => CliErrors.Guard(() =>
        {
            var outDir = parse.GetValue(output)!;
            Directory.CreateDirectory(outDir);
            var report = new DatasetReport(w => Console.Error.WriteLine($"warning: {w}"));
            var entries = RealDatasets.List(parse.GetValue(dataRoot)!, report);
            var splitsPath = Path.Combine(outDir, "splits.json");
            var splits = File.Exists(splitsPath) ? DatasetSplits.Load(splitsPath) : new DatasetSplits();
            var all = RealDatasets.Build(entries, splits, report, new WindowingOptions { MaxWindowsPerRecord = parse.GetValue(maxPerRecord) });
            splits.Save(splitsPath);
            var perSplit = new Dictionary<string, object>();
            foreach (var split in Enum.GetValues<Split>())
            {
                var subset = all.Subset(splits.Records(split));
                var counts = subset.ClassCounts();
                var bySource = Enumerable.Range(0, subset.Count).GroupBy(i => subset.RecordId(i).Split('/')[0]).ToDictionary(g => g.Key, g => g.Count());
                perSplit[split.ToString()] = new
                {
                    windows = subset.Count,
                    classes = Enumerable.Range(0, RhythmClasses.Count).ToDictionary(c => RhythmClasses.Name((RhythmClass)c), c => counts[c]),
                    sources = bySource,
                };
            }
            var summary = new { report = report.ToString(), skipped = report.Skipped, splits = perSplit };
            var json = JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true });
            File.WriteAllText(Path.Combine(outDir, "dataset.json"), json);
            Console.WriteLine(json);
            return Task.FromResult(0);
        }));
        return cmd;
    }
}
