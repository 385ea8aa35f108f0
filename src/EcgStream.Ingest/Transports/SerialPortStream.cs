namespace EcgStream.Ingest.Transports;

/// <summary>
/// The stream of an open <see cref="SerialPort"/>: System.IO.Ports' own stream, except that the end
/// of the port is the end of the stream. System.IO.Ports closes its stream when the device hangs up
/// and then, like after our own Dispose, throws <see cref="ObjectDisposedException"/> from reads,
/// including one already waiting; a decoder wants a 0-byte read there, as from a socket.
/// <para>It owns the port: disposing the stream closes the port (its file descriptor and the exclusive
/// TIOCEXCL claim System.IO.Ports puts on the tty), so a caller that keeps only <see cref="SerialPort.Stream"/>
/// releases the device when it disposes it, and a pending read ends (0).</para>
/// </summary>
internal sealed class SerialPortStream(Stream port, string path, IDisposable owner) : Stream
{
    public override bool CanRead => port.CanRead;
    public override bool CanWrite => port.CanWrite;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException($"serial port {path} is not seekable");
    public override long Position
    {
        get => throw new NotSupportedException($"serial port {path} is not seekable");
        set => throw new NotSupportedException($"serial port {path} is not seekable");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try { return port.Read(buffer); }
        catch (ObjectDisposedException) { return 0; }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try { return await port.ReadAsync(buffer, cancellationToken).ConfigureAwait(false); }
        catch (ObjectDisposedException) { return 0; }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => port.Write(buffer, offset, count);
    public override void Write(ReadOnlySpan<byte> buffer) => port.Write(buffer);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        port.WriteAsync(buffer, cancellationToken);
    public override void Flush() => port.Flush();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException($"serial port {path} is not seekable");
    public override void SetLength(long value) => throw new NotSupportedException($"serial port {path} is not seekable");

    private int _disposed;

    protected override void Dispose(bool disposing)
    {
        // closing the port closes its stream too; a read already waiting ends with ObjectDisposedException (0 above)
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0) owner.Dispose();
        base.Dispose(disposing);
    }
}
