using System.IO.Pipelines;

namespace EcgStream.Ingest.Transports;

/// <summary>
/// A serial port through termios (System.IO.Ports is not available to us): opened with
/// O_NOCTTY, put in raw mode (cfmakeraw: no echo, no line editing, no CR/NL translation, 8 bits),
/// baud set with cfsetispeed/cfsetospeed, VMIN=1/VTIME=0 (a read returns as soon as one byte
/// is there), CLOCAL|CREAD so modem lines do not block. Exposes a <see cref="Stream"/> and a
/// <see cref="PipeReader"/>.
/// </summary>
public sealed unsafe class SerialPort : IDisposable
{
    private readonly FileDescriptorStream _stream;

    private SerialPort(FileDescriptorStream stream, SerialPortOptions options)
    {
        _stream = stream;
        Options = options;
    }

    public SerialPortOptions Options { get; }
    public Stream Stream => _stream;

    /// <summary>A pipe reader over the port (the decoder's input). Disposing the port ends it.</summary>
    public PipeReader CreateReader(int bufferSize = 4096) =>
        PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: bufferSize, leaveOpen: true));

    public static SerialPort Open(SerialPortOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Path);
        if (!Native.TryBaudCode(options.BaudRate, out uint speed))
            throw new ArgumentOutOfRangeException(nameof(options), options.BaudRate,
                $"{options.Path}: baud rate {options.BaudRate} is not supported by termios; use one of {string.Join(", ", Native.SupportedBauds)}");
        // O_NONBLOCK only for open(): a port whose carrier is down would block open() otherwise
        int fd = Native.Open(options.Path, Native.O_RDWR | Native.O_NOCTTY | Native.O_NONBLOCK | Native.O_CLOEXEC);
        if (fd < 0) throw Native.Error($"open serial port {options.Path}");
        try
        {
            Native.Termios t;
            if (Native.TcGetAttr(fd, &t) != 0) throw Native.Error($"{options.Path}: tcgetattr (not a terminal?)");
            Native.CfMakeRaw(&t);
            t.c_cflag |= Native.CLOCAL | Native.CREAD;
            if (options.TwoStopBits) t.c_cflag |= Native.CSTOPB; else t.c_cflag &= ~Native.CSTOPB;
            if (options.HardwareFlowControl) t.c_cflag |= Native.CRTSCTS; else t.c_cflag &= ~Native.CRTSCTS;
            t.c_cc[Native.VMIN] = 1;
            t.c_cc[Native.VTIME] = 0;
            if (Native.CfSetISpeed(&t, speed) != 0 || Native.CfSetOSpeed(&t, speed) != 0)
                throw Native.Error($"{options.Path}: cfsetspeed {options.BaudRate}");
            if (Native.TcSetAttr(fd, Native.TCSANOW, &t) != 0) throw Native.Error($"{options.Path}: tcsetattr");
            if (options.DiscardPendingInput) Native.TcFlush(fd, Native.TCIOFLUSH); // stale bytes of an earlier session
            int flags = Native.Fcntl(fd, Native.F_GETFL, 0);
            if (flags < 0 || Native.Fcntl(fd, Native.F_SETFL, flags & ~Native.O_NONBLOCK) < 0)
                throw Native.Error($"{options.Path}: fcntl");
        }
        catch
        {
            Native.Close(fd);
            throw;
        }
        return new SerialPort(new FileDescriptorStream(fd, options.Path), options);
    }

    /// <summary>The settings the kernel reports now (for diagnostics and tests).</summary>
    public SerialSettings ReadSettings()
    {
        Native.Termios t;
        if (Native.TcGetAttr(_stream.Handle, &t) != 0) throw Native.Error($"{Options.Path}: tcgetattr");
        uint code = Native.CfGetISpeed(&t);
        int baud = Array.Find(Native.SupportedBauds, b => Native.TryBaudCode(b, out uint c) && c == code);
        return new SerialSettings(baud, (t.c_lflag & Native.ICANON) != 0, (t.c_lflag & Native.ECHO) != 0, t.c_cc[Native.VMIN], t.c_cc[Native.VTIME]);
    }

    public void Dispose() => _stream.Dispose();
}

/// <summary>Termios state as read back from the kernel.</summary>
public readonly record struct SerialSettings(int BaudRate, bool Canonical, bool Echo, byte VMin, byte VTime);
