using Microsoft.Win32.SafeHandles;

namespace EcgStream.Formats;

/// <summary>
/// What the readers' public entry points share about the files under them: failures of the file system itself (a path
/// too long, a symbolic-link loop, a pipe where a file was expected, no permission) become an
/// <see cref="EcgFormatException"/> naming the path, like any other bad input, and a whole-record read is refused
/// before it allocates more than the process may use. Every reader opens its files here (<see cref="OpenRead"/>,
/// <see cref="OpenHandle"/>, <see cref="ReadAllText"/>, <see cref="ReadAllBytes"/>), so a FIFO or a device is refused
/// before it is opened (<see cref="RequireRegularFile"/>), whichever command or daemon bed asked for it.
/// </summary>
public static class RecordFiles
{
    /// <summary>
    /// Refuses a path that exists but is not a regular file once symbolic links are followed (a FIFO, a character or block
    /// device, a socket) with an <see cref="EcgFormatException"/> naming it, before anything opens it: opening a FIFO waits
    /// for a writer (for ever, when none comes), and /dev/zero reads for ever; the readers seek and need a file's size. A
    /// missing path, a directory, or one that cannot be examined is left to the open that follows, whose message names it.
    /// </summary>
    public static void RequireRegularFile(string path)
    {
        if (Core.Files.RegularFiles.Problem(path) is { } why)
            throw new EcgFormatException(path, $"{why}: records are read by seeking in a file of known size; copy it to a file first");
    }

    /// <summary>Opens a record file for buffered reading, after <see cref="RequireRegularFile"/>.</summary>
    internal static FileStream OpenRead(string path, int bufferSize = 1 << 16)
    {
        RequireRegularFile(path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize);
    }

    /// <summary>Opens a record file for positioned reads (<see cref="RandomAccess"/>), after <see cref="RequireRegularFile"/>.</summary>
    internal static SafeFileHandle OpenHandle(string path, FileOptions options = FileOptions.None)
    {
        RequireRegularFile(path);
        return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, options);
    }

    /// <summary><see cref="File.ReadAllText(string)"/> after <see cref="RequireRegularFile"/>.</summary>
    internal static string ReadAllText(string path)
    {
        RequireRegularFile(path);
        return File.ReadAllText(path);
    }

    /// <summary><see cref="File.ReadAllBytes(string)"/> after <see cref="RequireRegularFile"/>.</summary>
    internal static byte[] ReadAllBytes(string path)
    {
        RequireRegularFile(path);
        return File.ReadAllBytes(path);
    }

    /// <summary>
    /// Runs <paramref name="read"/>, turning file-system failures into an <see cref="EcgFormatException"/> on
    /// <paramref name="path"/>. A missing file or folder stays a <see cref="FileNotFoundException"/> or
    /// <see cref="DirectoryNotFoundException"/> (their messages already name it).
    /// </summary>
    public static T Guard<T>(string path, Func<T> read)
    {
        try { return read(); }
        catch (NotSupportedException e)
        {
            // FileStream.Length and Position on a FIFO or a character device
            throw new EcgFormatException(path, "is not a regular file (a pipe or a device?): the readers seek in it; copy it to a file first", inner: e);
        }
        catch (Exception e) when (e is UnauthorizedAccessException
                                  or IOException and not (FileNotFoundException or DirectoryNotFoundException or EndOfStreamException))
        {
            throw new EcgFormatException(path, $"cannot be read: {e.Message}", inner: e);
        }
    }

    /// <summary>
    /// Refuses to read <paramref name="values"/> float samples at once when they would take more than half the memory this
    /// process may use (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>: the machine's, or a container's or
    /// <c>GCHeapHardLimit</c>'s when lower): a header that claims a billion samples gets a one-line error, not an
    /// out-of-memory crash. Streaming readers (replay) read block by block and are not limited.
    /// </summary>
    public static void CheckRead(string path, long values, string? field = null)
    {
        // a streamed replay reads every block through here: only a read that could matter asks the GC for its limit
        if (values <= SmallRead) return;
        long bytes = values > long.MaxValue / sizeof(float) ? long.MaxValue : values * sizeof(float);
        long limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;
        if (bytes > limit)
            throw new EcgFormatException(path,
                $"reading {values} samples at once needs {Mb(bytes)} MB, more than half of the {Mb(2 * limit)} MB this process may use; " +
                "replay streams a record block by block (`ecgstream replay`)", field: field);
    }

    /// <summary>Reads up to this many values (64 MB) are never refused: no process runs with less to spare.</summary>
    private const long SmallRead = 1 << 24;

    private static long Mb(long bytes) => bytes / (1 << 20);
}
