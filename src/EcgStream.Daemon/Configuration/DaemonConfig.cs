namespace EcgStream.Daemon.Configuration;

/// <summary>The whole daemon configuration, validated (see <see cref="ConfigLoader"/> and docs/daemon.md).</summary>
public sealed record DaemonConfig
{
    /// <summary>Kestrel's listen URL. Loopback unless configured otherwise; port 0 picks a free port.</summary>
    public string Listen { get; init; } = "http://127.0.0.1:8370";
    /// <summary>ONNX model (contract v1 or v2) run beside the rules; null: rules only.</summary>
    public string? ModelPath { get; init; }
    /// <summary>Windows that may wait for the model across all beds (live: the oldest is dropped and counted).</summary>
    public int ModelQueue { get; init; } = 256;
    public IReadOnlyList<BedConfig> Beds { get; init; } = [];
    public SinksConfig Sinks { get; init; } = new();
    public HttpConfig Http { get; init; } = new();
    /// <summary>Metrics pushed to an OpenTelemetry collector besides /metrics; null (the default): none.</summary>
    public OtlpConfig? Otlp { get; init; }
    /// <summary>The daemon's part in a NATS JetStream cluster (docs/scale-out.md); null (the default): a daemon on its own.</summary>
    public ClusterConfig? Cluster { get; init; }
}

/// <summary>
/// What the daemon does in a cluster: <see cref="Central"/> has no beds and serves the cluster's events stream
/// through its own sinks; <see cref="Gateway"/> publishes its beds' sample blocks to the cluster for the workers.
/// </summary>
public enum ClusterRole { Central, Gateway }

/// <summary>The <c>cluster</c> section (docs/scale-out.md, "ecgstreamd roles").</summary>
public sealed record ClusterConfig
{
    public required ClusterRole Role { get; init; }
    /// <summary>Seed servers; loopback by default.</summary>
    public IReadOnlyList<string> Urls { get; init; } = ["nats://127.0.0.1:4222"];
    /// <summary>User and password, or <see cref="NkeySeed"/> (one of the two is required).</summary>
    public string User { get; init; } = "";
    /// <summary>From <c>cluster.password</c> (file or environment, never the command line) or <c>cluster.passwordFile</c>.</summary>
    public string Password { get; init; } = "";
    /// <summary>From <c>cluster.nkeySeedFile</c>: an nkey user seed instead of a user and password.</summary>
    public string? NkeySeed { get; init; }
    public string Site { get; init; } = "site1";
    /// <summary>Replicas of the streams, when this daemon is the first to create them.</summary>
    public int Replicas { get; init; } = 3;
    /// <summary>central: the durable consumer's name (one per central station).</summary>
    public string Consumer { get; init; } = "central";
    /// <summary>central: where a new consumer starts (an existing one resumes after its last acknowledgement).</summary>
    public EcgStream.Cluster.FeedStart Start { get; init; } = EcgStream.Cluster.FeedStart.New;
    /// <summary>gateway: blocks held while the cluster does not acknowledge (all beds together); beyond, dropped and counted.</summary>
    public int BufferBlocks { get; init; } = 50_000;

    /// <summary>The connection settings the cluster classes take.</summary>
    public EcgStream.Cluster.ClusterSettings Settings() => new()
    {
        Urls = Urls, User = User, Password = Password, NkeySeed = NkeySeed, Site = Site, Replicas = Replicas,
    };
}

public enum OtlpProtocol { Grpc, Http }

/// <summary>OTLP metrics export (see docs/daemon.md, Metrics).</summary>
public sealed record OtlpConfig
{
    /// <summary>gRPC: the collector (http://collector:4317); http: the full metrics URL (http://collector:4318/v1/metrics).</summary>
    public required Uri Endpoint { get; init; }
    public OtlpProtocol Protocol { get; init; } = OtlpProtocol.Grpc;
    public int IntervalSeconds { get; init; } = 10;
}

