using System.IO.Pipelines;
using EcgStream.Ingest.Tests.Support;
using EcgStream.Ingest.Transports;
using EcgStream.Ingest.Wire;

namespace EcgStream.Ingest.Tests.Transports;

/// <summary>Bytes through a real pty (termios reader) and real TCP sockets: nothing lost, everything in order.</summary>
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
    public async Task Pty_to_termios_reader_loses_nothing()
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
    public void Serial_port_is_raw_at_the_requested_baud()
    {
        using var pty = PseudoTerminal.Open();
        using var port = SerialPort.Open(new SerialPortOptions(pty.SlavePath, 460800));
        var s = port.ReadSettings();
        Assert.Equal(460800, s.BaudRate);
        Assert.False(s.Canonical);
        Assert.False(s.Echo);
        Assert.Equal(1, s.VMin);
        Assert.Equal(0, s.VTime);
    }

    [Fact]
    public void Serial_port_refuses_bad_baud_and_missing_device_with_clear_messages()
    {
        var baud = Assert.Throws<ArgumentOutOfRangeException>(() => SerialPort.Open(new SerialPortOptions("/dev/null", 12345)));
        Assert.Contains("baud rate 12345", baud.Message);
        var missing = Assert.Throws<IOException>(() => SerialPort.Open(new SerialPortOptions("/dev/ttyNOPE9", 115200)));
        Assert.Contains("/dev/ttyNOPE9", missing.Message);
        Assert.Contains("No such file", missing.Message);
        var notTty = Assert.Throws<IOException>(() => SerialPort.Open(new SerialPortOptions("/dev/null", 115200)));
        Assert.Contains("tcgetattr", notTty.Message);
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
