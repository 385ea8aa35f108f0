using EcgStream.Formats.Wfdb;
using EcgStream.Tests;
using W = EcgStream.Formats.Wfdb.Wfdb;

namespace EcgStream.Formats.Tests.Wfdb;

/// <summary>
/// Our writers reproduce files that PhysioNet's own tools wrote, byte for byte: the strongest
/// evidence available here (no WFDB tools on this machine) that what we write, they read.
/// </summary>
public sealed class PhysioNetBytesTests
{
    [DataFact("mitdb")]
    public void Mitdb_annotation_files_reencode_byte_for_byte()
    {
        int files = 0;
        foreach (var atr in Directory.EnumerateFiles(TestData.PathOf("mitdb"), "*.atr"))
        {
            Reencodes(Path.ChangeExtension(atr, null));
            files++;
        }
        Assert.Equal(26, files);
    }

    private static void Reencodes(string path)
    {
        // The MIT-BIH files count a terminating NUL in each aux string ("(N\0", 3 bytes); we, like
        // wfdb-python, write the string alone. Both read the same in WFDB. Apart from that
        // convention, our bytes are the original's: same words, SKIPs, modifiers and order.
        var original = WithoutAuxNul(File.ReadAllBytes(path + ".atr"));
        Assert.Equal(original, W.EncodeAnnotations(W.ReadAnnotations(path)));
    }

    private static byte[] WithoutAuxNul(byte[] file)
    {
        var output = new List<byte>(file.Length);
        int pos = 0;
        while (pos + 1 < file.Length)
        {
            int word = file[pos] | (file[pos + 1] << 8), code = word >> 10, n = word & 0x3FF;
            if (code == 63)
            {
                var text = file.AsSpan(pos + 2, n);
                int len = text.IndexOf((byte)0) is var z and >= 0 ? z : n;
                output.Add((byte)len); output.Add((byte)((63 << 2) | (len >> 8)));
                output.AddRange(text[..len].ToArray());
                if (len % 2 == 1) output.Add(0);
                pos += 2 + n + (n & 1);
                continue;
            }
            int extra = code == 59 ? 4 : 0;
            output.AddRange(file.AsSpan(pos, 2 + extra).ToArray());
            pos += 2 + extra;
        }
        return output.ToArray();
    }

    [DataFact("cpsc2021")]
    public void Cpsc2021_annotation_files_reencode_byte_for_byte()
    {
        foreach (var atr in Directory.EnumerateFiles(TestData.PathOf("cpsc2021"), "*.atr"))
            Assert.Equal(File.ReadAllBytes(atr), W.EncodeAnnotations(W.ReadAnnotations(atr)));
    }

    [DataFact("mitdb")]
    public void Rewritten_mitdb_212_record_equals_the_original() => RewritesIdentically("mitdb", "208", 212);

    [DataFact("ptbxl")]
    public void Rewritten_ptbxl_16_record_equals_the_original() => RewritesIdentically("ptbxl", "records500/00000/00001_hr", 16);

    private static void RewritesIdentically(string folder, string record, int format)
    {
        string path = TestData.PathOf(folder, record);
        var rec = W.ReadRecord(path);
        using var dir = new TempDir();
        W.WriteRecord(dir.Path, rec, new WfdbWriteOptions { Format = format });
        string name = Path.GetFileName(record);
        Assert.Equal(File.ReadAllBytes(path + ".dat"), File.ReadAllBytes(dir.File(name + ".dat")));

        var original = W.ReadHeader(path);
        var ours = W.ReadHeader(dir.File(name));
        Assert.Equal((original.SamplingFrequency, original.SampleCount, original.SignalCount), (ours.SamplingFrequency, ours.SampleCount, ours.SignalCount));
        for (int s = 0; s < original.SignalCount; s++)
        {
            var a = original.Signals[s];
            var b = ours.Signals[s];
            Assert.Equal((a.Format, a.AdcGain, a.Baseline, a.Units, a.AdcZero, a.InitialValue, a.Checksum, a.Description),
                         (b.Format, b.AdcGain, b.Baseline, b.Units, b.AdcZero, b.InitialValue, b.Checksum, b.Description));
        }
    }
}
