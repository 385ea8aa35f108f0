using EcgStream.Core.Events;
using Microsoft.Extensions.Logging;

namespace EcgStream.Daemon;

/// <summary>How the daemon is hosted (as opposed to what it does, which is <see cref="Configuration.DaemonConfig"/>).</summary>
public sealed record DaemonHostOptions
{
    /// <summary>Where the JSON-lines sink writes when configured as "stdout" (default: the process's standard output).</summary>
    public Stream? Stdout { get; init; }
    /// <summary>Standard input for ble-stdin beds (default: the process's).</summary>
    public Stream? Stdin { get; init; }
    /// <summary>Called for every event after the configured sinks (serialised per bed).</summary>
    public Action<RhythmEvent>? OnEvent { get; init; }
    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Information;
    /// <summary>Stop on SIGTERM / Ctrl-C (the daemon's own process); off for in-process hosts such as tests.</summary>
    public bool HandleSignals { get; init; } = true;
    /// <summary>Kernel send buffer of accepted HTTP connections (tests use a small one to make a stalled client fill up quickly).</summary>
    public int? HttpSocketSendBuffer { get; init; }
    /// <summary>How long shutdown may take before remaining work is abandoned.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(15);
}