/// <summary>Access control of the HTTP surface (see <see cref="Http.AccessControl"/> and docs/daemon.md).</summary>
public sealed record HttpConfig
{
    /// <summary>The bearer token (at least 16 characters); null: read or generate <see cref="TokenFile"/>.</summary>
    public string? Token { get; init; }
    /// <summary>Where the token is kept (mode 0600); null: <c>$STATE_DIRECTORY/token</c> or <c>~/.local/state/ecgstreamd/token</c>.</summary>
    public string? TokenFile { get; init; }
    /// <summary>Names the Host header may carry (DNS rebinding defence). The listen address's host is added.</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = ["localhost", "127.0.0.1", "[::1]", "::1"];
    /// <summary>Origins besides the daemon's own that may call it from a browser (e.g. https://station.example).</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];
    /// <summary>Concurrent event-stream clients (/events, /ws); more are refused with 503 and counted.</summary>
    public int MaxClients { get; init; } = 16;
    /// <summary>
    /// How long an event-stream client may fall behind before it is disconnected and its slot freed: a write to it that
    /// takes longer, or a queue (<see cref="SinksConfig.ClientBuffer"/>) that overflowed and has not emptied since.
    /// </summary>
    public double SlowClientSeconds { get; init; } = DefaultSlowClientSeconds;

    public const double DefaultSlowClientSeconds = 10;
    /// <summary>Allow plain http on a non-loopback address (only behind a TLS-terminating proxy on the same host).</summary>
    public bool AllowInsecureRemote { get; init; }
    /// <summary>https: a PKCS#12 (.pfx) certificate Kestrel serves.</summary>
    public string? Certificate { get; init; }
    public string? CertificatePassword { get; init; }
}

/// <summary>One bed: a source and its pipeline's settings.</summary>
public sealed record BedConfig
{
    public required string Id { get; init; }
    public required SourceConfig Source { get; init; }
    /// <summary>Mains notch, 50 or 60 Hz; null for none.</summary>
    public int? Notch { get; init; }
    /// <summary>Seconds between model windows.</summary>
    public double Hop { get; init; } = 1.0;
    /// <summary>Seconds without samples (connected or not) after which SIGNAL_LOSS is raised.</summary>
    public double SignalLossSeconds { get; init; } = DefaultSignalLossSeconds;
    /// <summary>Longest gap (stream seconds) filled to keep the filters settled; a longer one restarts the stream state.</summary>
    public double MaxGapSeconds { get; init; } = EcgStream.Runtime.Pipeline.BedOptions.DefaultMaxGapFillSeconds;
    /// <summary>Directory for this bed's raw-sample recording (WFDB segments, see <see cref="Sinks.WfdbRecorder"/>); null: not recorded.</summary>
    public string? Record { get; init; }
    /// <summary>Length of one recorded segment, minutes.</summary>
    public double RecordSegmentMinutes { get; init; } = 60;
    /// <summary>ADC units per millivolt in the recording (format 16: 1000 stores 1 µV steps up to ±32.767 mV).</summary>
    public double RecordGain { get; init; } = 1000;
    /// <summary>How the bed's fused source (the one that alarms) combines rule and model evidence.</summary>
    public FusionConfig Fusion { get; init; } = new();

    public const double DefaultSignalLossSeconds = 4;
}

/// <summary>A bed's fused-source settings; defaults are the runtime's (<see cref="EcgStream.Runtime.Pipeline.BedOptions"/>).</summary>
public sealed record FusionConfig
{
    public double ModelConfidentEvidence { get; init; } = EcgStream.Runtime.Fusion.FusionOptions.Default.ModelConfidentEvidence;
    public double RuleConfidentEvidence { get; init; } = EcgStream.Runtime.Fusion.FusionOptions.Default.RuleConfidentEvidence;
    public double NotAgainstEvidence { get; init; } = EcgStream.Runtime.Fusion.FusionOptions.Default.NotAgainstEvidence;
    public double MinOnsetSeconds { get; init; } = EcgStream.Runtime.Pipeline.BedOptions.Default.FusedTracker.MinOnsetSeconds;
    public double MinOffsetSeconds { get; init; } = EcgStream.Runtime.Pipeline.BedOptions.Default.FusedTracker.MinOffsetSeconds;
    /// <summary>Evidence-seconds above 0.5 an AF onset needs besides <see cref="MinOnsetSeconds"/> (TrackerOptions.MinOnsetEvidence).</summary>
    public double AfOnsetEvidence { get; init; } = EcgStream.Runtime.Pipeline.BedOptions.Default.FusedTracker.MinOnsetEvidenceOf((int)EcgStream.Core.Rhythms.RhythmClass.AF);

