using System.Runtime.InteropServices;

namespace EcgStream.Core.Files;

/// <summary>
/// Whether a path is a regular file: records, models, configuration, splits, secrets and scenarios are read whole or by
/// seeking, and a FIFO or a device given in their place would block or never end.
/// </summary>
public static partial class RegularFiles
{
    // .NET reports a FIFO or a device as a plain file (FileAttributes.Normal, length 0) and has no public call for the file
    // type, so ask the kernel: statx(2), whose buffer has one layout on every architecture (x64 and arm64 alike), in glibc
    // since 2.28. Where it is missing (an older C library, a kernel before 4.11, a sandbox that forbids it) the check is
    // skipped and the readers behave as before it existed.
    private static volatile bool s_noStatx;

    /// <summary>
    /// "a FIFO", "a character device", "a block device" or "a socket" for a path that is one once symbolic links are
    /// followed; null for a regular file, a directory, a missing path or one that cannot be examined (the open that
    /// follows names its own error). Opening a FIFO waits for a writer, for ever when none comes, and /dev/zero reads for
    /// ever: every input a command or the daemon reads whole is asked this first.
    /// </summary>
    public static string? SpecialKind(string path)
    {
        if (!OperatingSystem.IsLinux() || s_noStatx) return null;
        StatxBuffer buffer;
        try
        {
            if (Statx(AtFdCwd, path, 0, StatxType, out buffer) != 0 || (buffer.Mask & StatxType) == 0) return null;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            s_noStatx = true;
            return null;
        }
        return (buffer.Mode & SIfMt) switch
        {
            SIfIfo => "a FIFO",
            SIfChr => "a character device",
            SIfBlk => "a block device",
            SIfSock => "a socket",
            _ => null,   // a regular file, or a directory (its own error follows)
        };
    }

    /// <summary>"not a regular file (a FIFO)" and the like for a path that is not one (see <see cref="SpecialKind"/>); null otherwise.
    /// Each reader puts it after the file's name in its own error.</summary>
    public static string? Problem(string path) => SpecialKind(path) is { } kind ? $"not a regular file ({kind})" : null;

    /// <summary>
    /// Refuses a path that is not a regular file (<see cref="Problem"/>) with an <see cref="InvalidDataException"/>
    /// "PATH: not a regular file (a FIFO)": for the tables and files a command reads whole (a dataset's label table, a
    /// split file, a model it hashes).
    /// </summary>
    public static void Require(string path)
    {
        if (Problem(path) is { } why) throw new InvalidDataException($"{path}: {why}");
    }

    private const int AtFdCwd = -100;        // relative paths from the working directory
    private const uint StatxType = 0x1;      // STATX_TYPE: only the file type is asked for
    private const int SIfMt = 0xF000, SIfIfo = 0x1000, SIfChr = 0x2000, SIfBlk = 0x6000, SIfSock = 0xC000;

    /// <summary>struct statx: stx_mask at 0, stx_mode at 28, 256 bytes in all.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(28)] public ushort Mode;
    }

    // flags 0: symbolic links are followed, so a link to /dev/zero is a character device
    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, out StatxBuffer buffer);
}
