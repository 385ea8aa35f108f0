using System.Text.Json;

namespace EcgStream.Cli.Tests;

/// <summary>`train quantize` input errors and `bench models` output (the commands of issue 12 that need no libtorch).</summary>
public class QuantizeCliTests
{
    private static string Bundled => Path.Combine(AppContext.BaseDirectory, "models", "ecgstream.onnx");

    [Fact]
    public async Task Quantize_names_a_missing_model_or_a_bad_method_in_one_line()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-model.onnx");
        var r = await CliRunner.RunAsync("train", "quantize", "--model", missing, "--out", "/tmp/x.onnx", "--run", "/tmp/x");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"error: model file {missing} does not exist", r.Stderr.Trim());

        r = await CliRunner.RunAsync("train", "quantize", "--model", Bundled, "--out", "/tmp/x.onnx", "--run", "/tmp/x", "--method", "kl");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: --method 'kl': expected minmax, percentile or best", r.Stderr.Trim());
    }

    [Fact]
    public async Task Bench_models_reports_every_model_relative_to_the_first()
    {
        var r = await CliRunner.RunAsync("bench", "models", "--model", Bundled, "--model", Bundled, "--leads", "1", "--runs", "2", "--warmup", "0", "--rounds", "1");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var results = JsonDocument.Parse(r.Stdout).RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(2, results.Count);
        Assert.Equal(1.0, results[0].GetProperty("relative_to_first").GetDouble());
        Assert.All(results, x => Assert.Equal("ecgstream-student-d64x2-pma-rr-2-int8", x.GetProperty("model_id").GetString()));
        Assert.All(results, x => Assert.True(x.GetProperty("cpu_ms_per_window").GetDouble() > 0));
    }
}

/// <summary>`bench beds`: concurrent beds through one scheduler; every window of every bed is accounted for.</summary>
public class BenchBedsCliTests
{
    [Fact]
    public async Task Every_beds_windows_are_scored_or_counted_as_dropped()
    {
        var model = Path.Combine(AppContext.BaseDirectory, "models", "ecgstream.onnx");
        var r = await CliRunner.RunAsync("bench", "beds", "--beds", "3", "--seconds", "12", "--speed", "20", "--model", model);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var j = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.Equal(3, j.GetProperty("beds").GetInt32());
        // 12 s of signal, 9 s windows every second: 4 windows per bed
        Assert.Equal(3 * 4, j.GetProperty("windows_scored").GetInt64() + j.GetProperty("windows_dropped").GetInt64());
        Assert.Equal("ecgstream-student-d64x2-pma-rr-2-int8", j.GetProperty("model").GetString());
        Assert.True(j.GetProperty("cpu_ms_per_bed_second").GetDouble() > 0);

        r = await CliRunner.RunAsync("bench", "beds", "--beds", "0");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: --beds 0: expected 1..10000", r.Stderr.Trim());
    }
}