    /// <summary>These settings applied to <paramref name="bed"/>.</summary>
    public EcgStream.Runtime.Pipeline.BedOptions ApplyTo(EcgStream.Runtime.Pipeline.BedOptions bed) => bed with
    {
        Fusion = bed.Fusion with { ModelConfidentEvidence = ModelConfidentEvidence, RuleConfidentEvidence = RuleConfidentEvidence, NotAgainstEvidence = NotAgainstEvidence },
        FusedTracker = bed.FusedTracker.WithMinOnsetEvidence(EcgStream.Core.Rhythms.RhythmClass.AF, AfOnsetEvidence) with
        {
            MinOnsetSeconds = MinOnsetSeconds, MinOffsetSeconds = MinOffsetSeconds,
        },
    };
}

public enum SourceKind { TcpClient, TcpServer, Serial, File, Synthetic, BleStdin }

/// <summary>Where a bed's samples come from. Which fields apply depends on <see cref="Kind"/>.</summary>
public sealed record SourceConfig
{
    public required SourceKind Kind { get; init; }
    /// <summary>tcp-client: host to connect to.</summary>
    public string Host { get; init; } = "127.0.0.1";
    /// <summary>tcp-client: port (1..65535); tcp-server: port to listen on (0: any free port).</summary>
    public int Port { get; init; }
    /// <summary>tcp-server: address to listen on (loopback by default; any other needs <see cref="AllowRemote"/>).</summary>
    public string Address { get; init; } = "127.0.0.1";
    /// <summary>
    /// tcp-server: allow a non-loopback <see cref="Address"/>. Off by default: the wire protocol has no credentials,
    /// so anyone who can reach the port can feed the bed or blank it.
    /// </summary>
    public bool AllowRemote { get; init; }
    /// <summary>serial: device path; file: recording path (WFDB header, EDF, .mat).</summary>
    public string? Path { get; init; }
    public int Baud { get; init; } = 230400;
    /// <summary>synthetic: a scenario file (JSON timeline); null: an endless random stream from <see cref="Seed"/>.</summary>
    public string? Scenario { get; init; }
    public int Seed { get; init; } = 1;
    /// <summary>file and synthetic: playback speed as a multiple of real time.</summary>
    public double Speed { get; init; } = 1.0;
    /// <summary>file and synthetic: start again at the end.</summary>
    public bool Loop { get; init; }
    /// <summary>ble-stdin: decoder of the notification records, "wire" (our frames) or "polar" (Polar H10 PMD ECG).</summary>
    public string Decoder { get; init; } = "wire";
    /// <summary>ble-stdin: the GATT handle to read (null: every handle).</summary>
    public int? Handle { get; init; }
    /// <summary>Reconnect backoff: first delay, and the ceiling it doubles up to (jittered ±20 %).</summary>
    public double ReconnectInitialSeconds { get; init; } = 0.5;
    public double ReconnectMaxSeconds { get; init; } = 30;
    /// <summary>
    /// Wire sources: a connection that delivers no samples for this long is closed and made again (tcp-client
    /// reconnects, serial reopens, tcp-server takes the next device), so a silent or half-open one cannot hold the bed.
    /// </summary>
    public double IdleSeconds { get; init; } = DefaultIdleSeconds;

    public const double DefaultIdleSeconds = 10;
}

/// <summary>Where events go.</summary>
public sealed record SinksConfig
{
    /// <summary>JSON lines: "stdout", a file path, or null for none.</summary>
    public string? Jsonl { get; init; }
    public bool Sse { get; init; } = true;
    public bool WebSocket { get; init; } = true;
    /// <summary>Messages each event-stream client may have queued; beyond it the oldest are dropped (and counted).</summary>
    public int ClientBuffer { get; init; } = 256;
    /// <summary>Directory for WFDB annotation files (BED.atr), or null for none.</summary>
    public string? Wfdb { get; init; }
    /// <summary>Seconds between rewrites of the annotation files (also written at shutdown).</summary>
    public double WfdbIntervalSeconds { get; init; } = 60;
    /// <summary>Samples per second per bed in the live view's strip stream (decimated lead).</summary>
    public int StripRate { get; init; } = 125;
}
