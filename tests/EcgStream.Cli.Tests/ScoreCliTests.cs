using System.Text.Json;
using EcgStream.Tests;

namespace EcgStream.Cli.Tests;

/// <summary>`train score`: trained models side by side on a split's held-out records.</summary>
public class ScoreCliTests
{
    private static string Bundled => Path.Combine(AppContext.BaseDirectory, "models", "ecgstream.onnx");

    [Fact]
    public async Task Score_refuses_the_train_split_and_a_run_folder_without_the_models_split_file()
    {
        var r = await CliRunner.RunAsync("train", "score", "--model", Bundled, "--run", "/tmp/x", "--split", "train");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: --split 'train': expected test or validation (train records were trained on)", r.Stderr.Trim());

        var empty = Directory.CreateTempSubdirectory("ecgstream-score-").FullName;
        try
        {
            r = await CliRunner.RunAsync("train", "score", "--model", Bundled, "--run", empty);
            Assert.Equal(2, r.ExitCode);
            Assert.Equal($"error: {Path.Combine(empty, "splits.json")} not found: copy the models' split file there (a new one would hold out other patients)", r.Stderr.Trim());
        }
        finally { Directory.Delete(empty, recursive: true); }
    }

    [DataFact("physionet2017")]
    public async Task A_model_scored_beside_itself_keeps_every_ratio_at_one_and_the_copies_stay_out()
    {
        var run = Directory.CreateTempSubdirectory("ecgstream-score-").FullName;
        try
        {
            File.Copy(Path.Combine(TestData.RepoRoot, "docs", "runs", "2026-11-21", "pretrain", "splits.json"), Path.Combine(run, "splits.json"));
            var r = await CliRunner.RunAsync("train", "score", "--model", Bundled, "--model", Bundled, "--run", run, "--data-root", TestData.Root);
            Assert.True(r.ExitCode == 0, r.Stderr);
            // the console wraps long warnings: compare with line breaks read as spaces
            var said = System.Text.RegularExpressions.Regex.Replace(r.Stdout + r.Stderr, @"\s+", " ");
            Assert.Contains("physionet2017/A00227: left out of the Test split: identical to physionet2017/A01176 (Train)", said);
            var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "score.json"))).RootElement;
            var ratios = json.GetProperty("ratios")[0].GetProperty("ratios").EnumerateArray().ToList();
            Assert.Contains(ratios, x => x.GetProperty("source").GetString() == "physionet2017");
            foreach (var x in ratios)
            {
                Assert.Equal(1.0, x.GetProperty("macroAuroc").GetDouble(), 12);
                // a model beside itself: every resample gives 1, so the interval is [1, 1]; a source of a few patients may have
                // none (fewer than half its resamples keep every class it scores: MIT-BIH's 7 records)
                var interval = x.GetProperty("macroAurocInterval");
                if (x.GetProperty("patients").GetInt32() >= 20 || interval.ValueKind != JsonValueKind.Null)
                    Assert.Equal([1.0, 1.0], interval.EnumerateArray().Select(v => Math.Round(v.GetDouble(), 12)));
            }
            var scores = json.GetProperty("scores")[0].GetProperty("scores").EnumerateArray().ToDictionary(s => s.GetProperty("source").GetString()!);
            Assert.Equal(1235, scores["physionet2017"].GetProperty("records").GetInt32());
            Assert.Equal(8, scores["cinc2021"].GetProperty("records").GetInt32());
        }
        finally { Directory.Delete(run, recursive: true); }
    }
}
