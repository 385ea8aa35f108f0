using System.Diagnostics;

namespace EcgStream.Tests;

/// <summary>
/// Bounded waits on processes a test started. A test that waits without a bound on a child (or on the end of its output,
/// which a grandchild can hold open) hangs the whole suite instead of failing; these fail in one line that names it.
/// </summary>
public static class ChildProcesses
{
    /// <summary>Waits for <paramref name="process"/> to exit (and, if its output is read line by line, for that output to end).</summary>
    public static async Task WaitForExitAsync(Process process, TimeSpan limit, string what)
    {
        using var timeout = new CancellationTokenSource(limit);
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{what} (pid {process.Id}) had not exited {limit.TotalSeconds:F0} s later");
        }
    }

    /// <summary>
    /// Kills <paramref name="process"/> on dispose if it still runs: disposing a <see cref="Process"/> does not end it, and
    /// a device left by a failed test waits in accept() or on a full pty for ever. <c>using var _ = ChildProcesses.Killed(p);</c>
    /// </summary>
    public static IDisposable Killed(Process process) => new KillOnDispose(process);

    private sealed class KillOnDispose(Process process) : IDisposable
    {
        public void Dispose()
        {
            try { if (!process.HasExited) process.Kill(); } catch (InvalidOperationException) { } // never started or already reaped
        }
    }
}
