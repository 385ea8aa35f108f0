namespace EcgStream.Cli.Tests;

/// <summary>
/// Speeds and durations are bounded so their wall time is a time the runtime can wait for: refused in one line before a
/// replay or a demo starts (1e-300 overflowed a TimeSpan mid-run). A demo leaves no temporary folder behind.
/// </summary>
public sealed class TimeBoundTests : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("ecgstream-tmp-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    /// <summary>The child's temporary folder is ours, so what a demo leaves in it can be seen.</summary>
    private Task<CliRunner.Result> RunWithOwnTemp(params string[] args) =>
        CliRunner.RunWithEnvironmentAsync(new Dictionary<string, string?> { ["TMPDIR"] = _tmp }, args);

    [Theory]
    [InlineData("1e-300")]
    [InlineData("0.0001")]
    [InlineData("1e6")]
    public async Task Replay_refuses_a_speed_out_of_bounds(string speed)
    {
        var r = await CliRunner.RunAsync("replay", Path.Combine(_tmp, "nope"), "--speed", speed);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"error: --speed '{speed}': expected 1 (real time), a number from 0.001 to 100000, or 'max'", r.Stderr.Trim());
    }

    [Theory]
    [InlineData("--duration", "1e300", "error: --duration 1E+300: expected seconds above 0, at most 604800 (7 days)")]
    [InlineData("--duration", "0", "error: --duration 0: expected seconds above 0, at most 604800 (7 days)")]
    [InlineData("--speed", "1e-300", "error: --speed 1E-300: expected 0.001 to 1000")]
    public async Task Demo_refuses_a_time_out_of_bounds_before_it_starts_anything(string option, string value, string message)
    {
        var r = await RunWithOwnTemp("demo", "--port", "0", "--model", "none", "--in-process-device", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(message, r.Stderr.Trim());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_tmp));
    }

    [Fact]
    public async Task A_demo_removes_its_token_folder_at_exit()
    {
        var r = await RunWithOwnTemp("demo", "--port", "0", "--duration", "2", "--speed", "10", "--model", "none", "--in-process-device");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains(Path.Combine(_tmp, "ecgstream-demo-"), r.Stderr);   // the token was there while it ran
        Assert.Empty(Directory.EnumerateFileSystemEntries(_tmp));
    }
}
