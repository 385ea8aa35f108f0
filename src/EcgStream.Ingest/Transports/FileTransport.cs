namespace EcgStream.Ingest.Transports;

/// <summary>Recorded byte streams and pipes: a file, or standard input ("-").</summary>
public static class FileTransport
{
    public static Stream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path == "-") return Console.OpenStandardInput();
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, useAsync: false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot read {path}: {e.Message}", e);
        }
    }
}
