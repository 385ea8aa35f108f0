using System.Runtime.InteropServices;

namespace EcgStream.Ingest.Tests.Support;

/// <summary>
/// libc calls for the test side of a pseudo-terminal (Linux, glibc and musl; x64 and arm64 share these values).
/// System.IO.Ports opens a pty's slave like any serial port but cannot create one, so the tests do.
/// </summary>
internal static unsafe partial class Native
{
    private const string Libc = "libc";

    public const int O_RDWR = 0x2;
    public const int O_NOCTTY = 0x100;
    public const int O_CLOEXEC = 0x80000;
    public const short POLLIN = 0x1;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EIO = 5;
    public const int EBADF = 9;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int fd;
        public short events;
        public short revents;
    }

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);
    [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buf, nuint count);               // ssize_t read(int, void*, size_t)
    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buf, nuint count);
    [LibraryImport(Libc, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint nfds, int timeoutMs);        // int poll(struct pollfd*, nfds_t, int)
    [LibraryImport(Libc, EntryPoint = "posix_openpt", SetLastError = true)]
    public static partial int PosixOpenPt(int flags);
    [LibraryImport(Libc, EntryPoint = "grantpt", SetLastError = true)]
    public static partial int GrantPt(int fd);
    [LibraryImport(Libc, EntryPoint = "unlockpt", SetLastError = true)]
    public static partial int UnlockPt(int fd);
    [LibraryImport(Libc, EntryPoint = "ptsname_r", SetLastError = true)]
    public static partial int PtsNameR(int fd, byte* buf, nuint len);                // int ptsname_r(int, char*, size_t)
    [LibraryImport(Libc, EntryPoint = "strerror_r")]
    private static partial nint StrError(int errnum, byte* buf, nuint len);          // GNU: returns char*

    public static string Describe(int errno)
    {
        byte* buf = stackalloc byte[256];
        nint p = StrError(errno, buf, 256);
        return $"{Marshal.PtrToStringUTF8(p == 0 ? (nint)buf : p)} (errno {errno})";
    }

    public static IOException Error(string what) => new($"{what}: {Describe(Marshal.GetLastPInvokeError())}");
}
