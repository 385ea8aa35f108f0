using EcgStream.Core.Models;
using EcgStream.Onnx.Proto;

namespace EcgStream.Cli.Tests;

/// <summary>
/// A model file the training commands cannot use is refused in one line naming it, before libtorch starts or data loads;
/// so are quantize's options. A contract model's list of differences is printed as one line.
/// </summary>
public sealed class ModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ecgstream-models-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Bundled => Path.Combine(AppContext.BaseDirectory, "models", "ecgstream.onnx");

    private string Empty()
    {
        var path = Path.Combine(_dir, "empty.onnx");
        File.WriteAllBytes(path, []);   // parses as a model with no graph
        return path;
    }

    private string WithNanThresholds()
    {
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Bundled));
        var thresholds = proto.MetadataProps.Single(p => p.Key == ModelContract.Keys.Thresholds);
        thresholds.Value = string.Join(",", thresholds.Value.Split(',').Select(_ => "NaN"));
        var path = Path.Combine(_dir, "thr_nan.onnx");
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(proto));
        return path;
    }

    private async Task AssertRefused(string message, params string[] args)
    {
        var r = await CliRunner.RunAsync(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(message, r.Stderr.Trim());
        Assert.False(Directory.Exists(Path.Combine(_dir, "run")), "a refused run left a run folder");
    }

    [Fact]
    public async Task A_model_without_a_graph_is_named_before_libtorch_or_data()
    {
        var empty = Empty();
        await AssertRefused($"error: {empty}: not an ONNX model (it has no graph)", "train", "import-encoder", "--model", empty, "--out", Path.Combine(_dir, "e.safetensors"));
        await AssertRefused($"error: {empty}: not an ONNX model (it has no graph)",
            "train", "quantize", "--model", empty, "--out", Path.Combine(_dir, "q.onnx"), "--run", Path.Combine(_dir, "run"), "--data-root", _dir);
    }

    [Theory]
    [InlineData("--percentile", "NaN", "error: --percentile NaN: expected a value in (0, 100]")]
    [InlineData("--calibration", "0", "error: --calibration 0: expected 1..100000")]
    public async Task Quantize_checks_its_options_before_loading_data(string option, string value, string message) =>
        await AssertRefused(message, "train", "quantize", "--model", Bundled, "--out", Path.Combine(_dir, "q.onnx"), "--run", Path.Combine(_dir, "run"),
            "--data-root", _dir, option, value);

    [Fact]
    public async Task Thresholds_that_are_not_numbers_between_0_and_1_are_named_with_the_file()
    {
        var model = WithNanThresholds();
        await AssertRefused($"error: {model}: metadata ecgstream.thresholds has \"NaN\" for SR, not a number strictly between 0 and 1",
            "train", "thresholds", "--model", model, "--run", Path.Combine(_dir, "run"), "--data", "synthetic", "--windows", "64");

        // the contract check lists every difference: one line, each item after the heading
        var r = await CliRunner.RunAsync("classify", Path.Combine(_dir, "nope"), "--model", model);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.StartsWith($"error: --model '{model}': ", r.Stderr);
        Assert.Contains("does not follow model contract v2: metadata 'ecgstream.thresholds' has \"NaN\", a threshold must be a number strictly between 0 and 1; ", r.Stderr);
    }
}
