using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace EcgStream.Inference;

/// <summary>One place of the library lookup order: where, and the file or name tried there (null: not set).</summary>
public sealed record OrtLibraryCandidate(string Place, string? Target, bool Explicit, bool IsFile);

/// <summary>A failure to find or load the ONNX Runtime native library; the message lists every place tried.</summary>
public sealed class OrtLibraryException(string message) : InvalidOperationException(message);

/// <summary>
/// The ONNX Runtime native library behind Microsoft.ML.OnnxRuntime's managed API, and the process's
/// one ORT environment. The managed API binds its P/Invokes to the native library once per process;
/// before that happens, <see cref="Load"/> installs a <see cref="NativeLibrary.SetDllImportResolver"/>
/// hook for the managed assembly that walks the lookup order of <see cref="OrtLibraryOptions"/>
/// (so a Jetson can use JetPack's own libonnxruntime through the same API), then creates the
/// environment with ORT's log routed to Microsoft.Extensions.Logging. Later calls return the same
/// library; asking for a different file then is an error, since a process cannot swap it.
/// </summary>
public sealed class OrtLibrary
{
    /// <summary>The name the managed API imports (<c>DllImport("onnxruntime")</c>).</summary>
    internal const string ManagedImportName = "onnxruntime";
    internal const string LogCategory = "EcgStream.Inference.OnnxRuntime";

    private static readonly object Gate = new();
    private static OrtLibrary? _current;
    private static IReadOnlyList<OrtLibraryCandidate>? _plan;
    private static (string Place, string Path)? _resolved;
    private static bool _resolverInstalled;
    [ThreadStatic] private static bool _resolving;

    private OrtLibrary(string place, string path, string version, IReadOnlyList<string> providers)
    {
        Place = place;
        Path = path;
        Version = version;
        AvailableProviders = providers;
    }

    /// <summary>Which place of the lookup order supplied the library (e.g. "configured path").</summary>
    public string Place { get; }
    /// <summary>The file loaded, or the name the runtime's probing resolved.</summary>
    public string Path { get; }
    /// <summary>The native library's own version string, e.g. "1.32.0".</summary>
    public string Version { get; }
    /// <summary>Execution providers compiled into this library, e.g. ["CPUExecutionProvider"].</summary>
    public IReadOnlyList<string> AvailableProviders { get; }

