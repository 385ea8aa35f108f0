using EcgStream.Core.Leads;
using EcgStream.Synthetic;

namespace EcgStream.Cli.Tests;

/// <summary>Smaller inputs that were taken silently or reported in the library's words: refused or noted, naming the option.</summary>
public sealed class InputCheckTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ecgstream-input-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Bundled => Path.Combine(AppContext.BaseDirectory, "models", "ecgstream.onnx");

    private async Task AssertRefused(string message, params string[] args)
    {
        var r = await CliRunner.RunAsync(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(message, r.Stderr.Trim());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir));   // no run folder left by a refused run
    }

    [Theory]
    [InlineData("pretrain", "--steps", "0", "error: --steps 0 must be positive")]
    [InlineData("pretrain", "--warmup", "5000", "error: --warmup 5000 must be within 0…2999")]
    [InlineData("pretrain", "--batch", "5000", "error: --batch 5000: expected 1..1024")]
    [InlineData("probe", "--lr", "0", "error: --lr 0 must be positive")]
    [InlineData("probe", "--warmup", "500", "error: --warmup 500 must be within 0…499")]
    [InlineData("layers", "--batch", "0", "error: --batch 0 must be positive")]
    [InlineData("distill", "--dim", "7", "error: --dim 7 must be positive and even (sin-cos positions)")]
    [InlineData("distill", "--alpha", "2", "error: --alpha 2 must be within 0…1")]
    public async Task Training_settings_are_refused_naming_the_option_before_libtorch_starts(string command, string option, string value, string message)
    {
        var input = command switch { "distill" => "--teacher", "pretrain" => "--config", _ => "--encoder" };
        await AssertRefused(message, "train", command, "--out", Path.Combine(_dir, "run"), input, input == "--config" ? "tiny" : Bundled, option, value);
    }

    [Fact]
    public async Task Bench_models_refuses_more_leads_than_a_window_has() =>
        await AssertRefused("error: --leads '13,99': expected comma-separated whole numbers from 1 to 12", "bench", "models", "--model", Bundled, "--leads", "13,99");

    [Fact]
    public async Task Benchmark_refuses_a_negative_fold() =>
        await AssertRefused("error: --fold -3: expected 0 or more (fold-K of `benchmark folds`)", "benchmark", "--data-root", Path.GetTempPath(), "--model", "none", "--fold", "-3");

    [Fact]
    public async Task A_lead_mapping_needs_a_signal_name_and_one_the_record_lacks_is_noted()
    {
        await AssertRefused("error: --lead '=I': expected SIGNAL=LEAD with a signal name and LEAD one of I, II, III, aVR, aVL, aVF, V1..V6",
            "replay", Path.Combine(_dir, "nope"), "--lead", "=I");

        var sim = Simulator.Run(new Scenario { Seed = 3, SampleRate = 360, Leads = LeadSet.Of(Lead.I, Lead.II), Segments = [new ScenarioSegment("SR", 30, HeartRate: 70)] });
        var record = sim.WriteWfdb(_dir, "two");
        var r = await CliRunner.RunAsync("replay", record, "--model", "none", "--lead", "MLLL=I");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("note: lead mapping for 'MLLL' unused: no such signal (signals: I, II)", r.Stderr);
    }
}
