using System.Diagnostics;
using WfdbIo = EcgStream.Formats.Wfdb.Wfdb;

namespace EcgStream.Formats.Tests;

/// <summary>
/// A FIFO or a device where a record file was expected is refused by name before it is opened: opening a FIFO waits for a
/// writer for ever, and /dev/zero reads for ever. Every read here runs under a time limit, so a regression fails instead of hanging.
/// </summary>
public sealed class SpecialFileTests : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly List<string> _fifos = [];

    public void Dispose()
    {
        Unblock();
        _tmp.Dispose();
    }

    private static string Problem(string kind) => $"not a regular file ({kind}): records are read by seeking in a file of known size; copy it to a file first";

    private string MakeFifo(string name)
    {
        string path = _tmp.File(name);
        if (File.Exists(path)) File.Delete(path);
        using var p = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        _fifos.Add(path);
        return path;
    }

    private string Link(string name, string target)
    {
        string path = _tmp.File(name);
        if (File.Exists(path)) File.Delete(path);
        File.CreateSymbolicLink(path, target);
        return path;
    }

    /// <summary>A 2-signal WFDB record (format 16, checksums, sig_len) written in the temp folder.</summary>
    private string WriteRecord(string name = "rec")
    {
        var (r, _) = Synthetic.Make(2, 500, 16, 200, 0);
        WfdbIo.WriteRecord(_tmp.Path, new Recording { Name = name, SampleRate = r.SampleRate, Signals = r.Signals, Samples = r.Samples });
        return _tmp.File(name);
    }

    /// <summary>
    /// Runs <paramref name="read"/> on another thread and gives it 10 s. A reader stuck in open() on a FIFO is released
    /// (a read-write open of the FIFO is the writer it waits for) so the test fails instead of hanging.
    /// </summary>
    private async Task<EcgFormatException> Refused(Action read)
    {
        var task = Task.Run(read);
        try { await task.WaitAsync(TimeSpan.FromSeconds(10)); }
        catch (TimeoutException)
        {
            Unblock();
            Assert.Fail("the reader was still blocked after 10 s");
        }
        catch (EcgFormatException e) { return e; }
        Assert.Fail("the reader read the file instead of refusing it");
        return null!;
    }

    private void Unblock()
    {
        foreach (var f in _fifos)
            try { new FileStream(f, FileMode.Open, FileAccess.ReadWrite).Dispose(); }   // does not block on Linux
            catch (IOException) { }
    }

    [Fact]
    public async Task A_header_that_is_a_FIFO_is_refused_by_name()
    {
        string hea = MakeFifo("rec.hea");
        var e = await Refused(() => WfdbIo.ReadHeader(_tmp.File("rec")));
        Assert.Equal($"{hea}: {Problem("a FIFO")}", e.Message);
        // the path every command and the daemon's file bed go through
        e = await Refused(() => RecordReader.Read(_tmp.File("rec")));
        Assert.Equal($"{hea}: {Problem("a FIFO")}", e.Message);
    }

    [Fact]
    public async Task A_signal_file_that_is_a_FIFO_is_refused_by_name()
    {
        string rec = WriteRecord();
        string dat = MakeFifo("rec.dat");
        var e = await Refused(() => RecordReader.Read(rec));
        Assert.Equal($"{dat}: {Problem("a FIFO")}", e.Message);
        e = await Refused(() => WfdbIo.ReadRecord(rec, 10, 20));
        Assert.Equal($"{dat}: {Problem("a FIFO")}", e.Message);
    }

    [Fact]
    public async Task A_header_without_sig_len_over_a_FIFO_is_refused_rather_than_read_as_an_empty_record()
    {
        string rec = WriteRecord();
        var lines = File.ReadAllLines(rec + ".hea");
        lines[0] = string.Join(' ', lines[0].Split(' ').Take(3));   // name, n_sig, fs: the length comes from the file
        File.WriteAllLines(rec + ".hea", lines);
        string dat = MakeFifo("rec.dat");
        var e = await Refused(() => RecordReader.Read(rec));
        Assert.Equal($"{dat}: {Problem("a FIFO")}", e.Message);
    }

    [Fact]
    public async Task A_challenge_mat_that_is_a_FIFO_is_refused_by_name()
    {
        // the .mat check reads the MAT header before the length check: it opened the FIFO first
        string rec = WriteRecord("m");
        File.WriteAllText(rec + ".hea", File.ReadAllText(rec + ".hea").Replace("m.dat", "m.mat"));
        File.Delete(rec + ".dat");
        string mat = MakeFifo("m.mat");
        var e = await Refused(() => RecordReader.Read(mat));
        Assert.Equal($"{mat}: {Problem("a FIFO")}", e.Message);
    }

    [Fact]
    public async Task An_EDF_file_that_is_a_FIFO_is_refused_by_name()
    {
        string edf = MakeFifo("x.edf");
        var e = await Refused(() => RecordReader.Read(edf));
        Assert.Equal($"{edf}: {Problem("a FIFO")}", e.Message);
    }

    [Fact]
    public async Task An_annotation_file_that_is_a_FIFO_is_refused_and_a_whole_read_goes_on_without_it()
    {
        string rec = WriteRecord();
        string atr = MakeFifo("rec.atr");
        var e = await Refused(() => WfdbIo.ReadAnnotations(rec));
        Assert.Equal($"{atr}: {Problem("a FIFO")}", e.Message);
        var read = Task.Run(() => RecordReader.Read(rec));
        var done = await read.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(500, done.Length);
        Assert.Contains($"{atr}: {Problem("a FIFO")} (its annotations are left out)", done.Warnings);
    }

    [Theory]
    [InlineData("/dev/zero", "x.edf")]
    [InlineData("/dev/null", "x.edf")]
    [InlineData("/dev/zero", "rec.hea")]
    [InlineData("/dev/zero", "rec.dat")]
    public async Task A_link_to_a_character_device_is_refused_by_the_link_s_name(string device, string name)
    {
        if (!File.Exists(device)) return;   // not on this machine
        string rec = WriteRecord();
        string link = Link(name, device);
        var e = await Refused(() => RecordReader.Read(name.EndsWith(".edf") ? link : rec));
        Assert.Equal($"{link}: {Problem("a character device")}", e.Message);
    }

    [Fact]
    public async Task Links_to_regular_files_are_followed_and_read()
    {
        string rec = WriteRecord();
        Directory.CreateDirectory(_tmp.File("links"));
        foreach (var ext in new[] { ".hea", ".dat" })
            File.CreateSymbolicLink(_tmp.File(Path.Combine("links", "rec" + ext)), rec + ext);
        var read = await Task.Run(() => RecordReader.Read(_tmp.File(Path.Combine("links", "rec")))).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(500, read.Length);
    }
}