    /// <summary>The ONNX Runtime package this build references: "Cpu" or "Gpu" (the <c>OrtPackage</c> build switch).</summary>
    public static string BuildPackage { get; } =
        typeof(OrtLibrary).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "OrtPackage")?.Value ?? "Cpu";

    /// <summary>The library found with default options (nothing configured).</summary>
    public static OrtLibrary Default => Volatile.Read(ref _current) ?? Load(null); // once loaded: no lookup, no lock

    /// <summary>
    /// Loads the library (first call) or returns the loaded one. <paramref name="loggerFactory"/> and
    /// <paramref name="logLevel"/> take effect on the first call only: they receive the environment's
    /// own messages (sessions route theirs to their own factory).
    /// </summary>
    public static OrtLibrary Load(OrtLibraryOptions? options, ILoggerFactory? loggerFactory = null, LogLevel logLevel = LogLevel.Warning)
    {
        options ??= new OrtLibraryOptions();
        lock (Gate)
        {
            if (_current is { } loaded)
            {
                CheckSameLibrary(loaded, options);
                return loaded;
            }
            _plan = Candidates(options);
            if (!_resolverInstalled)
            {
                // ORT's own resolver must stay off, or ours could not be installed (one per assembly).
                OrtEnv.DisableDllImportResolver = true;
                NativeLibrary.SetDllImportResolver(typeof(OrtEnv).Assembly, Resolve);
                _resolverInstalled = true;
            }
            OrtEnv env;
            try
            {
                env = OrtLogging.CreateEnvironment(loggerFactory ?? NullLoggerFactory.Instance, logLevel);
            }
            catch (TypeInitializationException e) when (e.GetBaseException() is OrtLibraryException named)
            {
                throw new OrtLibraryException(named.Message);
            }
            catch (TypeInitializationException e)
            {
                // The library loaded but the managed API could not bind to it (too old an ORT, for one).
                var (place, path) = _resolved ?? ("?", "?");
                throw new OrtLibraryException($"ONNX Runtime at {path} ({place}) cannot be used by Microsoft.ML.OnnxRuntime's managed API: {e.GetBaseException().Message}");
            }
            var (where, file) = _resolved ?? ("the runtime's default probing", ManagedImportName);
            if (!file.Contains('/')) file = MappedFile("libonnxruntime") ?? file;
            _current = new OrtLibrary(where, file, env.GetVersionString(), env.GetAvailableProviders());
            return _current;
        }
    }

    /// <summary>The file of a loaded library whose name contains <paramref name="name"/>, from /proc/self/maps (names the package's copy in reports).</summary>
    private static string? MappedFile(string name)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                var at = line.IndexOf('/');
                if (at >= 0 && line.AsSpan(at).Contains(name, StringComparison.Ordinal)) return line[at..];
            }
        }
        catch (IOException) { }
        return null;
    }

    private static void CheckSameLibrary(OrtLibrary loaded, OrtLibraryOptions options)
    {
        var first = Candidates(options).FirstOrDefault(c => c.Explicit && c.Target is not null);
        if (first is null || loaded.Path == first.Target) return;
        throw new OrtLibraryException(
            $"ONNX Runtime is already loaded from {loaded.Path} ({loaded.Place}); one process holds one ONNX Runtime library, so {first.Target} ({first.Place}) cannot be used as well");
    }

    /// <summary>The places <see cref="Load"/> tries, in order.</summary>
    public static IReadOnlyList<OrtLibraryCandidate> Candidates(OrtLibraryOptions options) =>
        Candidates(options, Environment.GetEnvironmentVariable(OrtLibraryOptions.EnvironmentVariable));

    /// <summary>The lookup order with <paramref name="environmentValue"/> standing for the environment variable (tests).</summary>
    internal static IReadOnlyList<OrtLibraryCandidate> Candidates(OrtLibraryOptions options, string? environmentValue)
    {
        var list = new List<OrtLibraryCandidate>
        {
            new("configured path", string.IsNullOrWhiteSpace(options.LibraryPath) ? null : System.IO.Path.GetFullPath(options.LibraryPath), Explicit: true, IsFile: true),
        };
        if (options.SearchEnvironmentVariable)
        {
            var env = environmentValue;
            list.Add(new($"${OrtLibraryOptions.EnvironmentVariable}", string.IsNullOrWhiteSpace(env) ? null : System.IO.Path.GetFullPath(env), Explicit: true, IsFile: true));
        }
        if (options.SearchPackage)
            list.Add(new($"the Microsoft.ML.OnnxRuntime{(BuildPackage == "Gpu" ? ".Gpu.Linux" : "")} package beside the application", ManagedImportName, Explicit: false, IsFile: false));
        if (options.SearchSystemPath)
            list.Add(new("the system library path", OrtLibraryOptions.LibraryFileName, Explicit: false, IsFile: false));
        return list;
    }

    /// <summary>
    /// Walks <paramref name="plan"/>: the first candidate that loads and exports <c>OrtGetApiBase</c>
    /// wins. An explicit candidate that fails ends the walk (a configured Jetson library must not be
    /// silently replaced by the package's CPU build). Failure throws one line naming every place tried.
    /// <paramref name="load"/> returns a handle or the loader's error; <paramref name="isOrt"/> checks the export.
    /// </summary>
    internal static (nint Handle, OrtLibraryCandidate From) Walk(
        IReadOnlyList<OrtLibraryCandidate> plan, Func<OrtLibraryCandidate, (nint Handle, string? Error)> load, Func<nint, bool> isOrt)
    {
        var tried = new List<string>();
        foreach (var c in plan)
        {
            if (c.Target is null)
            {
                tried.Add($"{c.Place}: not set");
                continue;
            }
            string? error;
            if (c.IsFile && !File.Exists(c.Target)) error = "no such file";
            else
            {
                (var handle, error) = load(c);
                if (error is null && !isOrt(handle))
                    error = "not an ONNX Runtime library (it exports no OrtGetApiBase)";
                else if (error is null) return (handle, c);
            }
            tried.Add($"{c.Place} {c.Target}: {error}");
            if (c.Explicit)
                throw new OrtLibraryException(
                    $"ONNX Runtime library not loaded; tried in order: {string.Join("; ", tried)} (a library set explicitly is never replaced by a later place)");
        }
        throw new OrtLibraryException($"ONNX Runtime library not loaded; tried in order: {string.Join("; ", tried)}");
    }

    /// <summary>The DllImport resolver for the managed ORT assembly: called once, when its native methods bind.</summary>
    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != ManagedImportName || _resolving) return 0;   // 0: the runtime's default probing
        _resolving = true;
        try
        {
            var plan = _plan ?? Candidates(new OrtLibraryOptions());
            var (handle, from) = Walk(plan, c => TryLoad(c, assembly, searchPath),
                h => NativeLibrary.TryGetExport(h, "OrtGetApiBase", out _));
            _resolved = (from.Place, from.Target!);
            return handle;
        }
        finally { _resolving = false; }
    }

    private static (nint, string?) TryLoad(OrtLibraryCandidate c, Assembly assembly, DllImportSearchPath? searchPath)
    {
        try
        {
            // A package candidate goes through the runtime's probing of the app's native assets (deps.json).
            return (c.IsFile || c.Target != ManagedImportName ? NativeLibrary.Load(c.Target!) : NativeLibrary.Load(c.Target!, assembly, searchPath), null);
        }
        catch (DllNotFoundException e)
        {
            return (0, FirstLine(e.Message));
        }
        catch (BadImageFormatException e)
        {
            return (0, FirstLine(e.Message));
        }
    }

    private static string FirstLine(string s)
    {
        var i = s.IndexOf('\n');
        return (i < 0 ? s : s[..i]).Trim();
    }
}

