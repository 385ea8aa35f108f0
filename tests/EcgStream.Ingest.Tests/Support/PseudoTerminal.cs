using System.Runtime.InteropServices;
using System.Text;

namespace EcgStream.Ingest.Tests.Support;

/// <summary>
/// A pseudo-terminal pair (posix_openpt, grantpt, unlockpt, ptsname_r). The master is a stream
/// the "device" side writes; <see cref="SlavePath"/> is what <see cref="Transports.SerialPort"/> opens.
/// (System.IO.Ports opens a pty's slave but cannot create the pair, nor list it in GetPortNames.)
/// </summary>
public sealed unsafe class PseudoTerminal : IDisposable
{
    private PseudoTerminal(FileDescriptorStream master, string slavePath)
    {
        Master = master;
        SlavePath = slavePath;
    }

    public Stream Master { get; }
    public string SlavePath { get; }

    public static PseudoTerminal Open()
    {
        int fd = Native.PosixOpenPt(Native.O_RDWR | Native.O_NOCTTY | Native.O_CLOEXEC);
        if (fd < 0) throw Native.Error("posix_openpt");
        try
        {
            if (Native.GrantPt(fd) != 0) throw Native.Error("grantpt");
            if (Native.UnlockPt(fd) != 0) throw Native.Error("unlockpt");
            byte* buf = stackalloc byte[128];
            int rc = Native.PtsNameR(fd, buf, 128);
            if (rc != 0) throw new IOException($"ptsname_r: {Native.Describe(rc)}");
            string path = Marshal.PtrToStringUTF8((nint)buf) ?? throw new IOException("ptsname_r returned no name");
            return new PseudoTerminal(new FileDescriptorStream(fd, "pty master " + path), path);
        }
        catch
        {
            Native.Close(fd);
            throw;
        }
    }

    public void Dispose() => Master.Dispose();

    public override string ToString() => new StringBuilder("pty ").Append(SlavePath).ToString();
}
