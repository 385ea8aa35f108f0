using System.IO.Pipelines;
using EcgStream.Ingest.Tests.Support;
using EcgStream.Ingest.Transports;
using EcgStream.Ingest.Wire;

namespace EcgStream.Ingest.Tests.Transports;

/// <summary>Bytes through a real pty (System.IO.Ports reader) and real TCP sockets: nothing lost, everything in order.</summary>
// Pseudo-terminal tests run one at a time. In a full parallel run on a loaded machine (2026-11-21) two
// of them failed together — a pending read returned 16 bytes nobody wrote to its pty, and vdev's round
// trip missed one block of 2000 — and both pass alone (3 of 3). The cause is not found yet; until it
// is, they do not share the machine's pty allocator with each other.
[Collection(PtyCollection.Name)]
public class RoundTripTests
{
    private const int Frames = 3000; // 60 s of 12-lead signal at 500 Hz

    private static void AssertLossless(CheckingSink sink, WireDecoder decoder, int frames)
    {
        Assert.Null(sink.FirstError);
        Assert.Equal(Enumerable.Range(0, frames).Select(i => (uint)i), sink.Sequences);
        Assert.Empty(sink.Gaps);
        Assert.Equal((long)frames * 10 * 12, sink.Samples);
        Assert.Equal(0, decoder.Counters.BytesSkipped);
        Assert.Equal(0, decoder.Counters.CrcErrors);
    }

    [Fact]
    public async Task Pty_to_serial_port_loses_nothing()
    {
        using var pty = PseudoTerminal.Open();
        using var port = SerialPort.Open(new SerialPortOptions(pty.SlavePath, 921600));
        var device = new FakeDevice();
        var writer = Task.Run(() => device.Write(pty.Master, 0, Frames));
        var decoder = new WireDecoder(new WireDecoderOptions("pty"));
        var sink = new CheckingSink();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var reader = port.CreateReader();
        await foreach (var e in decoder.ReadEventsAsync(reader, cts.Token))
        {
            sink.OnEvent(e);
            if (e.Kind == IngestEventKind.Data && e.Sequence == Frames - 1) break;
        }
        await writer;
        AssertLossless(sink, decoder, Frames);
    }

    [Fact]
    public void Disposing_the_serial_stream_closes_the_port()
    {
        // The daemon keeps only the port's Stream; disposing it must release the device (review, session 21: each
        // connection left the tty open and claimed exclusive, so a non-root daemon could never reopen it)
        using var pty = PseudoTerminal.Open();
        int OpenOnSlave() => Directory.GetFiles("/proc/self/fd").Count(fd =>
        {
            try { return new FileInfo(fd).LinkTarget == pty.SlavePath; } catch (IOException) { return false; }
        });
        Assert.Equal(0, OpenOnSlave());
        var stream = SerialPort.Open(new SerialPortOptions(pty.SlavePath, 115200)).Stream;
        Assert.True(OpenOnSlave() > 0);
        stream.Dispose();
        Assert.Equal(0, OpenOnSlave());
        stream.Dispose();   // twice is harmless
    }

    [Fact]
    public void Serial_port_is_raw_at_the_requested_baud()
    {
        using var pty = PseudoTerminal.Open();
        using var port = SerialPort.Open(new SerialPortOptions(pty.SlavePath, 460800));
        // What the kernel holds now, read by stty (coreutils), not by the code under test.
        var stty = Stty(pty.SlavePath).Split([' ', '\n', ';'], StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["speed", "460800", "baud"], stty[..3]);
        Assert.Contains("-icanon", stty);                     // no line editing
        Assert.Contains("-echo", stty);                       // no echo
        Assert.Contains("-opost", stty);                      // no output translation
        Assert.Contains("-icrnl", stty);                      // no CR→NL on input
        Assert.Contains("cs8", stty);
        Assert.Contains("-parenb", stty);
        Assert.Contains("-cstopb", stty);
        Assert.Equal("1", stty[Array.IndexOf(stty, "min") + 2]);  // "min = 1": a read returns with one byte
        Assert.Equal("0", stty[Array.IndexOf(stty, "time") + 2]); // "time = 0": no inter-byte timer
    }

    private static string Stty(string device)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("stty", ["-F", device, "-a"]) { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return output;
    }

    [Fact]
    public void Serial_port_refuses_bad_baud_missing_device_and_non_serial_files_with_one_line()
    {
        var baud = Assert.Throws<ArgumentOutOfRangeException>(() => SerialPort.Open(new SerialPortOptions("/dev/null", 0)));
        Assert.StartsWith("serial port /dev/null: baud rate 0 must be positive", baud.Message);
        var missing = Assert.Throws<IOException>(() => SerialPort.Open(new SerialPortOptions("/dev/ttyNOPE9", 115200)));
        Assert.Equal("serial port /dev/ttyNOPE9: no such device (is it plugged in? USB serial adapters appear as /dev/ttyUSB* or /dev/ttyACM*)", missing.Message);
        // System.IO.Ports calls every open failure "access denied"; ours lists what it can be.
        var notTty = Assert.Throws<IOException>(() => SerialPort.Open(new SerialPortOptions("/dev/null", 115200)));
        string permission = "";
        if (!Environment.IsPrivilegedProcess && !OperatingSystem.IsWindows())
            permission = $"no read/write permission (mode {File.GetUnixFileMode("/dev/null")}; add the user to the device's group, usually 'dialout'), ";
        Assert.Equal($"serial port /dev/null: cannot open it: {permission}another program holds it, or it is not a serial device", notTty.Message);
    }

