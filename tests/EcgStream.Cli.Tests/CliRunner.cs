using System.Diagnostics;

namespace EcgStream.Cli.Tests;

/// <summary>Runs the built `ecgstream` as a user would (a separate process), bounded in time.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Task<Result> RunAsync(params string[] args) => RunWithEnvironmentAsync(new Dictionary<string, string?>(), args);

    /// <summary>Runs with <paramref name="environment"/> set (null: removed) in the child's environment.</summary>
    public static Task<Result> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        RunAsync(environment, TimeSpan.FromMinutes(3), args);

    /// <summary>Runs with a shorter limit than the usual 3 minutes: for a command that must answer at once or was seen to hang.</summary>
    public static Task<Result> RunWithTimeoutAsync(TimeSpan timeout, params string[] args) =>
        RunAsync(new Dictionary<string, string?>(), timeout, args);

    private static async Task<Result> RunAsync(IReadOnlyDictionary<string, string?> environment, TimeSpan limit, string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ecgstream.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (key, value) in environment)
            if (value is null) psi.Environment.Remove(key); else psi.Environment[key] = value;
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try { await p.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"ecgstream {string.Join(' ', args)} did not finish in {limit.TotalSeconds} s");
        }
        // the output ends once every process holding the pipes has gone: a child left running by the command would keep
        // it open for ever, so that is a failure with its own message instead of a hung test
        try { await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(10)); }
        catch (TimeoutException)
        {
            throw new TimeoutException($"ecgstream {string.Join(' ', args)} exited, but its output was still open 10 s later (a process it started holds it)");
        }
        return new Result(p.ExitCode, await stdout, await stderr);
    }
}
