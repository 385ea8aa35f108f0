using EcgStream.Formats;

namespace EcgStream.Cli.Commands;

/// <summary>
/// Output paths checked before a command starts its work, so a path that cannot be written fails in one line naming
/// the option at once, not after minutes of replay or training (or as a stack trace when the result is written).
/// </summary>
internal static class CliPaths
{
    /// <summary>Creates the folder (and its parents) and proves it writable; a file in its place or no permission is an error naming <paramref name="option"/>.</summary>
    public static string OutputFolder(string path, string option)
    {
        if (File.Exists(path)) throw new IOException($"{option} '{path}': a file is in the way; expected a folder");
        Try(path, option, () => WritableFolders.Prove(path));
        return path;
    }

    /// <summary>
    /// Proves <paramref name="path"/> can be written (its folder is made): an existing file is opened for writing without
    /// truncating it, a new one is created and removed at once. A folder in its place or no permission is an error naming <paramref name="option"/>.
    /// </summary>
    public static string OutputFile(string path, string option)
    {
        if (Directory.Exists(path)) throw new IOException($"{option} '{path}': a folder is in the way; expected a file");
        Try(path, option, () =>
        {
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { Length: > 0 } folder) Directory.CreateDirectory(folder);
            if (File.Exists(path)) new FileStream(path, FileMode.Open, FileAccess.Write).Dispose();
            else Probe(path);
        });
        return path;
    }

    private static void Probe(string file) =>
        new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose).Dispose();

    private static void Try(string path, string option, Action check)
    {
        try { check(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{option} '{path}': {e.Message}", e);
        }
    }
}
