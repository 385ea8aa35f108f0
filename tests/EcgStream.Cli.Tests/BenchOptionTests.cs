namespace EcgStream.Cli.Tests;

/// <summary>`bench inference` and `bench train-step` refuse bad input in one line with exit code 2, before any model is built or run.</summary>
public sealed class BenchOptionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ecgstream-bench-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("--leads", "13", "error: --leads 13: expected 1..12")]
    [InlineData("--builtin", "bogus", "error: --builtin 'bogus': expected encoder, rule-like or tiny")]
    [InlineData("--provider", "bogus", "error: --provider 'bogus': expected cpu, cuda or tensorrt")]
    [InlineData("--batch", "1025", "error: --batch 1025: expected 1..1024")]
    [InlineData("--threads", "257", "error: --threads 257: expected 0..256")]
    [InlineData("--runs", "0", "error: --runs 0: expected 1..1000000")]
    public async Task Bench_inference_refuses_a_bad_option(string option, string value, string message)
    {
        var r = await CliRunner.RunAsync("bench", "inference", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(message, r.Stderr.Trim());
        Assert.Empty(r.Stdout);
    }

    [Fact]
    public async Task Bench_inference_names_a_model_it_cannot_read_or_a_path_it_cannot_write()
    {
        var missing = Path.Combine(_dir, "missing.onnx");
        var r = await CliRunner.RunAsync("bench", "inference", "--model", missing);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"error: --model '{missing}': no such file", r.Stderr.Trim());

        var random = Path.Combine(_dir, "random.onnx");
        File.WriteAllBytes(random, [.. Enumerable.Range(0, 512).Select(i => (byte)(i * 37 % 251))]);
        r = await CliRunner.RunAsync("bench", "inference", "--model", random);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: ", r.Stderr);
        Assert.Contains(random, r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));

        var folder = Directory.CreateDirectory(Path.Combine(_dir, "m.onnx")).FullName;
        r = await CliRunner.RunAsync("bench", "inference", "--builtin", "tiny", "--save-model", folder);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"error: --save-model '{folder}': a folder is in the way; expected a file", r.Stderr.Trim());

        r = await CliRunner.RunAsync("bench", "inference", "--model", random, "--builtin", "tiny");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: --builtin and --save-model choose and write a built-in model: leave them out with --model", r.Stderr.Trim());
    }

    [Theory]
    [InlineData("--batch", "1025", "error: --batch 1025: expected 1..1024")]
    [InlineData("--threads", "0", "error: --threads 0: expected 1..256")]
    [InlineData("--heads", "5", "error: --width 192 is not a multiple of --heads 5")]
    [InlineData("--tokens", "4096", "error: --batch 64 × --tokens 4096 × --width 192 = 50331648 values per activation: expected at most 16777216")]
    public async Task Bench_train_step_refuses_a_bad_option_before_libtorch_starts(string option, string value, string message)
    {
        var r = await CliRunner.RunAsync("bench", "train-step", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(message, r.Stderr.Trim());
    }
}
