using EcgStream.Training.Data;

namespace EcgStream.Training.Tests;

/// <summary>Small synthetic window sets shared by the tests (generated once per test run).</summary>
internal static class SyntheticData
{
    private static readonly Lazy<WindowSet> s_small = new(() => SyntheticWindows.Generate(seed: 100, count: 24, patients: 6));

    /// <summary>24 windows from 6 synthetic patients, 12 leads.</summary>
    public static WindowSet Small => s_small.Value;

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ecgstream-training-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
