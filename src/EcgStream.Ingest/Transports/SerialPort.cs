using System.IO.Pipelines;
using Ports = System.IO.Ports;

namespace EcgStream.Ingest.Transports;

/// <summary>
/// A serial port on System.IO.Ports: 8 data bits, no parity, raw (System.IO.Ports sets the
/// terminal raw: no echo, no line editing, no CR/NL translation, a read returns as soon as one
/// byte is there), at the requested baud. Exposes a <see cref="Stream"/> and a
/// <see cref="PipeReader"/> for the frame decoder. When the device goes away (a USB adapter is
/// unplugged, a pty's other side closes) or the port is disposed, reads end the stream (0).
/// Modem lines (DTR, RTS, CTS…) are left alone: a pseudo-terminal has none, and System.IO.Ports
/// throws if they are touched on one.
/// </summary>
public sealed class SerialPort : IDisposable
{
    private readonly SerialPortStream _stream;

    private SerialPort(Ports.SerialPort port, SerialPortOptions options)
    {
        _stream = new SerialPortStream(port.BaseStream, options.Path, port); // the stream owns the port: disposing either closes it
        Options = options;
    }

    public SerialPortOptions Options { get; }

    /// <summary>The port's bytes; a read returns 0 once the port is closed or the device hung up.</summary>
    public Stream Stream => _stream;

    /// <summary>A pipe reader over the port (the decoder's input). Disposing the port ends it.</summary>
    public PipeReader CreateReader(int bufferSize = 4096) =>
        PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: bufferSize, leaveOpen: true));

    /// <summary>
    /// Opens the port. A port that cannot be opened is one <see cref="IOException"/> whose message
    /// names the port and the likely cause (absent, permission, in use, not a serial device).
    /// </summary>
    public static SerialPort Open(SerialPortOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Path);
        if (options.BaudRate <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.BaudRate,
                $"serial port {options.Path}: baud rate {options.BaudRate} must be positive");
        // System.IO.Ports reports an absent device as "access denied": look first, to say what is wrong
        // (a device node on Unix; Windows' COMn names are not files).
        if (!OperatingSystem.IsWindows() && !File.Exists(options.Path))
            throw new IOException($"serial port {options.Path}: no such device (is it plugged in? USB serial adapters appear as /dev/ttyUSB* or /dev/ttyACM*)");

        var port = new Ports.SerialPort(options.Path, options.BaudRate, Ports.Parity.None, 8,
            options.TwoStopBits ? Ports.StopBits.Two : Ports.StopBits.One)
        {
            Handshake = options.HardwareFlowControl ? Ports.Handshake.RequestToSend : Ports.Handshake.None,
            ReadTimeout = Ports.SerialPort.InfiniteTimeout,
            WriteTimeout = Ports.SerialPort.InfiniteTimeout,
        };
        try
        {
            port.Open();
            if (options.DiscardPendingInput) port.DiscardInBuffer(); // stale bytes of an earlier session
            return new SerialPort(port, options);
        }
        catch (UnauthorizedAccessException)
        {
            port.Dispose();
            // One message for the causes System.IO.Ports folds into "access denied" (open, lock or termios failed).
            string permission = "";
            if (!Environment.IsPrivilegedProcess && !OperatingSystem.IsWindows())
                permission = $"no read/write permission (mode {Convert.ToString((int)File.GetUnixFileMode(options.Path), 8)}; add the user to the device's group, usually 'dialout'), ";
            throw new IOException($"serial port {options.Path}: cannot open it: {permission}another program holds it, or it is not a serial device");
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException)
        {
            port.Dispose();
            throw new IOException($"serial port {options.Path}: {e.Message}", e);
        }
    }

    // the stream owns the port and closes it, once (disposing the port here too could race a dispose of the stream on
    // another thread through System.IO.Ports' close sequence)
    public void Dispose() => _stream.Dispose();
}
