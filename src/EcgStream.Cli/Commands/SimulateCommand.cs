using System.CommandLine;
using EcgStream.Synthetic;

namespace EcgStream.Cli.Commands;

/// <summary>`ecgstream simulate --scenario S --out DIR`: a synthetic record (WFDB .hea/.dat) with its exact ground truth (.atr).</summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var scenario = new Option<string>("--scenario") { Description = "Scenario file (JSON timeline of rhythm segments); see tools/scenarios/.", Required = true };
        var output = new Option<string>("--out") { Description = "Directory to write the record into.", Required = true };
        var name = new Option<string?>("--name") { Description = "Record name (default: the scenario file's name)." };
        var cmd = new Command("simulate", "Generate a synthetic ECG record with ground-truth annotations.") { scenario, output, name };
        cmd.SetAction(parse => CliErrors.Guard(() =>
        {
            string path = parse.GetValue(scenario)!;
            var s = ScenarioFile.Load(path);
            string dir = CliPaths.OutputFolder(parse.GetValue(output)!, "--out");
            var record = Simulator.Run(s);
            string recordName = parse.GetValue(name) ?? Path.GetFileNameWithoutExtension(path);
            string written = record.WriteWfdb(dir, recordName);
            Console.Error.WriteLine($"wrote {written}.hea/.dat/.atr: {record.DurationSeconds:F0} s, {record.Leads.Count} leads at {record.SampleRate} Hz, {record.BeatSamples.Count} beats, {record.Truth.Count} truth episodes");
            foreach (var e in record.Truth) Console.Error.WriteLine($"  {e.Rhythm,-8} {e.StartSeconds,8:F1} – {e.EndSeconds,8:F1} s");
            return Task.FromResult(0);
        }));
        return cmd;
    }
}
