namespace EcgStream.Tests;

/// <summary>
/// Where the real recordings of ../shared/data are, and where the repository is. Tests that
/// read real data use <see cref="DataFactAttribute"/>/<see cref="DataTheoryAttribute"/>, which
/// skip with a message when the folder is absent (a user's fresh clone has no ../shared).
/// </summary>
public static class TestData
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>ECGSTREAM_DATA if set, else ../shared/data beside the repository.</summary>
    public static string Root { get; } =
        Environment.GetEnvironmentVariable("ECGSTREAM_DATA") is { Length: > 0 } env
            ? env
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static bool Has(string subfolder) => Directory.Exists(Path.Combine(Root, subfolder));

    public static string SkipReason(string subfolder) =>
        $"real data absent: {Path.Combine(Root, subfolder)} not found (set ECGSTREAM_DATA or place ../shared/data beside the repository)";

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EcgStream.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"EcgStream.sln not found above {AppContext.BaseDirectory}");
    }
}

/// <summary>A fact that needs ../shared/data/&lt;subfolder&gt;; skipped with a message when it is absent.</summary>
public sealed class DataFactAttribute : FactAttribute
{
    public DataFactAttribute(string subfolder)
    {
        if (!TestData.Has(subfolder)) Skip = TestData.SkipReason(subfolder);
    }
}

/// <summary>A theory that needs ../shared/data/&lt;subfolder&gt;; skipped with a message when it is absent.</summary>
public sealed class DataTheoryAttribute : TheoryAttribute
{
    public DataTheoryAttribute(string subfolder)
    {
        if (!TestData.Has(subfolder)) Skip = TestData.SkipReason(subfolder);
    }
}
