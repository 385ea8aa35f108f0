namespace EcgStream.Cli.Tests;

/// <summary>Options that size threads or buffers are bounded: a typo is refused in one line before anything is allocated or started.</summary>
public class OptionLimitTests
{
    private static string Missing => Path.Combine(Path.GetTempPath(), "ecgstream-no-such-record");

    [Theory]
    [InlineData("classify", "--threads", "257", "error: --threads 257: expected 1..256")]
    [InlineData("classify", "--threads", "0", "error: --threads 0: expected 1..256")]
    [InlineData("evaluate", "--threads", "100000", "error: --threads 100000: expected 1..256")]
    [InlineData("evaluate", "--max-batch", "1025", "error: --max-batch 1025: expected 1..1024")]
    [InlineData("evaluate", "--max-batch", "2147483647", "error: --max-batch 2147483647: expected 1..1024")]
    [InlineData("evaluate", "--max-batch", "0", "error: --max-batch 0: expected 1..1024")]
    public async Task Threads_and_batch_beyond_their_bounds_are_refused_in_one_line(string command, string option, string value, string message)
    {
        // the record does not exist: the options are checked first
        var r = await CliRunner.RunAsync(command, Missing, option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(message, r.Stderr.Trim());
        Assert.Empty(r.Stdout);
    }

    [Theory]
    [InlineData("100000000", "error: --beds 100000000: expected 1..10000")]
    [InlineData("10001", "error: --beds 10001: expected 1..10000")]
    [InlineData("-5", "error: --beds -5: expected 1..10000")]
    public async Task Bench_beds_refuses_a_bed_count_beyond_its_bound_before_it_builds_anything(string value, string message)
    {
        // 100 000 000 beds allocated pipeline state until the machine died
        var r = await CliRunner.RunAsync("bench", "beds", "--beds", value, "--model", "none");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(message, r.Stderr.Trim());
        Assert.Empty(r.Stdout);
    }

    [Theory]
    [InlineData("1001", "error: --beds 1001: expected 1..1000")]
    [InlineData("0", "error: --beds 0: expected 1..1000")]
    public async Task Bench_daemon_refuses_a_device_count_beyond_its_bound(string value, string message)
    {
        var r = await CliRunner.RunAsync("bench", "daemon", "--beds", value);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(message, r.Stderr.Trim());
        Assert.Empty(r.Stdout);
    }

    [Theory]
    [InlineData("100000000", "error: --folds 100000000: expected 2..200")]
    [InlineData("201", "error: --folds 201: expected 2..200")]
    [InlineData("1", "error: --folds 1: expected 2..200")]
    public async Task Benchmark_folds_refuses_a_fold_count_beyond_its_bound_before_it_reads_any_file(string value, string message)
    {
        // the split file and the data root do not exist: the count is checked first
        var r = await CliRunner.RunAsync("benchmark", "folds", "--split", Missing, "--data-root", Missing, "--out", Missing, "--folds", value);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(message, r.Stderr.Trim());
        Assert.Empty(r.Stdout);
        Assert.False(Directory.Exists(Missing));
    }

    [Fact]
    public async Task The_bounds_are_stated_in_help()
    {
        Assert.Contains("1..10000", (await CliRunner.RunAsync("bench", "beds", "--help")).Stdout);
        Assert.Contains("1..1000", (await CliRunner.RunAsync("bench", "daemon", "--help")).Stdout);
        Assert.Contains("2..200", (await CliRunner.RunAsync("benchmark", "folds", "--help")).Stdout);
    }

    [Fact]
    public async Task Replay_checks_its_options_before_it_opens_the_record()
    {
        var r = await CliRunner.RunAsync("replay", Missing, "--max-batch", "70000");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: --max-batch 70000: expected 1..1024", r.Stderr.Trim());
    }

    [Fact]
    public async Task Train_commands_bound_their_threads_before_reading_any_data()
    {
        var r = await CliRunner.RunAsync("train", "score", "--model", "x.onnx", "--run", Path.GetTempPath(), "--threads", "1000");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: --threads 1000: expected 1..256", r.Stderr.Trim());
    }

    [Fact]
    public async Task A_value_the_parser_cannot_read_is_one_line_with_exit_code_2()
    {
        var r = await CliRunner.RunAsync("replay", Missing, "--hop", "fast");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: Cannot parse argument 'fast' for option '--hop' as expected type 'System.Double'. (`ecgstream replay --help` lists the options)", r.Stderr.Trim());
        Assert.Empty(r.Stdout);   // not the whole help text
    }
}
