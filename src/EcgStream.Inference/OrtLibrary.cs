using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using EcgStream.Inference.Native;

namespace EcgStream.Inference;

/// <summary>
/// A loaded ONNX Runtime native library and its <c>OrtApi</c> table at the highest API version it
/// supports. Loaded once per file and kept for the life of the process (ORT is not meant to be
/// unloaded while its thread pools live). <see cref="Load"/> resolves the file as described in
/// <see cref="OrtLibraryOptions"/>; failure names every place tried.
/// </summary>
public sealed unsafe class OrtLibrary
{
    /// <summary>The oldest API we accept: every entry we call exists from ORT 1.13 on.</summary>
    public const uint MinimumApiVersion = 13;

    private static readonly ConcurrentDictionary<string, OrtLibrary> Loaded = new(StringComparer.Ordinal);
    private static readonly object LoadLock = new();

    private readonly OrtApi* _api;
    private OrtMemoryInfoHandle? _cpuMemory;

    private OrtLibrary(string path, nint handle, OrtApi* api, uint apiVersion, string version)
    {
        Path = path;
        Handle = handle;
        _api = api;
        ApiVersion = apiVersion;
        Version = version;
    }

    /// <summary>The file that was loaded (or the bare name, when found on the system library path).</summary>
    public string Path { get; }
    /// <summary>The library's own version string, e.g. "1.30.0".</summary>
    public string Version { get; }
    /// <summary>The OrtApi version obtained from <c>GetApi</c>.</summary>
    public uint ApiVersion { get; }
    internal nint Handle { get; }
    internal OrtApi* Api => _api;

    /// <summary>The library found with default options (configured path none).</summary>
    public static OrtLibrary Default => Load(null);

    public static OrtLibrary Load(OrtLibraryOptions? options)
    {
        options ??= new OrtLibraryOptions();
        lock (LoadLock)
        {
            var tried = new List<string>();
            foreach (var (place, candidate) in Candidates(options))
            {
                if (candidate.StartsWith('('))
                {
                    tried.Add($"{place}: {candidate}");
                    continue;
                }
                if (Loaded.TryGetValue(candidate, out var cached)) return cached;
                if (candidate.Contains('/') && !File.Exists(candidate))
                {
                    tried.Add($"{place}: {candidate} (no such file)");
                    continue;
                }
                nint handle;
                try { handle = NativeLibrary.Load(candidate); }
                catch (DllNotFoundException e)
                {
                    tried.Add($"{place}: {candidate} ({FirstLine(e.Message)})");
                    continue;
                }
                var lib = Bind(candidate, handle, place);
                Loaded[candidate] = lib;
                return lib;
            }
            throw new DllNotFoundException(
                $"ONNX Runtime ({OrtLibraryOptions.LibraryFileName}) not found. Places tried, in order:{Environment.NewLine}  " +
                string.Join(Environment.NewLine + "  ", tried) + Environment.NewLine +
                $"Run tools/setup/ort.sh, or set {OrtLibraryOptions.EnvironmentVariable} to the library file.");
        }
    }

    /// <summary>The places <see cref="Load"/> tries, in order, with a label for messages.</summary>
    public static IReadOnlyList<(string Place, string Candidate)> Candidates(OrtLibraryOptions options)
    {
        var list = new List<(string, string)>();
        if (!string.IsNullOrWhiteSpace(options.LibraryPath))
            list.Add(("configured path", System.IO.Path.GetFullPath(options.LibraryPath)));
        else
            list.Add(("configured path", "(none configured)"));
        if (options.SearchEnvironmentVariable)
        {
            var env = Environment.GetEnvironmentVariable(OrtLibraryOptions.EnvironmentVariable);
            list.Add(($"${OrtLibraryOptions.EnvironmentVariable}", string.IsNullOrWhiteSpace(env) ? "(not set)" : System.IO.Path.GetFullPath(env)));
        }
        if (options.SearchBesideExecutable)
            list.Add(("beside the executable", System.IO.Path.Combine(AppContext.BaseDirectory, OrtLibraryOptions.LibraryFileName)));
        if (options.SearchSystemPath)
            list.Add(("system library path", OrtLibraryOptions.LibraryFileName));
        return list;
    }

