using System.Runtime.InteropServices;
using TorchSharp;

namespace EcgStream.Training;

/// <summary>
/// Loads TorchSharp's libtorch once and says plainly why it could not. TorchSharp's own message when
/// its native glue fails to load blames a missing package ("… is not restored") even when the file is
/// there and dlopen refused it (e.g. libLibTorchSharp.so needing GLIBCXX_3.4.32 on Debian 12's
/// libstdc++); we load the same files ourselves and report the loader's message.
/// </summary>
public static class TorchRuntime
{
    /// <summary>The native libraries in load order: libtorch first, then TorchSharp's glue that links against it.</summary>
    internal static readonly string[] NativeLibraries = ["libtorch.so", "libLibTorchSharp.so"];

    private static readonly Lazy<(bool Ok, string Reason)> s_state = new(Initialize);

    /// <summary>True when libtorch is usable; otherwise <paramref name="reason"/> is one line naming the cause.</summary>
    public static bool TryInitialize(out string reason)
    {
        (var ok, reason) = s_state.Value;
        return ok;
    }

    private static (bool, string) Initialize()
    {
        try
        {
            // Any call that needs the native library loads it (TorchSharp's loader runs on first use).
            _ = torch.get_num_threads();
            return (true, "");
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException or InvalidOperationException)
        {
            return (false, DescribeLoadFailure(AppContext.BaseDirectory) ?? $"TorchSharp failed to start: {e.GetBaseException().Message}");
        }
    }

    /// <summary>
    /// Loads the native libraries from <paramref name="directory"/> (or the runtimes/linux-x64/native
    /// folder below it) by path and returns the first loader error as one line, or null when all load.
    /// </summary>
    public static string? DescribeLoadFailure(string directory)
    {
        foreach (var name in NativeLibraries)
        {
            var path = Path.Combine(directory, name);
            if (!File.Exists(path)) path = Path.Combine(directory, "runtimes", "linux-x64", "native", name);
            if (!File.Exists(path))
                return $"libtorch is not installed: {name} not found in {directory} (restore and build EcgStream.Training; tools/setup.sh does both)";
            try
            {
                NativeLibrary.Load(path);
            }
            catch (DllNotFoundException e)
            {
                var hint = e.Message.Contains("GLIBCXX_", StringComparison.Ordinal)
                    ? "; the system libstdc++ is older than TorchSharp's: run tools/setup/torchsharp.sh, then rebuild"
                    : "";
                return $"cannot load {path}: {LoaderMessage(e.Message)}{hint}";
            }
        }
        return null;
    }

    /// <summary>.NET wraps dlopen's message in generic advice ("… consider setting the LD_DEBUG environment variable: "); keep the loader's own words.</summary>
    private static string LoaderMessage(string message)
    {
        var oneLine = message.ReplaceLineEndings(" ");
        const string Marker = "environment variable:";
        var at = oneLine.LastIndexOf(Marker, StringComparison.Ordinal);
        return (at >= 0 ? oneLine[(at + Marker.Length)..] : oneLine).Trim();
    }
}
