using EcgStream.Formats.Edf;
using EcgStream.Formats.Mat;
using EcgStream.Formats.Wfdb;
using EcgStream.Tests;
using W = EcgStream.Formats.Wfdb.Wfdb;

namespace EcgStream.Formats.Tests;

/// <summary>
/// Damaged files — random truncations and bit flips of real and synthetic headers, signal files,
/// annotation files, EDF and MAT files — give either a result or an <see cref="EcgFormatException"/>,
/// never another exception, a crash or a hang.
/// </summary>
public sealed class FuzzTests
{
    private const int Rounds = 150;

    private static byte[] Mutate(Random rng, byte[] original)
    {
        var b = (byte[])original.Clone();
        switch (rng.Next(4))
        {
            case 0: return b[..rng.Next(b.Length + 1)];                         // truncation
            case 1:                                                              // bit flips
                for (int k = rng.Next(1, 4); k > 0 && b.Length > 0; k--) b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
                return b;
            case 2:                                                              // a random byte
                if (b.Length > 0) b[rng.Next(b.Length)] = (byte)rng.Next(256);
                return b;
            default:                                                             // a digit changed (headers are text)
                var digits = Enumerable.Range(0, b.Length).Where(i => b[i] is >= (byte)'0' and <= (byte)'9').ToArray();
                if (digits.Length > 0) b[digits[rng.Next(digits.Length)]] = (byte)('0' + rng.Next(10));
                return b;
        }
    }

    /// <summary>Runs <paramref name="read"/> on mutations of <paramref name="file"/>; returns how many read and how many were refused.</summary>
    private static (int Ok, int Refused) Fuzz(string file, Action read, int seed)
    {
        var original = File.ReadAllBytes(file);
        var rng = new Random(seed);
        int ok = 0, refused = 0;
        try
        {
            for (int i = 0; i < Rounds; i++)
            {
                File.WriteAllBytes(file, Mutate(rng, original));
                try { read(); ok++; }
                catch (EcgFormatException) { refused++; }
                catch (Exception e)
                {
                    Assert.Fail($"round {i} on {Path.GetFileName(file)}: {e.GetType().Name}: {e.Message}");
                }
            }
        }
        finally { File.WriteAllBytes(file, original); }
        return (ok, refused);
    }

    private static void CopyRecord(string folder, string record, string to, params string[] extensions)
    {
        foreach (var ext in extensions) File.Copy(TestData.PathOf(folder, record + ext), Path.Combine(to, record + ext));
    }

    [Fact]
    public void Synthetic_212_record_header_and_signal()
    {
        using var dir = new TempDir();
        var (record, _) = Synthetic.Make(3, 301, 12, 200, 0);
        W.WriteRecord(dir.Path, record, new WfdbWriteOptions { Format = 212 });
        var rec = dir.File("synth");
        var (okH, badH) = Fuzz(dir.File("synth.hea"), () => W.ReadRecord(rec), 1);
        var (okD, badD) = Fuzz(dir.File("synth.dat"), () => W.ReadRecord(rec), 2);
        Assert.True(badH > 0 && badD > 0, $"header {okH}/{badH}, signal {okD}/{badD}: damage must be noticed");
    }

    [DataFact("physionet2017")]
    public void Physionet2017_header_and_mat()
    {
        using var dir = new TempDir();
        CopyRecord("physionet2017", "A00001", dir.Path, ".hea", ".mat");
        var rec = dir.File("A00001");
        var (_, badH) = Fuzz(dir.File("A00001.hea"), () => RecordReader.Read(rec), 3);
        var (_, badM) = Fuzz(dir.File("A00001.mat"), () => RecordReader.Read(rec), 4);
        var (_, badV) = Fuzz(dir.File("A00001.mat"), () => MatV4.Read(dir.File("A00001.mat")), 5);
        Assert.True(badH > 0 && badM > 0 && badV > 0);
    }

    [DataFact("mitdb")]
    public void Mitdb_annotation_file()
    {
        using var dir = new TempDir();
        File.Copy(TestData.PathOf("mitdb", "203.atr"), dir.File("203.atr"));
        var (_, bad) = Fuzz(dir.File("203.atr"), () => W.ReadAnnotations(dir.File("203")), 6);
        Assert.True(bad > 0);
    }

    [DataFact("cinc2021")]
    public void Cinc2021_header()
    {
        using var dir = new TempDir();
        CopyRecord("cinc2021", "E07500", dir.Path, ".hea", ".mat");
        var (_, bad) = Fuzz(dir.File("E07500.hea"), () => RecordReader.Read(dir.File("E07500.hea")), 7);
        Assert.True(bad > 0);
    }

    [Fact]
    public void Edf_plus_file()
    {
        using var dir = new TempDir();
        var (record, _) = Synthetic.Make(2, 500, 12, 200, 0);
        var annotated = new Recording
        {
            Name = "e", SampleRate = 250, Signals = record.Signals, Samples = record.Samples,
            Annotations = [new Annotation(10, AnnotationCode.Rhythm, Aux: "(AFIB"), new Annotation(400, AnnotationCode.Note, Aux: "lead off")],
        };
        string edf = dir.File("e.edf");
        EdfWriter.Write(edf, annotated);
        var (_, bad) = Fuzz(edf, () => EdfReader.Read(edf), 8);
        Assert.True(bad > 0);
    }
}
