using System.Diagnostics;

namespace EcgStream.Training.Tests;

/// <summary>Runs the helper scripts under python/ with Debian's /usr/bin/python3.</summary>
internal static class PythonRunner
{
    private const string Python = "/usr/bin/python3";

    public static bool HasPython => File.Exists(Python);

    public static bool HasTorch { get; } = HasPython && Run("-c", "import torch").exitCode == 0;

    public static string ScriptPath(string name) => Path.Combine(AppContext.BaseDirectory, "python", name);

    /// <summary>Runs python with <paramref name="args"/>; returns exit code and stdout (stderr appended on failure).</summary>
    public static (int exitCode, string output) Run(params string[] args)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["OMP_NUM_THREADS"] = "1";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"python {string.Join(' ', args)} ran over 120 s");
        }
        return (p.ExitCode, p.ExitCode == 0 ? stdout : stdout + stderr.Result);
    }
}
