using System.Runtime.InteropServices;

namespace EcgStream.Cluster;

/// <summary>A worker the demo started (a child process, or in-process in tests) and can kill, stall or stop.</summary>
public interface IWorkerHandle : IAsyncDisposable
{
    string Id { get; }
    /// <summary>Ends the worker at once (SIGKILL): no checkpoint, no lease handed back.</summary>
    void Kill();
    /// <summary>Stalls the worker (SIGSTOP) until <see cref="Resume"/>.</summary>
    void Suspend();
    void Resume();
    /// <summary>Asks the worker to stop gracefully (SIGTERM): it hands its beds back.</summary>
    Task StopAsync(TimeSpan timeout);
    /// <summary>CPU time the worker has used so far.</summary>
    TimeSpan CpuTime { get; }
}

/// <summary>POSIX signals to a child process (SIGSTOP/SIGCONT/SIGTERM have no .NET API).</summary>
public static partial class PosixSignals
{
    public const int SIGTERM = 15, SIGCONT = 18, SIGSTOP = 19;

    public static void Send(int pid, int signal)
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("process signals are implemented for Linux");
        if (Kill(pid, signal) != 0) throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>kill(2); signal 0 only asks whether the process exists (<see cref="ParentProcess.Exists"/>).</summary>
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);
}
