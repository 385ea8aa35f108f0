using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EcgStream.Inference.Native;

/// <summary>
/// The process's OrtEnv, created with a custom logging function so ORT's own log goes to
/// Microsoft.Extensions.Logging (category "EcgStream.Inference.OnnxRuntime"). ORT keeps one
/// environment per process, so this is created once per library and kept. Messages carry the log id
/// of the session they concern; each session registers its own logger under a unique log id
/// (<see cref="RegisterSession"/>), so a session's ORT messages reach the logger factory that
/// session was created with. Messages with no session (environment-wide) go to the first factory.
/// </summary>
internal sealed unsafe class OrtEnvironment
{
    private static readonly object Gate = new();
    private static readonly Dictionary<OrtLibrary, OrtEnvironment> Environments = [];

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ILogger> SessionLoggers = new(StringComparer.Ordinal);
    private static long _sessionCounter;

    private readonly GCHandle _loggerHandle;

    private OrtEnvironment(OrtLibrary library, OrtEnvHandle handle, GCHandle loggerHandle)
    {
        Library = library;
        Handle = handle;
        _loggerHandle = loggerHandle;
    }

    public OrtLibrary Library { get; }
    public OrtEnvHandle Handle { get; }

    public static OrtEnvironment Get(OrtLibrary library, ILoggerFactory? loggerFactory, LogLevel minimumLevel)
    {
        lock (Gate)
        {
            if (Environments.TryGetValue(library, out var env)) return env;
            var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("EcgStream.Inference.OnnxRuntime");
            // The GCHandle is ORT's logger_param; it lives as long as the environment (the process).
            var gc = GCHandle.Alloc(logger);
            using var id = new Utf8String("ecgstream");
            nint handle;
            var status = library.Api->CreateEnvWithCustomLogger(&OnLog, GCHandle.ToIntPtr(gc), ToOrtLevel(minimumLevel), id.Pointer, &handle);
            if (status != 0) gc.Free();
            library.Check(status, "creating the ONNX Runtime environment");
            env = new OrtEnvironment(library, new OrtEnvHandle(library, handle), gc);
            Environments[library] = env;
            return env;
        }
    }

    /// <summary>A fresh session log id routed to <paramref name="logger"/> until <see cref="UnregisterSession"/>.</summary>
    public static string RegisterSession(ILogger logger)
    {
        var id = $"ecgstream-session-{Interlocked.Increment(ref _sessionCounter)}";
        SessionLoggers[id] = logger;
        return id;
    }

    public static void UnregisterSession(string logId) => SessionLoggers.TryRemove(logId, out _);

    // ORT_LOGGING_LEVEL_VERBOSE 0 … FATAL 4.
    public static int ToOrtLevel(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => 0,
        LogLevel.Information => 1,
        LogLevel.Warning => 2,
        LogLevel.Error => 3,
        _ => 4,
    };

    private static LogLevel FromOrtLevel(int severity) => severity switch
    {
        0 => LogLevel.Debug,
        1 => LogLevel.Information,
        2 => LogLevel.Warning,
        3 => LogLevel.Error,
        _ => LogLevel.Critical,
    };

    /// <summary>OrtLoggingFunction: void (void* param, OrtLoggingLevel severity, const char* category, const char* logid, const char* code_location, const char* message).</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnLog(nint param, int severity, byte* category, byte* logId, byte* codeLocation, byte* message)
    {
        // An exception must never unwind into ORT's native frames: logging failures are dropped.
        try
        {
            if (GCHandle.FromIntPtr(param).Target is not ILogger logger) return;
            var id = Marshal.PtrToStringUTF8((nint)logId);
            if (id is not null && SessionLoggers.TryGetValue(id, out var sessionLogger)) logger = sessionLogger;
            var level = FromOrtLevel(severity);
            if (!logger.IsEnabled(level)) return;
            logger.Log(level, "ORT [{Category}] {LogId}: {Message} ({CodeLocation})",
                Marshal.PtrToStringUTF8((nint)category), id, Marshal.PtrToStringUTF8((nint)message), Marshal.PtrToStringUTF8((nint)codeLocation));
        }
        catch (Exception)
        {
        }
    }
}
