using EcgStream.Cli.Commands;

namespace EcgStream.Cli.Tests;

/// <summary>What a command's failure looks like on stderr: one line, and an exit code that tells bad input from a bug.</summary>
public sealed class CliErrorsTests
{
    private static async Task<(int Code, string Stderr)> Guarded(Func<Task<int>> body)
    {
        var saved = Console.Error;
        using var err = new StringWriter();
        Console.SetError(err);
        try { return (await CliErrors.Guard(body), err.ToString()); }
        finally { Console.SetError(saved); }
    }

    // Console.Error is the process's: a test running beside this one may write a line into the capture too
    private static string[] Lines(string stderr) => stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task Bad_input_is_one_line_and_exit_code_2()
    {
        var (code, stderr) = await Guarded(() => throw new InvalidDataException("f.csv: file is empty"));
        Assert.Equal(2, code);
        Assert.Contains("error: f.csv: file is empty", Lines(stderr));
    }

    [Fact]
    public async Task A_bug_is_one_line_without_a_stack_trace_and_exit_code_70()
    {
        var (code, stderr) = await Guarded(() => throw new IndexOutOfRangeException("Index was outside the bounds of the array."));
        Assert.Equal(CliErrors.InternalErrorExitCode, code);
        Assert.Contains("error: internal error (IndexOutOfRangeException: Index was outside the bounds of the array.); please report it with the command line that caused it",
            Lines(stderr));
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task Cancellation_is_not_turned_into_an_error_line()
    {
        await Assert.ThrowsAsync<OperationCanceledException>(() => Guarded(() => throw new OperationCanceledException()));
    }
}
