using System.Runtime.InteropServices;

namespace EcgStream.Cluster;

/// <summary>
/// The process that started this one (`ecgstream worker --parent-pid`, as vdev's option): a parent killed with SIGKILL
/// cannot stop its children, so a child looks once a second and ends itself. While the parent is this process's own
/// parent, being handed to another one says it has ended even while it is an unreaped zombie, and whatever process is
/// given its id later; a parent that is not (the id of a grandparent, say) has ended when no process has its id.
/// </summary>
public static partial class ParentProcess
{
    private const int ESRCH = 3;

    /// <summary>Whether a process with this id exists here (a zombie counts).</summary>
    public static bool Exists(int pid)
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("parent watching is implemented for Linux");
        return pid > 0 && (PosixSignals.Kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() != ESRCH);
    }

    /// <summary>
    /// Calls <paramref name="gone"/> once, on a timer thread, within about a second of process <paramref name="pid"/>
    /// ending. Dispose to stop watching.
    /// </summary>
    public static IDisposable Watch(int pid, Action gone)
    {
        ArgumentNullException.ThrowIfNull(gone);
        bool isParent = GetParentPid() == pid;
        int called = 0;
        Timer? timer = null;
        timer = new Timer(_ =>
        {
            bool ended = isParent ? GetParentPid() != pid : !Exists(pid);
            if (ended && Interlocked.Exchange(ref called, 1) == 0) { timer?.Dispose(); gone(); }
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        return timer;
    }

    [LibraryImport("libc", EntryPoint = "getppid")]
    private static partial int GetParentPid();
}
