namespace EcgStream.Formats;

/// <summary>
/// Output folders proved writable before any work is done: the CLI's <c>--out</c> folders and the daemon's annotation
/// sink folder fail at once, in one line, instead of at the first write minutes (or hours) later.
/// </summary>
public static class WritableFolders
{
    /// <summary>
    /// Creates <paramref name="path"/> (and its parents) and creates and removes one probe file in it. Throws what the
    /// file system throws (an <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/>, whose .NET message
    /// names the cause); the caller adds the option or configuration key it came from.
    /// </summary>
    public static void Prove(string path)
    {
        Directory.CreateDirectory(path);
        // The probe is named after this process: FileMode.Create, not CreateNew, so a probe left by an earlier process with
        // the same id (a container's PID 1 that was killed between create and delete) is reused, not a reason to refuse.
        string probe = Path.Combine(path, $".ecgstream-write-test-{Environment.ProcessId}");
        new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose).Dispose();
    }
}
