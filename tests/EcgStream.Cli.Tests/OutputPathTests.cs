using EcgStream.Cli.Commands.Benchmark;
using EcgStream.Runtime.Evaluation;

namespace EcgStream.Cli.Tests;

/// <summary>
/// An output path that cannot be written (a file where a folder goes, a folder where a file goes) is one line naming the
/// option, checked before the command's work starts: not a stack trace, and not after the whole replay or training.
/// </summary>
public sealed class OutputPathTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ecgstream-out-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Bundled => Path.Combine(AppContext.BaseDirectory, "models", "ecgstream.onnx");

    private string AFile()
    {
        var path = Path.Combine(_dir, "afile");
        File.WriteAllText(path, "not a folder");
        return path;
    }

    private string AFolder(string name) => Directory.CreateDirectory(Path.Combine(_dir, name)).FullName;

    private static async Task AssertRefused(string message, params string[] args)
    {
        var r = await CliRunner.RunAsync(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(message, r.Stderr.Trim());
        Assert.Empty(r.Stdout);
    }

    [Fact]
    public async Task A_file_where_an_output_folder_goes_is_named_with_its_option()
    {
        var file = AFile();
        await AssertRefused($"error: --out '{file}': a file is in the way; expected a folder",
            "benchmark", "--data-root", _dir, "--model", "none", "--out", file);
        var fold = Path.Combine(_dir, "fold.jsonl");
        File.WriteAllLines(fold, [BenchmarkLines.Write(new EpisodeRecord("mitdb", "201", "fused", 0.5, new EpisodeMetrics("AF", 0, 0, 0, 0, 0, 0, 0, [])), 1)]);
        await AssertRefused($"error: --out '{file}': a file is in the way; expected a folder", "benchmark", "pool", fold, "--out", file);
        await AssertRefused($"error: --out '{file}': a file is in the way; expected a folder",
            "simulate", "--scenario", Path.Combine(TestRepo.Root, "tools", "scenarios", "af-paroxysmal.json"), "--out", file);
        await AssertRefused($"error: --out '{file}': a file is in the way; expected a folder", "train", "pretrain", "--out", file);
        await AssertRefused($"error: --save-optimized '{file}': a file is in the way; expected a folder",
            "bench", "models", "--model", Bundled, "--save-optimized", file, "--runs", "1", "--rounds", "1", "--warmup", "0");
        Assert.Equal("not a folder", File.ReadAllText(file));
    }

    [Fact]
    public async Task A_folder_where_an_output_file_goes_is_named_with_its_option_and_leaves_nothing_beside_it()
    {
        var folder = AFolder("adir.atr");
        await AssertRefused($"error: --out '{folder}': a folder is in the way; expected a file", "train", "import-encoder", "--model", Bundled, "--out", folder);
        Assert.False(File.Exists(folder + ".tmp"));
        // replay checks --annotations before it plays the record: no event was printed
        var record = Path.Combine(TestRepo.Root, "tools", "scenarios", "af-paroxysmal.json");
        var sim = await CliRunner.RunAsync("simulate", "--scenario", record, "--out", _dir);
        Assert.True(sim.ExitCode == 0, sim.Stderr);
        await AssertRefused($"error: --annotations '{folder}': a folder is in the way; expected a file",
            "replay", Path.Combine(_dir, "af-paroxysmal"), "--model", "none", "--annotations", folder);
    }

    [Fact]
    public async Task An_output_file_under_a_path_that_cannot_exist_is_one_line()
    {
        var under = Path.Combine(AFile(), "out.atr");   // a file cannot hold a folder
        var r = await CliRunner.RunAsync("replay", Path.Combine(_dir, "nope"), "--model", "none", "--annotations", under);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith($"error: --annotations '{under}': ", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }
}
