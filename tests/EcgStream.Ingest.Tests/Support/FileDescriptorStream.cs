using System.Runtime.InteropServices;

namespace EcgStream.Ingest.Tests.Support;

/// <summary>
/// A <see cref="Stream"/> over a Unix file descriptor (tty, pty master). Reads wait with poll() in
/// short slices so cancellation and disposal are noticed; a hang-up (EIO, or read returning 0)
/// is the end of the stream. Owns the descriptor.
/// </summary>
public sealed unsafe class FileDescriptorStream : Stream
{
    private const int PollSliceMs = 50;
    private int _fd;
    private readonly string _name;

    internal FileDescriptorStream(int fd, string name)
    {
        _fd = fd;
        _name = name;
    }

    public override bool CanRead => _fd >= 0;
    public override bool CanWrite => _fd >= 0;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException($"{_name} is not seekable");
    public override long Position
    {
        get => throw new NotSupportedException($"{_name} is not seekable");
        set => throw new NotSupportedException($"{_name} is not seekable");
    }

    internal int Handle => _fd >= 0 ? _fd : throw new ObjectDisposedException(_name);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Read(buffer, CancellationToken.None);

    /// <summary>Blocks until at least one byte is available (or end of stream / cancellation).</summary>
    public int Read(Span<byte> buffer, CancellationToken cancellationToken)
    {
        if (buffer.IsEmpty) return 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int fd = _fd;
            if (fd < 0) return 0; // disposed while waiting: end of stream
            var pfd = new Native.PollFd { fd = fd, events = Native.POLLIN };
            int rc = Native.Poll(&pfd, 1, PollSliceMs);
            if (rc < 0)
            {
                if (Marshal.GetLastPInvokeError() == Native.EINTR) continue;
                throw Native.Error($"poll {_name}");
            }
            if (rc == 0) continue;
            fixed (byte* p = buffer)
            {
                nint n = Native.Read(fd, p, (nuint)buffer.Length);
                if (n > 0) return (int)n;
                if (n == 0) return 0;
                int errno = Marshal.GetLastPInvokeError();
                if (errno is Native.EINTR or Native.EAGAIN) continue;
                if (errno == Native.EIO) return 0; // the other side of a pty hung up
                if (errno == Native.EBADF && _fd < 0) return 0; // disposed by another thread while we waited
                throw new IOException($"read {_name}: {Native.Describe(errno)}");
            }
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // poll first: when bytes are waiting, no thread hop is needed
        if (_fd >= 0)
        {
            var pfd = new Native.PollFd { fd = _fd, events = Native.POLLIN };
            if (Native.Poll(&pfd, 1, 0) > 0) return new ValueTask<int>(Read(buffer.Span, cancellationToken));
        }
        return new ValueTask<int>(Task.Factory.StartNew(static s =>
        {
            var (self, mem, ct) = ((FileDescriptorStream, Memory<byte>, CancellationToken))s!;
            return self.Read(mem.Span, ct);
        }, (this, buffer, cancellationToken), cancellationToken, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            int done = 0;
            while (done < buffer.Length)
            {
                nint n = Native.Write(Handle, p + done, (nuint)(buffer.Length - done));
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Native.EINTR) continue;
                    if (errno == Native.EAGAIN)
                    {
                        var pfd = new Native.PollFd { fd = Handle, events = 0x4 /* POLLOUT */ };
                        Native.Poll(&pfd, 1, PollSliceMs);
                        continue;
                    }
                    throw new IOException($"write {_name}: {Native.Describe(errno)}");
                }
                done += (int)n;
            }
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span); // tty writes complete quickly or apply backpressure, like a blocking socket
        return ValueTask.CompletedTask;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException($"{_name} is not seekable");
    public override void SetLength(long value) => throw new NotSupportedException($"{_name} is not seekable");

    protected override void Dispose(bool disposing)
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0) Native.Close(fd);
        base.Dispose(disposing);
    }
}
