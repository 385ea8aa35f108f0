using EcgStream.Core.Models;
using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using EcgStream.Cluster;
using EcgStream.Core.Events;
using EcgStream.Core.Tasks;
using EcgStream.Daemon.Beds;
using EcgStream.Daemon.Configuration;
using EcgStream.Daemon.Http;
using EcgStream.Daemon.Metrics;
using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using EcgStream.Daemon.Sinks;
using EcgStream.Daemon.Sources;
using EcgStream.Daemon.Streams;
using EcgStream.Inference;
using EcgStream.Runtime.Inference;
using EcgStream.Runtime.Pipeline;
using EcgStream.Runtime.Sinks;
using EcgStream.Signal.Pipeline;
using EcgStream.Signal.Preprocessing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EcgStream.Daemon;

/// <summary>
/// The daemon, ready to start: beds (source → pipeline), sinks, and the HTTP server. Used by
/// <c>ecgstreamd</c>, by <c>ecgstream demo</c> and by tests, in-process.
/// <code>
/// await using var host = DaemonHost.Build(ConfigLoader.Load(args));
/// await host.StartAsync();            // binds HTTP, starts every bed's source
/// await host.WaitForShutdownAsync();  // SIGTERM / Ctrl-C, or StopAsync from elsewhere
/// </code>
/// Shutdown order: sources stop, pipelines complete (open episodes are closed and their offsets
/// emitted), sinks flush (JSON lines, WFDB annotations), event streams end, HTTP stops.
/// </summary>
public sealed class DaemonHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DaemonHostOptions _options;
    private readonly ILogger _log;
    private readonly JsonLinesSink? _jsonl;
    private readonly WfdbAnnotationSink? _wfdb;

    /// <summary>Concurrent HTTP connections (and upgraded WebSocket ones) Kestrel accepts; the event-stream clients are capped lower by http.maxClients.</summary>
    public const int MaxHttpConnections = 1024;
    private readonly IWindowClassifier? _classifier;
    private readonly List<(Bed Bed, IBedSource Source)> _beds = [];
    private readonly CancellationTokenSource _stopSources = new();
    private readonly Stopwatch _uptime = new();
    private Task[] _sourceTasks = [];
    private Timer? _wfdbTimer;
    private Timer? _signalWatch;
    private int _stopped;
    private readonly string _tokenOrigin;
    private readonly CancellationTokenSource _stopFeed = new();
    private Task _feedTask = Task.CompletedTask;

    private DaemonHost(DaemonConfig config, DaemonHostOptions options)
    {
        Config = config;
        _options = options;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "ecgstreamd", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        // provider-specific rules win over general ones, so every rule names the console provider
        builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(null, options.MinimumLogLevel);
        builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>("Microsoft", LogLevel.Warning);
        // a failed start (an address in use) is reported by the caller in one line, not as a stack trace
        builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
        if (!options.HandleSignals) builder.Services.AddSingleton<IHostLifetime, InProcessLifetime>();
        builder.WebHost.UseUrls(config.Listen);
        // an unbounded number of idle connections exhausted the process's file descriptors and its memory (any local
        // process could stop every bed): clients beyond these are refused, the beds go on
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxConcurrentConnections = MaxHttpConnections;
            k.Limits.MaxConcurrentUpgradedConnections = MaxHttpConnections;
        });
        if (config.Http.Certificate is { } certificate)
            builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(h =>
                h.ServerCertificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(certificate, config.Http.CertificatePassword)));
        if (options.HttpSocketSendBuffer is { } sendBuffer)
            builder.WebHost.UseSockets(o => o.CreateBoundListenSocket = ep =>
            {
                var s = SocketTransportOptions.CreateDefaultBoundListenSocket(ep);
                s.SendBufferSize = sendBuffer; // accepted sockets inherit it
                return s;
            });
        builder.Services.AddHostedService(_ => new Lifecycle(this));
        Metrics = new DaemonMetrics(() => Beds, () => Hub, () => Model, () => Feed, () => Gateway);
        AddOpenTelemetry(builder.Services, config, Metrics.Meter);
        _app = builder.Build();
        _log = _app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ecgstreamd");

        var (token, tokenOrigin) = Named("http.tokenFile", config.Http.TokenFile ?? AccessControl.DefaultTokenFile(), () => AccessControl.LoadOrCreateToken(config.Http));
        Access = new AccessControl(token, config.Http, Metrics);
        _tokenOrigin = tokenOrigin;
        Hub = new EventHub(config.Sinks.ClientBuffer);
        if (config.ModelPath is { } modelPath)
        {
            _classifier = LoadModel(modelPath);
            Model = new InferenceScheduler(_classifier, new SchedulerOptions
            {
                Policy = QueueFullPolicy.DropOldest, QueueCapacity = config.ModelQueue, EndToEndSeconds = Metrics.InferenceLatency,
            });
        }
        if (config.Sinks.Jsonl is { } jsonl)
            _jsonl = jsonl == "stdout"
                ? new JsonLinesSink(options.Stdout ?? Console.OpenStandardOutput(), ownsStream: false)
                : new JsonLinesSink(Named("sinks.jsonl", jsonl, () => new FileStream(jsonl, FileMode.Append, FileAccess.Write, FileShare.Read)), ownsStream: true);
        if (config.Sinks.Wfdb is { } dir) _wfdb = Named("sinks.wfdb", dir, () => { EcgStream.Formats.WritableFolders.Prove(dir); return new WfdbAnnotationSink(dir, EventSource.Fused); });
        // one id per process start, stamped on every event: runs appended to one file stay apart
        RunId = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture) + "-" +
            Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));

        var loggerFactory = _app.Services.GetRequiredService<ILoggerFactory>();
        if (config.Cluster is { } cluster)
        {
            var clusterLog = loggerFactory.CreateLogger("ecgstreamd.cluster");
            void Say(string line) => clusterLog.LogInformation("{Line}", line);
            try
            {
                if (cluster.Role == ClusterRole.Central)
                    Feed = new EventFeed(cluster.Settings(), new EventFeedOptions { Consumer = cluster.Consumer, Start = cluster.Start }, Say);
                else
                    // the buffer is split between the lanes and a bed uses one: no more lanes than beds, so one bed gets all of it
                    Gateway = new BedGateway(cluster.Settings(), new GatewayOptions
                    {
                        BufferBlocks = cluster.BufferBlocks, Lanes = Math.Clamp(config.Beds.Count, 1, 8), Name = "ecgstreamd-gateway", ContinueStreams = true,
                    }, Say);
            }
            catch (ClusterConfigException e) { throw new ArgumentException(e.Message, e); } // one line, exit 2 (DaemonMain)
        }
        bool strips = config.Sinks.Sse || config.Sinks.WebSocket;
        foreach (var (bc, index) in config.Beds.Select((b, i) => (b, i)))
        {
            var source = bc.Source.Kind == SourceKind.BleStdin
                ? new BleStdinSource(bc.Source, options.Stdin, loggerFactory.CreateLogger("ecgstreamd.bed"))
                : BedSources.Create(bc.Source, loggerFactory.CreateLogger("ecgstreamd.bed"));
            Bed? bed = null;
            bed = new Bed(bc, BedOptionsOf(bc), Model, e => Route(bed!.Id, bed.SampleRate, e), strips ? Hub.Publish : null, config.Sinks.StripRate,
                loggerFactory.CreateLogger("ecgstreamd.bed")) {
                    SourceDescription = source.Description,
                    RunId = RunId,
                    Metrics = Metrics,
                    Gateway = Gateway,
                    Recorder = bc.Record is { } rec
                        ? Named($"beds[{index}].record", rec, () => new WfdbRecorder(rec, bc.Id, RunId[..RunId.IndexOf('-')], bc.RecordSegmentMinutes * 60, bc.RecordGain, bc.MaxGapSeconds))
                        : null,
                };
            _beds.Add((bed, source));
        }
        Endpoints.Map(_app, this);
    }

    /// <summary>
    /// The metrics pipeline: this host's Meter, read by OpenTelemetry for the Prometheus scrape
    /// endpoint (/metrics, mapped in <see cref="Endpoints"/>) and, when <c>otlp</c> is configured,
    /// pushed to an OTLP collector.
    /// </summary>
    private static void AddOpenTelemetry(IServiceCollection services, DaemonConfig config, Meter meter)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("ecgstreamd", serviceVersion: typeof(DaemonHost).Assembly.GetName().Version?.ToString(3)))
            .WithMetrics(m =>
            {
                m.AddMeter(DaemonMetrics.MeterName)
                    // only this host's Meter: another DaemonHost in the same process (tests, `ecgstream demo`)
                    // has its own Meter of the same name, whose series must not appear here
                    .AddView(i => ReferenceEquals(i.Meter, meter) ? null : MetricStreamConfiguration.Drop)
                    // no cached answer: a scrape right after an event sees it
                    .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                if (config.Otlp is { } otlp)
                    m.AddOtlpExporter((e, reader) =>
                    {
                        e.Endpoint = otlp.Endpoint;
                        e.Protocol = otlp.Protocol == OtlpProtocol.Grpc ? OpenTelemetry.Exporter.OtlpExportProtocol.Grpc
                            : OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf;
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = otlp.IntervalSeconds * 1000;
                    });
            });
    }

    public static DaemonHost Build(DaemonConfig config, DaemonHostOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new DaemonHost(config, options ?? new DaemonHostOptions());
    }

    public DaemonConfig Config { get; }
    public IReadOnlyList<Bed> Beds => _beds.Select(b => b.Bed).ToList();
    public EventHub Hub { get; }
    /// <summary>This host's instruments (Meter "EcgStream"), exported on /metrics and over OTLP when configured.</summary>
    public DaemonMetrics Metrics { get; }
    /// <summary>This run's id (UTC start time and a random suffix), on every event.</summary>
    public string RunId { get; }
    /// <summary>Token, Host, Origin and client checks of the HTTP surface.</summary>
    public AccessControl Access { get; }
    /// <summary>The shared model stage (all beds, DropOldest), or null when running on the rules alone.</summary>
    public InferenceScheduler? Model { get; }
    /// <summary>cluster.role central: the events stream's durable consumer feeding the sinks; null otherwise.</summary>
    public EventFeed? Feed { get; }
    /// <summary>cluster.role gateway: publishes every bed's blocks to the cluster; null otherwise.</summary>
    public BedGateway? Gateway { get; }
    public TimeSpan Uptime => _uptime.Elapsed;
    /// <summary>The daemon's own log ("ecgstreamd"), for the HTTP surface.</summary>
    internal ILogger Log => _log;
    public IHostApplicationLifetime Lifetime => _app.Lifetime;

    /// <summary>The bound HTTP address (the real port when configured as 0); valid after <see cref="StartAsync"/>.</summary>
    public Uri Address => new(_app.Urls.First());

    public Bed Bed(string id) => _beds.First(b => b.Bed.Id == id).Bed;
    public IBedSource Source(string id) => _beds.First(b => b.Bed.Id == id).Source;

    public Task StartAsync(CancellationToken cancellationToken = default) => _app.StartAsync(cancellationToken);

    /// <summary>Graceful stop: see the class summary.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _stopped) == 0)
        {
            try { await StopAsync(); } catch (ObjectDisposedException) { }
            // a host built but never started: its cluster connection and gateway lanes still need closing
            await StopBedsAsync(CancellationToken.None);
        }
        await _app.DisposeAsync();
        Metrics.Dispose();
        _stopSources.Dispose();
        _stopFeed.Dispose();
    }

    /// <summary>
    /// Opens what a configuration key names; a failure says which key and path, in one line
    /// (the runtime's own message, "Access to the path '/tmp' is denied.", names neither).
    /// </summary>
    /// <summary>
    /// Creates <paramref name="dir"/> if needed and writes and deletes a file in it, so a directory the daemon cannot
    /// write fails the start instead of every later flush (the annotations would all be lost behind a log line).
    /// </summary>
    private static T Named<T>(string key, string path, Func<T> open)
    {
        try { return open(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{key}: \"{path}\": {e.Message}", e);
        }
    }

    /// <summary>
    /// The model-load boundary: a file that is not a usable model is refused like any configuration
    /// error (exit 2, which systemd does not restart into), never a SIGABRT. EcgStream.Inference's own
    /// errors (OrtException, ModelContractException) already name the model and the cause in one line
    /// and pass through; anything else is wrapped into one line naming the file.
    /// </summary>
    private static IWindowClassifier LoadModel(string path)
    {
        try { return EcgStream.Inference.Contract.RhythmModel.Load(path, new InferenceOptions()); }
        catch (Exception e) when (e is not (OutOfMemoryException or OrtException
                                            or EcgStream.Inference.Contract.ModelContractException))
        {
            string first = e.Message.Split('\n', 2)[0].Trim();
            throw new InvalidDataException($"model {path}: not a usable ONNX model (contract v1 or v2): {first}", e);
        }
    }

    private static BedOptions BedOptionsOf(BedConfig bc) => bc.Fusion.ApplyTo(new()
    {
        Signal = SignalChainOptions.Default with
        {
            Preprocessing = PreprocessorOptions.Contract with
            {
                Notch = bc.Notch switch { 50 => MainsNotch.Hz50, 60 => MainsNotch.Hz60, _ => MainsNotch.None },
            },
            WindowHop = (int)Math.Round(bc.Hop * PreprocessorOptions.ContractSampleRate),
        },
        MaxGapFillSeconds = bc.MaxGapSeconds,
    });

    /// <summary>An event to every configured sink: a local bed's (its sample rate for the annotation files) or, in the central role, the cluster's.</summary>
    private void Route(string bed, double sampleRate, RhythmEvent e)
    {
        try
        {
            _jsonl?.OnNext(e);
            Hub.Publish(new HubMessage("event", bed, Utf8Json(e)));
            _wfdb?.OnEvent(e, sampleRate);
            _options.OnEvent?.Invoke(e);
        }
        catch (Exception ex)
        {
            // A sink that fails (a full disk, a closed pipe, a value JSON cannot hold) must not stop
            // the bed (an exception thrown here would end its pipeline) nor the central feed.
            _log.LogError("bed {Bed}: sink failed on {Event}: {Error}", bed, e, ex.Message);
        }
    }

    private static byte[] Utf8Json(RhythmEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer)) EventJson.Write(w, e);
        return buffer.WrittenSpan.ToArray();
    }

    private void StartBeds()
    {
        _uptime.Start();
        _log.LogInformation("run {Run}", RunId);
        if (Model is null) _log.LogInformation("no model configured: rhythms come from the rules alone");
        else _log.LogInformation("model {Model} shared by {Beds} bed(s)", Model.ModelId, _beds.Count);
        if (Feed is { } feed)
        {
            // events of every bed of the site, from the workers, into the same sinks a local bed's go to
            _log.LogInformation("cluster role central: events of {Subject} from {Urls}", feed.Subject, string.Join(",", Config.Cluster!.Urls));
            RememberJsonlTail(feed);
            _feedTask = Task.Run(() => feed.RunAsync(e => Route(e.StreamId, 0, e), _stopFeed.Token));
        }
        if (Gateway is not null)
            _log.LogInformation("cluster role gateway: {Beds} bed(s) published to ecg.{Site}.<bed> on {Urls}", _beds.Count, Config.Cluster!.Site, string.Join(",", Config.Cluster.Urls));
        _sourceTasks = _beds.Select(b => Task.Run(async () =>
        {
            try { await b.Source.RunAsync(b.Bed, _stopSources.Token); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                b.Bed.LastError = e.Message;
                _log.LogError("bed {Bed}: source {Source} stopped: {Error}", b.Bed.Id, b.Source.Description, e.Message);
            }
        })).ToArray();
        // Loss of signal is found by the clock, not by the next block (which may never come).
        double tick = Math.Clamp(_beds.Count == 0 ? 0.25 : _beds.Min(b => b.Bed.Config.SignalLossSeconds) / 10, 0.02, 0.25);
        _signalWatch = new Timer(_ => CheckSignals(), null, TimeSpan.FromSeconds(tick), TimeSpan.FromSeconds(tick));
        if (_wfdb is not null)
        {
            var period = TimeSpan.FromSeconds(Config.Sinks.WfdbIntervalSeconds);
            _wfdbTimer = new Timer(_ => FlushWfdb(), null, period, period);
        }
        _log.LogInformation("ecgstreamd: {Beds} bed(s); live view and API on {Address}", _beds.Count, string.Join(", ", _app.Urls));
        // where the token is, never the token: open the live view as ADDRESS/#token=TOKEN
        _log.LogInformation("HTTP access token: {Where}; open the live view as {Address}/#token=<token>", _tokenOrigin, _app.Urls.First().TrimEnd('/'));
    }

    /// <summary>
    /// Central role: the events at the end of the JSON-lines file (its last 256 KiB) count as delivered. A crash between
    /// writing an event and acknowledging it to the cluster brings that event back at the next start; the file already
    /// has it, so it is not written twice.
    /// </summary>
    private void RememberJsonlTail(EventFeed feed)
    {
        if (Config.Sinks.Jsonl is not { } path || path == "stdout" || !File.Exists(path)) return;
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            long from = Math.Max(0, f.Length - 256 * 1024);
            f.Seek(from, SeekOrigin.Begin);
            using var reader = new StreamReader(f, System.Text.Encoding.UTF8);
            if (from > 0) reader.ReadLine(); // a partial first line
            int n = 0;
            while (reader.ReadLine() is { } line)
                if (EventJson.TryRead(System.Text.Encoding.UTF8.GetBytes(line), out var e, out _)) { feed.AlreadyDelivered(e); n++; }
            _log.LogInformation("central: {Count} event(s) at the end of {File} count as delivered", n, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.LogWarning("central: cannot read back {File} ({Error}); an event written just before a crash may be written again", path, e.Message);
        }
    }

    private async Task StopBedsAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        _log.LogInformation("ecgstreamd: stopping");
        // the feed first: the event in hand reaches the sinks and is acknowledged before they close
        await _stopFeed.CancelAsync();
        try { await _feedTask.WaitAsync(_options.ShutdownTimeout / 3, CancellationToken.None); }
        catch (TimeoutException) { _log.LogWarning("central: the events feed did not stop within {Timeout}", _options.ShutdownTimeout / 3); }
        catch (Exception e) { _log.LogError("central: the events feed ended with {Error}", e.Message); }
        var budget = _options.ShutdownTimeout;
        // closing what has already stopped takes moments: these bounds (budget/10, the gateway's budget/5) keep the whole
        // stop, four budget/3 steps included, inside 1.8 budgets (27 s of the service's TimeoutStopSec 30 s)
        if (Feed is not null) await DisposeWithinAsync(Feed, budget / 10, "central: the events feed");
        await _stopSources.CancelAsync();
        if (_signalWatch is not null) await DisposeWithinAsync(_signalWatch, budget / 10, "the signal watch");
        await Task.WhenAny(Task.WhenAll(_sourceTasks), Task.Delay(budget / 3, CancellationToken.None));
        await Task.WhenAll(_beds.Select(b => b.Bed.CompleteAsync(budget / 3)));
        if (_wfdbTimer is not null) await _wfdbTimer.DisposeAsync();
        FlushWfdb();
        if (Gateway is { } gateway)
        {
            // what the beds sent last reaches the cluster if it answers within the budget; the rest is counted as not acknowledged
            if (!await gateway.FlushAsync(budget / 3, CancellationToken.None))
                _log.LogWarning("cluster: {Blocks} block(s) not acknowledged at shutdown", gateway.BlocksBuffered);
            await DisposeWithinAsync(gateway, budget / 5, "cluster: the bed gateway");
        }
        _jsonl?.OnCompleted();
        _jsonl?.Dispose();
        Hub.Complete();
        Model?.Dispose();
        _classifier?.Dispose();
        _log.LogInformation("ecgstreamd: stopped; {Messages} event-stream message(s) published", Hub.Published);
    }

    /// <summary>
    /// Disposes within <paramref name="limit"/>: a stop must end (a connection that never answers its close would otherwise
    /// hold the daemon past its service manager's stop timeout); what has not finished by then is left with a warning.
    /// </summary>
    private async Task DisposeWithinAsync(IAsyncDisposable disposable, TimeSpan limit, string what)
    {
        if (!await StopSteps.FinishesWithinAsync(disposable.DisposeAsync().AsTask(), limit))
            _log.LogWarning("{What} did not close within {Timeout}", what, limit);
    }

    private void CheckSignals()
    {
        if (Volatile.Read(ref _stopped) != 0) return;
        foreach (var (bed, _) in _beds)
        {
            try { bed.CheckSignal(); }
            catch (Exception e) { _log.LogError("bed {Bed}: signal check failed: {Error}", bed.Id, e.Message); }
        }
    }

    private void FlushWfdb()
    {
        try
        {
            foreach (var f in _wfdb?.Flush() ?? []) _log.LogDebug("wrote {File}", f);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            _log.LogError("WFDB annotation sink: {Error}", e.Message);
        }
    }

    /// <summary>Ties the beds to the host's start and stop.</summary>
    private sealed class Lifecycle(DaemonHost host) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            // after the server has bound its address (so logs show the real port)
            host._app.Lifetime.ApplicationStarted.Register(host.StartBeds);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => host.StopBedsAsync(cancellationToken);
    }

    /// <summary>In-process hosting: no signal handlers (the embedding process owns them).</summary>
    private sealed class InProcessLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
