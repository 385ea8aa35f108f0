using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EcgStream.Core.Leads;
using EcgStream.Ingest.Wire;
using EcgStream.Synthetic;

namespace EcgStream.Daemon.Demo;

/// <summary>
/// A virtual device in C# (the in-process stand-in for firmware-bridge's vdev): plays a synthetic
/// ECG as protocol-v1 frames to one TCP client at a time on loopback, paced to real time × speed.
/// Like vdev --tcp-listen, the stream goes on while no client is connected; frames made meanwhile
/// are lost, so a client that reconnects sees a sequence gap. <see cref="DropClient"/> and
/// <see cref="AcceptClients"/> inject disconnects; <see cref="WriteTicks"/> tells when a frame was
/// written (for latency measurements).
/// </summary>
public sealed class SimulatedWireDevice : IAsyncDisposable
{
    private const int TimestampRing = 1 << 16;
    private readonly SyntheticEcgStream _source;
    private readonly double _speed;
    private readonly int _spf;
    private readonly DeviceInfo _info;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly long[] _writeTicks = new long[TimestampRing];
    private readonly Lock _clientGate = new();
    private Socket? _client;
    private bool _needInfo;
    private Task? _acceptLoop, _frameLoop;

    public SimulatedWireDevice(SyntheticEcgStream source, double speed = 1, int samplesPerFrame = 10, uint gainNanovolts = 2500, int port = 0)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!(speed > 0)) throw new ArgumentOutOfRangeException(nameof(speed), speed, "speed must be positive");
        _source = source;
        _speed = speed;
        _spf = samplesPerFrame;
        _info = new DeviceInfo
        {
            SampleRateMilliHz = (uint)Math.Round(source.SampleRate * 1000),
            GainPicovolts = gainNanovolts * 1000,
            Leads = source.Leads,
            Format = SampleFormat.Int16,
            SamplesPerFrame = samplesPerFrame,
            DeviceId = 0xEC6,
            Firmware = "ecgstream-sim",
        };
        if (_info.Validate() is { } why) throw new ArgumentException($"device description invalid: {why}");
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        _listener.Listen(4);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;
    public DeviceInfo Info => _info;
    /// <summary>While false, connections are accepted and closed at once (the device is "away").</summary>
    public bool AcceptClients { get; set; } = true;
    public long FramesWritten => Interlocked.Read(ref _written);
    /// <summary>Frames made while no client was connected (lost, as on a real device).</summary>
    public long FramesUnsent => Interlocked.Read(ref _unsent);
    public long Connections => Interlocked.Read(ref _connections);
    public bool HasClient { get { lock (_clientGate) return _client is not null; } }
    /// <summary>Stream seconds generated so far.</summary>
    public double PositionSeconds => Volatile.Read(ref _positionSeconds);
    /// <summary>Completes when a finite scenario has been played out.</summary>
    public Task Completion => _frameLoop ?? Task.CompletedTask;

    private long _written, _unsent, _connections;
    private double _positionSeconds;

    public void Start()
    {
        _acceptLoop = Task.Run(AcceptLoop);
        _frameLoop = Task.Factory.StartNew(FrameLoop, TaskCreationOptions.LongRunning);
    }

    /// <summary>Stopwatch ticks at which frame <paramref name="sequence"/> was written (recent frames only; 0 if unknown).</summary>
    public long WriteTicks(uint sequence) => Volatile.Read(ref _writeTicks[sequence % TimestampRing]);

    /// <summary>Closes the current connection, as a cable pull would.</summary>
    public void DropClient()
    {
        lock (_clientGate)
        {
            _client?.Dispose();
            _client = null;
        }
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket s;
            try { s = await _listener.AcceptAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            if (!AcceptClients) { s.Dispose(); continue; }
            s.NoDelay = true;
            lock (_clientGate)
            {
                _client?.Dispose();
                _client = s;
                _needInfo = true;
            }
            Interlocked.Increment(ref _connections);
        }
    }

    private void FrameLoop()
    {
        int leads = _source.Leads.Count;
        var planar = new float[leads * _spf];
        var lsb = new int[leads * _spf];
        var frame = new byte[WireProtocol.MaxFrame];
        double lsbPerMv = 1.0 / _info.MillivoltsPerLsb;
        uint seq = 0;
        var clock = Stopwatch.StartNew();
        while (!_stop.IsCancellationRequested)
        {
            long start = _source.Position;
            int n = _source.Read(planar, _spf);
            if (n < _spf) break; // a finite scenario ended (a partial frame is not sent)
            for (int i = 0; i < n; i++)
                for (int p = 0; p < leads; p++)
                    lsb[i * leads + p] = (int)Math.Clamp(Math.Round(planar[p * n + i] * lsbPerMv), short.MinValue, short.MaxValue);
            uint micros = (uint)(start * 1_000_000L / (long)_source.SampleRate);
            int len = WireEncoder.EncodeData(_info, seq, micros, (ushort)(_source.LastLeadOff.Mask & WireProtocol.LeadMaskAll), lsb, frame);
            double due = _source.Position / _source.SampleRate / _speed;
            double wait = due - clock.Elapsed.TotalSeconds;
            if (wait > 0.002) Thread.Sleep(TimeSpan.FromSeconds(wait));
            Send(frame.AsSpan(0, len), seq);
            Volatile.Write(ref _positionSeconds, _source.PositionSeconds);
            seq++;
        }
    }

    private void Send(ReadOnlySpan<byte> data, uint seq)
    {
        lock (_clientGate)
        {
            if (_client is null) { _unsent++; return; }
            try
            {
                if (_needInfo)
                {
                    Span<byte> info = stackalloc byte[WireProtocol.Overhead + _info.InfoPayloadLength];
                    WireEncoder.EncodeInfo(_info, info);
                    _client.Send(info);
                    _needInfo = false;
                }
                Volatile.Write(ref _writeTicks[seq % TimestampRing], Stopwatch.GetTimestamp());
                _client.Send(data);
                _written++;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                _client.Dispose();
                _client = null;
                _unsent++;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        DropClient();
        if (_acceptLoop is not null) await _acceptLoop;
        if (_frameLoop is not null) await _frameLoop;
        _stop.Dispose();
    }
}
