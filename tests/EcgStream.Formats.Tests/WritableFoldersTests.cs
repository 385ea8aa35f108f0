namespace EcgStream.Formats.Tests;

/// <summary>The one probe the CLI's output folders and the daemon's annotation folder share.</summary>
public sealed class WritableFoldersTests
{
    private static string ProbeName => $".ecgstream-write-test-{Environment.ProcessId}";

    [Fact]
    public void A_missing_folder_and_its_parents_are_made_and_left_empty()
    {
        using var tmp = new TempDir();
        var folder = tmp.File(Path.Combine("a", "b", "c"));
        WritableFolders.Prove(folder);
        Assert.True(Directory.Exists(folder));
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));   // the probe is gone
    }

    [Fact]
    public void A_probe_left_behind_by_an_earlier_process_with_the_same_id_does_not_refuse_the_folder()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File(ProbeName), "stale");
        WritableFolders.Prove(tmp.Path);
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp.Path));
    }

    [Fact]
    public void A_file_in_the_way_and_an_unwritable_place_throw_what_the_file_system_says()
    {
        using var tmp = new TempDir();
        var file = tmp.File("plain");
        File.WriteAllText(file, "");
        // the callers put their option or key in front of these messages: they must stay the runtime's own
        string expected = Assert.ThrowsAny<IOException>(() => Directory.CreateDirectory(file)).Message;
        Assert.Equal(expected, Assert.ThrowsAny<IOException>(() => WritableFolders.Prove(file)).Message);
        expected = Assert.ThrowsAny<IOException>(() => Directory.CreateDirectory("/proc/nope")).Message;
        Assert.Equal(expected, Assert.ThrowsAny<IOException>(() => WritableFolders.Prove("/proc/nope")).Message);
        // a folder that exists but cannot be written (root writes anywhere; /proc refuses even root)
        var e = Record.Exception(() => WritableFolders.Prove("/proc/self"));
        Assert.True(e is IOException or UnauthorizedAccessException, e?.ToString() ?? "no exception");
    }
}
