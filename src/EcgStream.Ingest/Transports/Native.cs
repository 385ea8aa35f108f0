using System.Runtime.InteropServices;

namespace EcgStream.Ingest.Transports;

/// <summary>libc calls for serial ports and pseudo-terminals (Linux, glibc and musl; x64 and arm64 share these values).</summary>
internal static unsafe partial class Native
{
    private const string Libc = "libc";

    public const int O_RDWR = 0x2;
    public const int O_NOCTTY = 0x100;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const int F_SETFL = 4;
    public const int F_GETFL = 3;
    public const short POLLIN = 0x1;
    public const short POLLERR = 0x8;
    public const short POLLHUP = 0x10;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EIO = 5;
    public const int EBADF = 9;
    public const int TCSANOW = 0;
    public const int TCIOFLUSH = 2;
    public const int VTIME = 5;
    public const int VMIN = 6;
    public const uint CLOCAL = 0x800;
    public const uint CREAD = 0x80;
    public const uint CRTSCTS = 0x80000000;
    public const uint CSTOPB = 0x40;
    public const uint ICANON = 0x2;
    public const uint ECHO = 0x8;

    /// <summary>struct termios of Linux (60 bytes): c_iflag, c_oflag, c_cflag, c_lflag, c_line, c_cc[32], c_ispeed, c_ospeed.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Termios
    {
        public uint c_iflag;
        public uint c_oflag;
        public uint c_cflag;
        public uint c_lflag;
        public byte c_line;
        public fixed byte c_cc[32];
        public uint c_ispeed;
        public uint c_ospeed;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int fd;
        public short events;
        public short revents;
    }

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);                         // int open(const char*, int)
    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);
    [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buf, nuint count);               // ssize_t read(int, void*, size_t)
    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buf, nuint count);
    [LibraryImport(Libc, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint nfds, int timeoutMs);        // int poll(struct pollfd*, nfds_t, int)
    [LibraryImport(Libc, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int cmd, int arg);
    [LibraryImport(Libc, EntryPoint = "tcgetattr", SetLastError = true)]
    public static partial int TcGetAttr(int fd, Termios* t);
    [LibraryImport(Libc, EntryPoint = "tcsetattr", SetLastError = true)]
    public static partial int TcSetAttr(int fd, int optionalActions, Termios* t);
    [LibraryImport(Libc, EntryPoint = "cfmakeraw")]
    public static partial void CfMakeRaw(Termios* t);
    [LibraryImport(Libc, EntryPoint = "cfsetispeed", SetLastError = true)]
    public static partial int CfSetISpeed(Termios* t, uint speed);
    [LibraryImport(Libc, EntryPoint = "cfsetospeed", SetLastError = true)]
    public static partial int CfSetOSpeed(Termios* t, uint speed);
    [LibraryImport(Libc, EntryPoint = "cfgetispeed")]
    public static partial uint CfGetISpeed(Termios* t);
    [LibraryImport(Libc, EntryPoint = "tcflush", SetLastError = true)]
    public static partial int TcFlush(int fd, int queue);
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

    /// <summary>The termios speed constant for a baud rate (glibc wants the B* codes, not numbers).</summary>
    public static bool TryBaudCode(int baud, out uint code)
    {
        code = baud switch
        {
            1200 => 9, 2400 => 11, 4800 => 12, 9600 => 13, 19200 => 14, 38400 => 15,
            57600 => 0x1001, 115200 => 0x1002, 230400 => 0x1003, 460800 => 0x1004, 500000 => 0x1005,
            576000 => 0x1006, 921600 => 0x1007, 1000000 => 0x1008, 1152000 => 0x1009, 1500000 => 0x100A,
            2000000 => 0x100B, 2500000 => 0x100C, 3000000 => 0x100D, 3500000 => 0x100E, 4000000 => 0x100F,
            _ => 0,
        };
        return code != 0;
    }

    public static readonly int[] SupportedBauds =
        [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 500000, 576000, 921600, 1000000,
         1152000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000];
}