/// <summary>
/// ORT's own log, routed to Microsoft.Extensions.Logging (category "EcgStream.Inference.OnnxRuntime").
/// ORT tags a session's messages with that session's log id; each session registers its logger under
/// a unique id, so its messages reach the factory it was created with. Environment-wide messages go to
/// the factory given when the library was loaded.
/// </summary>
internal static class OrtLogging
{
    private static readonly ConcurrentDictionary<string, ILogger> SessionLoggers = new(StringComparer.Ordinal);
    // Held in a static field: ORT keeps the function pointer for the life of the process.
    private static readonly DOrtLoggingFunction Callback = OnLog;
    private static ILogger _environmentLogger = NullLogger.Instance;
    private static long _sessionCounter;
    // While set, ORT's warnings and errors on this thread are collected here instead of logged: ORT
    // explains a refused provider only in its log ("…libcublasLt.so.13: cannot open shared object
    // file…"), while the exception says just "Failed to load shared library".
    [ThreadStatic] private static List<string>? _capture;

    /// <summary>Runs <paramref name="action"/> and returns ORT's warnings and errors logged on this thread meanwhile.</summary>
    public static List<string> Capture(Action action)
    {
        var captured = new List<string>();
        _capture = captured;
        try { action(); }
        finally { _capture = null; }
        return captured;
    }

    public static OrtEnv CreateEnvironment(ILoggerFactory factory, LogLevel level)
    {
        _environmentLogger = factory.CreateLogger(OrtLibrary.LogCategory);
        var options = new EnvironmentCreationOptions { logId = "ecgstream", logLevel = ToOrt(level), loggingFunction = Callback };
        var env = OrtEnv.CreateInstanceWithOptions(ref options);
        return env;
    }

    public static string RegisterSession(ILogger logger)
    {
        var id = $"ecgstream-session-{Interlocked.Increment(ref _sessionCounter)}";
        SessionLoggers[id] = logger;
        return id;
    }

    public static void UnregisterSession(string logId) => SessionLoggers.TryRemove(logId, out _);

    public static OrtLoggingLevel ToOrt(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE,
        LogLevel.Information => OrtLoggingLevel.ORT_LOGGING_LEVEL_INFO,
        LogLevel.Warning => OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
        LogLevel.Error => OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        _ => OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
    };

    private static LogLevel FromOrt(OrtLoggingLevel severity) => severity switch
    {
        OrtLoggingLevel.ORT_LOGGING_LEVEL_VERBOSE => LogLevel.Debug,
        OrtLoggingLevel.ORT_LOGGING_LEVEL_INFO => LogLevel.Information,
        OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING => LogLevel.Warning,
        OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR => LogLevel.Error,
        _ => LogLevel.Critical,
    };

    private static void OnLog(IntPtr param, OrtLoggingLevel severity, string category, string logId, string codeLocation, string message)
    {
        // Called from ORT's native threads: an exception must never unwind into them.
        try
        {
            if (_capture is { } captured && severity >= OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING)
            {
                captured.Add(message);
                return;
            }
            var logger = logId is not null && SessionLoggers.TryGetValue(logId, out var s) ? s : _environmentLogger;
            var level = FromOrt(severity);
            if (!logger.IsEnabled(level)) return;
            logger.Log(level, "ORT [{Category}] {LogId}: {Message} ({CodeLocation})", category, logId, message, codeLocation);
        }
        catch (Exception)
        {
        }
    }
}
