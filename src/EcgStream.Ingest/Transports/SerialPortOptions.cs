namespace EcgStream.Ingest.Transports;

/// <summary>How to open a serial port (System.IO.Ports). 8 data bits, no parity; raw mode always.</summary>
/// <param name="Path">Device path, e.g. /dev/ttyUSB0, /dev/ttyACM0 or a pty slave.</param>
/// <param name="BaudRate">Bits per second, positive; the standard rates (1200 … 4 000 000) and, on Linux, others the
/// driver accepts. 12 leads int16 @ 500 Hz needs ≥ 230 400.</param>
/// <param name="TwoStopBits">Two stop bits instead of one.</param>
/// <param name="HardwareFlowControl">RTS/CTS handshake (the device must drive CTS).</param>
/// <param name="DiscardPendingInput">Discard bytes queued before the port was opened (stale data of a previous
/// session). Off for a pty whose writer started first and whose queued bytes are the stream's beginning.</param>
public sealed record SerialPortOptions(string Path, int BaudRate = 230400, bool TwoStopBits = false, bool HardwareFlowControl = false,
    bool DiscardPendingInput = true);
