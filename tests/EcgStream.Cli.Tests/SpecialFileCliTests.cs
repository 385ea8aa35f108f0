using System.Diagnostics;

namespace EcgStream.Cli.Tests;

/// <summary>
/// A FIFO or a device given as a record is one error line naming it (exit 2), for every command that reads records: they
/// blocked for ever in open() (a FIFO) or read until memory ran out (/dev/zero). Each run has 30 s, so a regression fails.
/// </summary>
public sealed class SpecialFileCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ecgstream-special-").FullName;

    public void Dispose()
    {
        // a FIFO a reader still waits on is released before the folder goes (a read-write open does not block on Linux)
        foreach (var f in Directory.EnumerateFiles(_dir))
            try { new FileStream(f, FileMode.Open, FileAccess.ReadWrite).Dispose(); } catch (IOException) { }
        Directory.Delete(_dir, recursive: true);
    }

    private string MakeFifo(string name)
    {
        string path = Path.Combine(_dir, name);
        using var p = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return path;
    }

    private static string Problem(string kind) => $"not a regular file ({kind}): records are read by seeking in a file of known size; copy it to a file first";

    private static async Task AssertRefused(string message, params string[] args)
    {
        var r = await CliRunner.RunWithTimeoutAsync(TimeSpan.FromSeconds(30), args);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(message, r.Stderr.Trim());
        Assert.Empty(r.Stdout);
    }

    [Theory]
    [InlineData("replay")]
    [InlineData("classify")]
    [InlineData("evaluate")]
    public async Task A_record_whose_header_is_a_FIFO_is_one_error_line(string command)
    {
        string hea = MakeFifo("rec.hea");
        await AssertRefused($"error: {hea}: {Problem("a FIFO")}", command, Path.Combine(_dir, "rec"));
    }

    [Fact]
    public async Task A_model_split_scenario_or_benchmark_lines_file_that_is_a_FIFO_is_one_error_line()
    {
        string rec = EcgStream.Synthetic.Simulator.Run(new EcgStream.Synthetic.Scenario
        {
            Seed = 1, SampleRate = 250, Leads = EcgStream.Core.Leads.LeadSet.Of(EcgStream.Core.Leads.Lead.II),
            Segments = [new EcgStream.Synthetic.ScenarioSegment("SR", 20)],
        }).WriteWfdb(_dir, "sr");
        string model = MakeFifo("model.onnx");
        await AssertRefused($"error: {model}: not a regular file (a FIFO); a model is read from a file", "classify", rec, "--model", model);
        string split = MakeFifo("splits.json");
        await AssertRefused($"error: {split}: not a regular file (a FIFO)", "benchmark", "--data-root", _dir, "--split", split, "--datasets", "physionet2017");
        string scenario = MakeFifo("scenario.json");
        await AssertRefused($"error: scenario file {scenario}: not a regular file (a FIFO)", "simulate", "--scenario", scenario, "--out", Path.Combine(_dir, "sim"));
        string lines = MakeFifo("benchmark.jsonl");
        await AssertRefused($"error: {lines}: not a regular file (a FIFO)", "benchmark", "pool", lines);
    }

    /// <summary>The label tables inside a data root (each dataset's own) are refused as the files a command names are.</summary>
    [Theory]
    [InlineData("physionet2017", "physionet2017/REFERENCE.csv")]
    [InlineData("ptbxl", "ptbxl/ptbxl_database.csv")]
    [InlineData("cinc2021", "cinc2021/A0001.hea")]
    public async Task A_data_roots_label_table_that_is_a_FIFO_is_one_error_line(string dataset, string table)
    {
        Directory.CreateDirectory(Path.Combine(_dir, Path.GetDirectoryName(table)!));
        string fifo = MakeFifo(table);
        await AssertRefused($"error: {fifo}: not a regular file (a FIFO)", "benchmark", "--data-root", _dir, "--records", "all", "--datasets", dataset);
    }

    [Theory]
    [InlineData("replay")]
    [InlineData("classify")]
    [InlineData("evaluate")]
    public async Task An_EDF_path_that_leads_to_dev_zero_is_one_error_line(string command)
    {
        string edf = Path.Combine(_dir, "zero.edf");
        File.CreateSymbolicLink(edf, "/dev/zero");
        await AssertRefused($"error: {edf}: {Problem("a character device")}", command, edf);
    }
}