    private static OrtLibrary Bind(string path, nint handle, string place)
    {
        if (!NativeLibrary.TryGetExport(handle, "OrtGetApiBase", out var getApiBase))
            throw new EntryPointNotFoundException($"{path} ({place}) exports no OrtGetApiBase: it is not an ONNX Runtime library");
        var apiBase = ((delegate* unmanaged[Cdecl]<OrtApiBase*>)getApiBase)();
        var version = Marshal.PtrToStringUTF8((nint)apiBase->GetVersionString()) ?? "";
        var baseAddress = (nint)apiBase;
        var chosen = HighestSupportedApi(version, v => ((OrtApiBase*)baseAddress)->GetApi(v) is not null);
        if (chosen is not uint apiVersion)
            throw new NotSupportedException(
                $"ONNX Runtime {version} at {path} ({place}) supports no C API version ≥ {MinimumApiVersion} (ORT 1.{MinimumApiVersion}); EcgStream needs at least that");
        return new OrtLibrary(path, handle, apiBase->GetApi(apiVersion), apiVersion, version);
    }

    /// <summary>
    /// The highest API version ≥ <see cref="MinimumApiVersion"/> that <paramref name="supports"/>
    /// accepts, or null. ORT's API version equals its minor version (1.30.0 → 30); asking GetApi for
    /// a version the library lacks makes it print to stderr, so the search starts from the version
    /// its version string promises and goes down.
    /// </summary>
    internal static uint? HighestSupportedApi(string version, Func<uint, bool> supports)
    {
        uint highest = ParseMinor(version) is uint minor && minor >= MinimumApiVersion ? minor : MinimumApiVersion;
        for (uint v = highest; v >= MinimumApiVersion; v--)
            if (supports(v)) return v;
        return null;
    }

    private static uint? ParseMinor(string version)
    {
        var parts = version.Split('.');
        return parts.Length >= 2 && uint.TryParse(parts[1], out var m) ? m : null;
    }

    private static string FirstLine(string s)
    {
        var i = s.IndexOf('\n');
        return (i < 0 ? s : s[..i]).Trim();
    }

    /// <summary>Execution providers compiled into this library, e.g. ["CPUExecutionProvider"].</summary>
    public IReadOnlyList<string> AvailableProviders
    {
        get
        {
            byte** names;
            int count;
            Check(_api->GetAvailableProviders(&names, &count), "listing execution providers");
            try
            {
                var list = new string[count];
                for (int i = 0; i < count; i++) list[i] = Marshal.PtrToStringUTF8((nint)names[i]) ?? "";
                return list;
            }
            finally { Check(_api->ReleaseAvailableProviders(names, count), "releasing the provider list"); }
        }
    }

    /// <summary>CPU memory description for tensors over managed buffers; one per library.</summary>
    internal OrtMemoryInfoHandle CpuMemory
    {
        get
        {
            if (_cpuMemory is { } m) return m;
            lock (LoadLock)
            {
                if (_cpuMemory is null)
                {
                    nint info;
                    Check(_api->CreateCpuMemoryInfo(1 /* OrtArenaAllocator */, 0 /* OrtMemTypeDefault */, &info), "creating CPU memory info");
                    _cpuMemory = new OrtMemoryInfoHandle(this, info);
                }
                return _cpuMemory;
            }
        }
    }

    /// <summary>ORT's default allocator (owned by ORT, never released); frees the strings ORT returns.</summary>
    internal nint DefaultAllocator
    {
        get
        {
            nint allocator;
            Check(_api->GetAllocatorWithDefaultOptions(&allocator), "getting the default allocator");
            return allocator;
        }
    }

    /// <summary>The status-to-exception translator: every ORT call that returns an OrtStatus* goes through here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Check(nint status, string context)
    {
        if (status != 0) ThrowFromStatus(status, context);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowFromStatus(nint status, string context)
    {
        OrtErrorCode code;
        string message;
        try
        {
            code = (OrtErrorCode)_api->GetErrorCode(status);
            message = Marshal.PtrToStringUTF8((nint)_api->GetErrorMessage(status)) ?? "(no message)";
        }
        finally { _api->ReleaseStatus(status); }
        throw new OrtException(code, message, context);
    }

    /// <summary>Round-trips a status through CreateStatus/GetErrorCode/GetErrorMessage: proves the table's first entries line up.</summary>
    internal (OrtErrorCode Code, string Message) EchoStatus(OrtErrorCode code, string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message + "\0");
        fixed (byte* p = bytes)
        {
            var status = _api->CreateStatus((int)code, p);
            try { return ((OrtErrorCode)_api->GetErrorCode(status), Marshal.PtrToStringUTF8((nint)_api->GetErrorMessage(status)) ?? ""); }
            finally { _api->ReleaseStatus(status); }
        }
    }
}
