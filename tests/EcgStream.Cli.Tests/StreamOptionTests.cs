namespace EcgStream.Cli.Tests;

/// <summary>
/// --stream-id and --drop belong to replay, which honours them; the commands that measure the pipeline on whole records
/// (evaluate, benchmark, bench replay, bench beds) do not offer them, so they cannot be given and silently ignored.
/// </summary>
public sealed class StreamOptionTests
{
    private static string Missing => Path.Combine(Path.GetTempPath(), "ecgstream-no-such-record");

    [Theory]
    [InlineData("benchmark", "--drop", "0.5", "error: Unrecognized command or argument '--drop'. Unrecognized command or argument '0.5'. (`ecgstream benchmark --help` lists the options)")]
    [InlineData("bench beds", "--stream-id", "x", "error: Unrecognized command or argument '--stream-id'. Unrecognized command or argument 'x'. (`ecgstream bench beds --help` lists the options)")]
    [InlineData("evaluate REC", "--drop", "0.5", "error: '--drop': not an option of this command (see --help), nor a record")]
    [InlineData("bench replay REC", "--stream-id", "x", "error: '--stream-id': not an option of this command (see --help), nor a record")]
    public async Task Commands_that_would_ignore_them_refuse_them(string command, string option, string value, string message)
    {
        var args = command.Split(' ').Select(a => a == "REC" ? Missing : a).Concat([option, value, "--model", "none"]).ToArray();
        var r = await CliRunner.RunAsync(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(message, r.Stderr.Trim());
        Assert.Empty(r.Stdout);
    }

    [Theory]
    [InlineData("--drop", "NaN", "error: --drop NaN: expected a probability from 0 up to (not including) 1")]
    [InlineData("--drop", "-1", "error: --drop -1: expected a probability from 0 up to (not including) 1")]
    [InlineData("--drop", "1", "error: --drop 1: expected a probability from 0 up to (not including) 1")]
    [InlineData("--stream-id", "", "error: --stream-id '': expected a non-empty id")]
    public async Task Replay_refuses_a_bad_value_in_one_line_naming_the_option(string option, string value, string message)
    {
        var r = await CliRunner.RunAsync("replay", Missing, option, value, "--model", "none");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(message, r.Stderr.Trim());
    }
}
