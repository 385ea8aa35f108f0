using System.Diagnostics;
using EcgStream.Tests;

namespace EcgStream.Ingest.Tests.Support;

/// <summary>The C virtual device, built by tools/setup/bridge.sh into firmware-bridge/build/vdev.</summary>
public static class Vdev
{
    public static string PathOf => Path.Combine(TestData.RepoRoot, "firmware-bridge", "build", "vdev");
    public static bool Present => File.Exists(PathOf);

    public static Process Start(string args)
    {
        var psi = new ProcessStartInfo(PathOf, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return Process.Start(psi) ?? throw new InvalidOperationException("vdev did not start");
    }

    /// <summary>Runs vdev to completion and returns what it wrote on stdout.</summary>
    public static byte[] Bytes(string args)
    {
        using var p = Start(args);
        var ms = new MemoryStream();
        var stderr = p.StandardError.ReadToEndAsync();
        // the copy ends when vdev closes its stdout; bounded, so a vdev that never ends fails the test instead of hanging it
        if (!p.StandardOutput.BaseStream.CopyToAsync(ms).Wait(TimeSpan.FromSeconds(60)) || !p.WaitForExit(10_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"vdev {args} did not finish in 60 s");
        }
        if (p.ExitCode != 0) throw new InvalidOperationException($"vdev {args} exited {p.ExitCode}: {stderr.Result}");
        return ms.ToArray();
    }
}

/// <summary>A fact that needs the C virtual device; skipped (with the command to build it) when it is not built.</summary>
public sealed class VdevFactAttribute : FactAttribute
{
    public VdevFactAttribute()
    {
        if (!Vdev.Present) Skip = $"{Vdev.PathOf} not built: run tools/setup/bridge.sh";
    }
}
