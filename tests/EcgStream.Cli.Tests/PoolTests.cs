using System.Text.Json;
using EcgStream.Cli.Commands.Benchmark;
using EcgStream.Runtime.Evaluation;

namespace EcgStream.Cli.Tests;

/// <summary>`benchmark pool` checks every line it reads before it writes anything, and counts each record once.</summary>
public sealed class PoolTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ecgstream-pool-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Dictionary<string, double> Probabilities = new() { ["SR"] = 0.9, ["AF"] = 0.1 };

    private static string Cinc(string id, string reference, string decision) =>
        BenchmarkLines.Write(new ClassRecord(BenchmarkLines.Cinc2017, "physionet2017", id, reference, [decision], Probabilities, null), 1);

    private static string Episodes(string record, int reference, int detected, double hours) =>
        BenchmarkLines.Write(new EpisodeRecord("mitdb", record, "fused", hours, new EpisodeMetrics("AF", reference, detected, 0, 0, 0, 0, 0, [])), 1);

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private static int PooledRecords(string stdout, string benchmark) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Single(e => e.GetProperty("record").GetString() == "ALL" && e.GetProperty("benchmark").GetString() == benchmark).GetProperty("records").GetInt32();

    [Fact]
    public async Task A_record_repeated_identically_in_one_file_is_counted_once()
    {
        var path = Write("fold.jsonl", Cinc("A1", "N", "N"), Cinc("A2", "A", "A"), Episodes("201", 0, 1, 0.5), Cinc("A1", "N", "N"), Episodes("201", 0, 1, 0.5));
        var r = await CliRunner.RunAsync("benchmark", "pool", path);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(2, PooledRecords(r.Stdout, "cinc2017"));
        Assert.Equal(1, PooledRecords(r.Stdout, "episodes"));
        Assert.Contains($"note: {path}, line 4: cinc2017 physionet2017/A1 repeats line 1; counted once", r.Stderr);
    }

    [Fact]
    public async Task A_record_repeated_with_other_values_in_one_file_is_refused()
    {
        var path = Write("fold.jsonl", Cinc("A1", "N", "N"), Cinc("A2", "A", "A"), Cinc("A1", "N", "A"));
        var r = await CliRunner.RunAsync("benchmark", "pool", path);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"error: {path}, line 3: cinc2017 physionet2017/A1 is also on line 1, with other values", r.Stderr.Trim());
        Assert.Empty(r.Stdout);
    }

    [Theory]
    [InlineData("reference", "\"N\"", "\"X\"", "reference 'X': expected one CinC 2017 label (N, A, O or ~)")]
    [InlineData("probabilities", "{\"SR\":0.9,\"AF\":0.1}", "{\"SR\":0.9,\"SR\":0.1}", "probabilities: field 'SR' appears twice")]
    [InlineData("probabilities", "{\"SR\":0.9,\"AF\":0.1}", "{\"SR\":2.5}", "probabilities: SR is 2.5; expected a number from 0 to 1 or null")]
    [InlineData("probabilities", "{\"SR\":0.9,\"AF\":0.1}", "{\"XX\":0.5}", "probabilities: 'XX' is not a class of class set v1")]
    [InlineData("hours", "0.5", "-1", "field 'hours' is -1; expected a number from 0 to 8784")]
    [InlineData("episode_sensitivity", "null", "7", "field 'episode_sensitivity' is 7; expected a number from 0 to 1")]
    [InlineData("rhythm", "\"AF\"", "\"XYZ\"", "rhythm 'XYZ' is not a class of class set v1")]
    [InlineData("source", "\"fused\"", "\"oracle\"", "source 'oracle': expected rule, model or fused")]
    [InlineData("fold", "1", "-3", "field 'fold' is -3; expected a whole number from 0 to 2147483647")]
    public async Task A_bad_value_is_refused_naming_file_and_line_and_nothing_is_written(string field, string good, string bad, string problem)
    {
        var lines = new[] { Cinc("A1", "N", "N"), Episodes("201", 0, 1, 0.5), Cinc("A2", "A", "A") };
        int target = lines.Select((l, i) => (l, i)).First(x => x.l.Contains($"\"{field}\":{good}")).i;
        lines[target] = lines[target].Replace($"\"{field}\":{good}", $"\"{field}\":{bad}");
        var path = Write("fold.jsonl", lines);
        var outDir = Directory.CreateDirectory(Path.Combine(_dir, "pooled")).FullName;
        File.WriteAllText(Path.Combine(outDir, "benchmark.jsonl"), "earlier run\n");

        var r = await CliRunner.RunAsync("benchmark", "pool", path, "--out", outDir);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"error: {path}, line {target + 1}: {problem}", r.Stderr.Trim());
        Assert.Empty(r.Stdout);
        Assert.Equal("earlier run\n", File.ReadAllText(Path.Combine(outDir, "benchmark.jsonl")));
    }

    [Fact]
    public async Task A_file_without_record_lines_is_refused()
    {
        var empty = Write("empty.jsonl");
        var r = await CliRunner.RunAsync("benchmark", "pool", empty);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"error: {empty}: no per-record lines (pool reads the lines of single records; the pooled \"ALL\" lines are not enough)", r.Stderr.Trim());
        Assert.Empty(r.Stdout);
    }

    /// <summary>The ranking lines: p(AF) ranks A against every other record, p(SR) ranks N against A and O (the noisy "~" out).</summary>
    [Fact]
    public void The_2017_rankings_are_the_AUROC_of_AF_for_A_and_of_SR_for_N_against_A_and_O()
    {
        ClassRecord R(string reference, double sr, double af) =>
            new(BenchmarkLines.Cinc2017, "physionet2017", $"r{sr}{af}{reference}", reference, ["N"], new Dictionary<string, double> { ["SR"] = sr, ["AF"] = af }, null);
        var records = new List<ClassRecord>
        {
            R("A", 0.1, 0.9), R("A", 0.2, 0.3),           // AF 0.3 below the O record's 0.4: one of the A-against-rest pairs wrong
            R("N", 0.9, 0.1), R("N", 0.4, 0.2),           // SR 0.4 below the O record's 0.5: one N-against-A/O pair wrong
            R("O", 0.5, 0.4), R("~", 0.95, 0.05),         // "~" ranks in A's AUROC (a negative) but not in N's
            new(BenchmarkLines.Cinc2017, "physionet2017", "none", "N", ["O"], new Dictionary<string, double>(), null),
        };
        var (a, n) = BenchmarkLines.Cinc2017Rankings(records);
        Assert.Equal(7.0 / 8, a, 6);   // 2 positives × 4 negatives (N, N, O, ~): 0.3 < 0.4 is the one miss
        Assert.Equal(5.0 / 6, n, 6);   // 2 positives × 3 negatives (A, A, O): 0.4 < 0.5 is the one miss
    }
}
