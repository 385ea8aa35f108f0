using System.Net;
using System.Net.Sockets;
using EcgStream.Core.Events;
using EcgStream.Core.Leads;
using EcgStream.Daemon.Beds;
using EcgStream.Daemon.Configuration;
using EcgStream.Daemon.Sources;
using EcgStream.Ingest.Wire;
using EcgStream.Runtime.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EcgStream.Daemon.Tests;

/// <summary>No connection holds a wire bed: a silent one times out, a newer device replaces an older connection, a taken port is retried.</summary>
public class WireSourceTests
{
    private static readonly DeviceInfo Info = new()
    {
        SampleRateMilliHz = 250_000, GainPicovolts = 1_000_000, Leads = LeadSet.Of(Lead.I, Lead.II), Format = SampleFormat.Int16, SamplesPerFrame = 5,
    };

    /// <summary>Log lines as the console would show them (message only).</summary>
    private sealed class ListLogger : ILogger
    {
        private readonly List<string> _lines = [];
        public List<string> Lines { get { lock (_lines) return [.. _lines]; } }
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines) _lines.Add(formatter(state, exception));
        }
    }

    /// <summary>A bed and its wire source running on their own, as the daemon runs them.</summary>
    private sealed class Running : IAsyncDisposable
    {
        public readonly ListLogger Log = new();
        public readonly List<RhythmEvent> Events = [];
        public readonly Bed Bed;
        public readonly WireSource Source;
        private readonly CancellationTokenSource _stop = new();
        public readonly Task Run;

        public Running(SourceConfig source)
        {
            Bed = new Bed(new BedConfig { Id = "wire-1", Source = source }, BedOptions.Default, null, e => { lock (Events) Events.Add(e); }, null, 125, NullLogger.Instance);
            Source = new WireSource(source, Log);
            Run = Task.Run(() => Source.RunAsync(Bed, _stop.Token));
        }

        public string Dump() => string.Join("\n", Log.Lines);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Run.WaitAsync(TimeSpan.FromSeconds(10));
            await Bed.CompleteAsync(TimeSpan.FromSeconds(10));
        }
    }

    private static async Task SendAsync(NetworkStream stream, uint from, uint count, bool info = true)
    {
        var frame = new byte[WireProtocol.MaxFrame];
        if (info) await stream.WriteAsync(frame.AsMemory(0, WireEncoder.EncodeInfo(Info, frame)));
        var samples = new int[10];
        for (uint seq = from; seq < from + count; seq++)
        {
            for (int i = 0; i < 10; i++) samples[i] = (int)(seq % 100) * 10 + i;
            await stream.WriteAsync(frame.AsMemory(0, WireEncoder.EncodeData(Info, seq, seq * 20_000, 0, samples, frame)));
        }
    }

    /// <summary>Waits until the daemon closes <paramref name="client"/> (a read returns 0 or the connection is reset).</summary>
    private static async Task ClosedByPeer(TcpClient client, string what)
    {
        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            while (await client.GetStream().ReadAsync(buffer, timeout.Token) > 0) { }
        }
        catch (IOException) { } // reset: closed too
        catch (OperationCanceledException) { throw new TimeoutException($"timed out waiting for the daemon to close {what}"); }
    }

    [Fact]
    public async Task A_new_device_connection_replaces_a_half_open_one_on_a_tcp_server_bed()
    {
        // the idle timeout is out of the way: only the replacement can free the bed
        await using var run = new Running(new SourceConfig { Kind = SourceKind.TcpServer, Port = 0, IdleSeconds = 3600 });
        await run.Source.Listening.WaitAsync(TimeSpan.FromSeconds(10));
        int port = run.Source.ListeningPort!.Value;
        using var old = new TcpClient(AddressFamily.InterNetwork);
        await old.ConnectAsync(IPAddress.Loopback, port);
        await SendAsync(old.GetStream(), 0, 10);
        await Support.Until(() => run.Bed.Samples == 50, TimeSpan.FromSeconds(10), "the first connection's 10 frames");

        // the device comes back on a new connection; the old one stays open and silent (half-open), quiet by now
        await Task.Delay(WireSource.StreamingWithin + TimeSpan.FromMilliseconds(500));
        using var device = new TcpClient(AddressFamily.InterNetwork);
        await device.ConnectAsync(IPAddress.Loopback, port);
        await SendAsync(device.GetStream(), 10, 50);
        await Support.Until(() => run.Bed.Samples == 300, TimeSpan.FromSeconds(20), "the new connection's 50 frames\n" + run.Dump());
        await ClosedByPeer(old, "the replaced connection");
        Assert.True(run.Bed.Connected);
        Assert.Equal(1, run.Bed.Reconnects);
        Assert.Equal(0, run.Bed.Ingest!.Gaps); // the device went on counting: nothing lost
        Assert.Contains($"bed wire-1: a new device connection from {device.Client.LocalEndPoint} replaces the quiet one from {old.Client.LocalEndPoint}, which is closed",
            run.Log.Lines);
    }

    [Fact]
    public async Task A_connection_that_arrives_while_the_device_streams_is_closed_and_the_device_stays()
    {
        await using var run = new Running(new SourceConfig { Kind = SourceKind.TcpServer, Port = 0, IdleSeconds = 3600 });
        await run.Source.Listening.WaitAsync(TimeSpan.FromSeconds(10));
        int port = run.Source.ListeningPort!.Value;
        using var device = new TcpClient(AddressFamily.InterNetwork);
        await device.ConnectAsync(IPAddress.Loopback, port);
        await SendAsync(device.GetStream(), 0, 10);
        await Support.Until(() => run.Bed.Samples == 50, TimeSpan.FromSeconds(10), "the device's first frames");

        // a health probe or a port scan connects and sends nothing while the device goes on streaming (a frame every
        // 50 ms, however slow the machine: the device is always within StreamingWithin of its last samples)
        using var stopSending = new CancellationTokenSource();
        uint sent = 10;
        var streaming = Task.Run(async () =>
        {
            while (!stopSending.IsCancellationRequested)
            {
                await SendAsync(device.GetStream(), sent, 1, info: false);
                sent++;
                await Task.Delay(50);
            }
        });
        using var probe = new TcpClient(AddressFamily.InterNetwork);
        await probe.ConnectAsync(IPAddress.Loopback, port);
        await ClosedByPeer(probe, "the probe");
        await stopSending.CancelAsync();
        await streaming;
        await Support.Until(() => run.Bed.Samples == 5L * sent, TimeSpan.FromSeconds(10), "every frame the device sent\n" + run.Dump());
        Assert.True(run.Bed.Connected);
        Assert.Equal(0, run.Bed.Reconnects);
        Assert.Contains($"bed wire-1: a connection from {probe.Client.LocalEndPoint} while the device streams: closed", run.Log.Lines);
    }

    [Fact]
    public async Task A_tcp_server_bed_closes_a_connection_that_sends_no_samples_and_takes_the_next_device()
    {
        await using var run = new Running(new SourceConfig { Kind = SourceKind.TcpServer, Port = 0, IdleSeconds = 1 });
        await run.Source.Listening.WaitAsync(TimeSpan.FromSeconds(10));
        int port = run.Source.ListeningPort!.Value;
        using var silent = new TcpClient();
        await silent.ConnectAsync(IPAddress.Loopback, port);
        await ClosedByPeer(silent, "the silent connection");
        await Support.Until(() => !run.Bed.Connected, TimeSpan.FromSeconds(10), "the bed to drop the silent connection");
        Assert.Contains("bed wire-1: no samples for 1 s; closing the connection", run.Log.Lines);
        Assert.Equal("no samples for 1 s; closing the connection", run.Bed.LastError);

        using var device = new TcpClient();
        await device.ConnectAsync(IPAddress.Loopback, port);
        await SendAsync(device.GetStream(), 0, 20);
        await Support.Until(() => run.Bed.Samples == 100, TimeSpan.FromSeconds(10), "the device's 20 frames");
        Assert.Null(run.Bed.LastError);
    }

    [Fact]
    public async Task A_connection_of_bytes_and_no_frame_is_closed_with_a_guess_at_why()
    {
        // review, session 21: 20 kB of a wrong baud rate read only as "no samples"
        await using var run = new Running(new SourceConfig { Kind = SourceKind.TcpServer, Port = 0, IdleSeconds = 1 });
        await run.Source.Listening.WaitAsync(TimeSpan.FromSeconds(10));
        using var garbage = new TcpClient();
        await garbage.ConnectAsync(IPAddress.Loopback, run.Source.ListeningPort!.Value);
        await garbage.GetStream().WriteAsync(Enumerable.Range(0, 300).Select(i => (byte)(i * 7 % 0xA0)).ToArray());   // never a sync byte
        await ClosedByPeer(garbage, "the connection of garbage");
        await Support.Until(() => !run.Bed.Connected, TimeSpan.FromSeconds(10), "the bed to drop the connection");
        Assert.Equal("no samples for 1 s (300 byte(s) received and not one valid frame: wrong baud rate, or not the EcgStream wire protocol?); closing the connection",
            run.Bed.LastError);
    }

    [Fact]
    public async Task A_tcp_client_bed_reconnects_when_its_connection_goes_silent()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        await using var run = new Running(new SourceConfig
        {
            Kind = SourceKind.TcpClient, Port = ((IPEndPoint)listener.LocalEndpoint).Port, IdleSeconds = 1, ReconnectInitialSeconds = 0.05, ReconnectMaxSeconds = 0.2,
        });
        using var first = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await SendAsync(first.GetStream(), 0, 10);
        await Support.Until(() => run.Bed.Samples == 50, TimeSpan.FromSeconds(10), "the first 10 frames");
        // the device stops sending but never closes: the bed closes and connects again
        await ClosedByPeer(first, "the silent connection");
        using var second = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await SendAsync(second.GetStream(), 10, 10, info: false);
        await Support.Until(() => run.Bed.Samples == 100, TimeSpan.FromSeconds(10), "the frames on the new connection\n" + run.Dump());
        Assert.Equal(1, run.Bed.Reconnects);
        Assert.Contains("bed wire-1: no samples for 1 s; closing the connection", run.Log.Lines);
    }

    [Fact]
    public async Task Clients_that_connect_and_close_do_not_push_the_device_out_by_the_reconnect_backoff()
    {
        // a backoff before accepting would hold the device off for 24 s or more after the first such client
        await using var run = new Running(new SourceConfig { Kind = SourceKind.TcpServer, Port = 0, ReconnectInitialSeconds = 30, ReconnectMaxSeconds = 60 });
        await run.Source.Listening.WaitAsync(TimeSpan.FromSeconds(10));
        int port = run.Source.ListeningPort!.Value;
        for (int i = 0; i < 5; i++)
        {
            using var probe = new TcpClient();
            await probe.ConnectAsync(IPAddress.Loopback, port); // a port scan or a health probe
        }
        using var device = new TcpClient();
        await device.ConnectAsync(IPAddress.Loopback, port);
        await SendAsync(device.GetStream(), 0, 20);
        await Support.Until(() => run.Bed.Samples == 100, TimeSpan.FromSeconds(15), "the device's 20 frames\n" + run.Dump());
    }

    [Fact]
    public async Task A_tcp_server_bed_whose_port_is_taken_shows_source_error_and_binds_once_the_port_is_free()
    {
        var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        int port = ((IPEndPoint)holder.LocalEndPoint!).Port;
        var config = new DaemonConfig
        {
            Beds = [new BedConfig { Id = "in-1", Source = new SourceConfig { Kind = SourceKind.TcpServer, Port = port, ReconnectInitialSeconds = 0.05, ReconnectMaxSeconds = 0.2 } }],
        };
        await using var host = await Support.StartAsync(config);
        var bed = host.Bed("in-1");
        await Support.Until(() => bed.State == "source_error", TimeSpan.FromSeconds(10), "source_error while the port is taken");
        Assert.Equal($"listen on 127.0.0.1:{port} failed: Address already in use", bed.LastError);
        using var http = Support.Client(host);
        Assert.Contains("\"state\":\"source_error\"", await http.GetStringAsync("beds"));

        holder.Dispose();
        var source = (WireSource)host.Source("in-1");
        await source.Listening.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("waiting", bed.State);
        Assert.Null(bed.LastError);
        using var device = new TcpClient();
        await device.ConnectAsync(IPAddress.Loopback, port);
        await SendAsync(device.GetStream(), 0, 20);
        await Support.Until(() => bed.Samples == 100, TimeSpan.FromSeconds(10), "the device's 20 frames");
        Assert.Equal("receiving", bed.State);
    }
}