    [Fact]
    public async Task Two_stop_bits_and_rts_cts_reach_the_kernel_and_bytes_still_flow()
    {
        using var pty = PseudoTerminal.Open();
        using var port = SerialPort.Open(new SerialPortOptions(pty.SlavePath, 115200, TwoStopBits: true, HardwareFlowControl: true));
        var stty = Stty(pty.SlavePath).Split([' ', '\n', ';'], StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("cstopb", stty);
        Assert.Contains("crtscts", stty);
        pty.Master.Write([1, 2, 3]);
        var buf = new byte[3];
        await port.Stream.ReadExactlyAsync(buf).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(new byte[] { 1, 2, 3 }, buf);
    }

    [Fact]
    public async Task Pty_hang_up_ends_the_stream()
    {
        var pty = PseudoTerminal.Open();
        using var port = SerialPort.Open(new SerialPortOptions(pty.SlavePath, 115200));
        var device = new FakeDevice();
        device.Write(pty.Master, 0, 20);
        await Task.Delay(50);
        pty.Dispose(); // the device goes away
        var decoder = new WireDecoder();
        var sink = new CheckingSink();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await decoder.ReadAllAsync(port.CreateReader(), sink, cts.Token); // returns: EOF, not a hang
        Assert.True(sink.Sequences.Count <= 20);
        Assert.Null(sink.FirstError);
    }

    [Fact]
    public async Task Disposing_the_port_ends_a_pending_read()
    {
        using var pty = PseudoTerminal.Open();
        var port = SerialPort.Open(new SerialPortOptions(pty.SlavePath, 115200));
        var read = Task.Run(() => port.Stream.Read(new byte[16])); // nothing will come
        await Task.Delay(100);
        port.Dispose();
        Assert.Equal(0, await read.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Tcp_server_and_client_lose_nothing()
    {
        using var server = TcpServer.Start(new TcpServerOptions());
        Assert.True(System.Net.IPAddress.IsLoopback(server.LocalEndPoint.Address));
        var accept = server.AcceptAsync();
        var device = new FakeDevice();
        await using (var client = await TcpTransport.ConnectAsync(new TcpClientOptions("127.0.0.1", server.LocalEndPoint.Port)))
        {
            var decoderTask = Task.Run(async () =>
            {
                await using var conn = await accept;
                var decoder = new WireDecoder(new WireDecoderOptions("tcp"));
                var sink = new CheckingSink();
                await decoder.ReadAllAsync(PipeReader.Create(conn), sink);
                return (decoder, sink);
            });
            device.Write(client, 0, Frames);
            client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            var (d, s) = await decoderTask.WaitAsync(TimeSpan.FromSeconds(60));
            AssertLossless(s, d, Frames);
        }
    }

    [Fact]
    public async Task File_transport_replays_a_recorded_stream()
    {
        string path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, Vectors.Bytes("faults"));
            await using var stream = await TransportSpec.Parse("file:" + path).OpenAsync();
            var decoder = new WireDecoder();
            var r = new VectorRenderer();
            await decoder.ReadAllAsync(PipeReader.Create(stream), r);
            r.End(decoder.Counters);
            Assert.Equal(Vectors.Expected("faults"), r.Lines);
            var missing = await Assert.ThrowsAsync<IOException>(() => TransportSpec.Parse("file:/nonexistent/x.bin").OpenAsync());
            Assert.Contains("/nonexistent/x.bin", missing.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Transport_spec_parses_and_opens_tcp()
    {
        Assert.Equal(new TransportSpec.Serial(new SerialPortOptions("/dev/ttyUSB0", 115200)), TransportSpec.Parse("serial:/dev/ttyUSB0@115200"));
        Assert.Equal(new TransportSpec.File("-"), TransportSpec.Parse("-"));
        Assert.Equal(new TransportSpec.TcpListen(new TcpServerOptions(7000)), TransportSpec.Parse("tcp-listen:7000"));
        Assert.Contains("port \"x\"", Assert.Throws<FormatException>(() => TransportSpec.Parse("tcp:host:x")).Message);
        Assert.Contains("unknown scheme \"udp\"", Assert.Throws<FormatException>(() => TransportSpec.Parse("udp:1")).Message);

        using var server = TcpServer.Start(new TcpServerOptions());
        var accepted = server.AcceptAsync();
        await using var s = await TransportSpec.Parse($"tcp:127.0.0.1:{server.LocalEndPoint.Port}").OpenAsync();
        await using var peer = await accepted;
        s.Write([1, 2, 3]);
        var buf = new byte[3];
        await peer.ReadExactlyAsync(buf);
        Assert.Equal(new byte[] { 1, 2, 3 }, buf);
    }
}
