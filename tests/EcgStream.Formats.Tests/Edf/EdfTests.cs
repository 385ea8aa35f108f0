using System.Text;
using EcgStream.Formats.Edf;
using EcgStream.Formats.Wfdb;

namespace EcgStream.Formats.Tests.Edf;

public sealed class EdfTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    /// <summary>A hand-made EDF: fixed header fields as given, one record per entry of <paramref name="records"/>.</summary>
    private static byte[] Build(string reserved, string[] labels, string[] dims, string[] physMin, string[] physMax, string[] digMin, string[] digMax,
        int[] spr, string duration, IReadOnlyList<byte[]> records, string? recordCount = null)
    {
        int ns = labels.Length;
        var sb = new StringBuilder();
        string P(string s, int w) => s.PadRight(w)[..w];
        sb.Append(P("0", 8)).Append(P("X X X X", 80)).Append(P("Startdate 01-JAN-2020 X X X", 80)).Append("01.01.20").Append("10.20.30")
          .Append(P((256 * (ns + 1)).ToString(), 8)).Append(P(reserved, 44)).Append(P(recordCount ?? records.Count.ToString(), 8))
          .Append(P(duration, 8)).Append(P(ns.ToString(), 4));
        foreach (var l in labels) sb.Append(P(l, 16));
        for (int i = 0; i < ns; i++) sb.Append(P("", 80));
        foreach (var d in dims) sb.Append(P(d, 8));
        foreach (var v in physMin) sb.Append(P(v, 8));
        foreach (var v in physMax) sb.Append(P(v, 8));
        foreach (var v in digMin) sb.Append(P(v, 8));
        foreach (var v in digMax) sb.Append(P(v, 8));
        for (int i = 0; i < ns; i++) sb.Append(P("", 80));
        foreach (var n in spr) sb.Append(P(n.ToString(), 8));
        for (int i = 0; i < ns; i++) sb.Append(P("", 32));
        return [.. Encoding.ASCII.GetBytes(sb.ToString()), .. records.SelectMany(r => r)];
    }

    private static byte[] Samples(params short[] v) => v.SelectMany(BitConverter.GetBytes).ToArray();

    private static byte[] Tal(string s, int bytes) { var b = new byte[bytes]; Encoding.ASCII.GetBytes(s).CopyTo(b, 0); return b; }

    private string Hand()
    {
        // ECG: −100..100 digital ↔ −1..1 mV; EMG in µV: 0..1000 digital ↔ 0..500 µV; annotations.
        var rec0 = Samples(50, -100, 100, 0, 500, 1000).Concat(Tal("+0\x14\x14\0+0.5\x15" + "1.5\x14(AFIB\x14\0", 32)).ToArray();
        var rec1 = Samples(0, 10, -10, 2, 0, 0).Concat(Tal("+1\x14\x14\0+1.25\x14lead off\x14noise\x14\0", 32)).ToArray();
        var bytes = Build("EDF+C", ["ECG I", "EMG", "EDF Annotations"], ["mV", "uV", ""], ["-1", "0", "-1"], ["1", "500", "1"],
            ["-100", "0", "-32768"], ["100", "1000", "32767"], [4, 2, 16], "1", [rec0, rec1]);
        // ECG samples are the first 4 of each record, EMG the next 2 (spr 4 vs 2 → two rates).
        string path = _dir.File("hand.edf");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Hand_made_file_scales_samples_and_reads_annotations()
    {
        string path = Hand();
        var h = EdfReader.ReadHeader(path);
        Assert.Equal(("EDF+C", 2L, 1.0, 3), (h.Reserved, h.DataRecords, h.RecordDuration, h.Signals.Count));
        Assert.Equal(new DateTime(2020, 1, 1, 10, 20, 30), h.Start);

        var ecg = EdfReader.Read(path, [0]);
        Assert.Equal(4, ecg.SampleRate);
        Assert.Equal("ECG I", ecg.Signals[0].Name);
        Assert.Equal([0.5f, -1f, 1f, 0f, 0f, 0.1f, -0.1f, 0.02f], ecg.Samples[0]);
        Assert.Equal(100, ecg.Signals[0].AdcGain);

        var emg = EdfReader.Read(path, [1]);
        Assert.Equal([0.25f, 0.5f, 0f, 0f], emg.Samples[0]);   // 500 digital = 250 µV = 0.25 mV

        var anns = EdfReader.ReadAnnotations(path);
        Assert.Equal([new EdfAnnotation(0.5, 1.5, "(AFIB"), new EdfAnnotation(1.25, null, "lead off"), new EdfAnnotation(1.25, null, "noise")], anns);
        Assert.Equal([new Annotation(2, AnnotationCode.Rhythm, Aux: "(AFIB"), new Annotation(5, AnnotationCode.Note, Aux: "lead off"), new Annotation(5, AnnotationCode.Note, Aux: "noise")],
            ecg.Annotations);
    }

    [Fact]
    public void Signals_of_different_rates_need_a_selection()
    {
        var e = Assert.Throws<EcgFormatException>(() => EdfReader.Read(Hand()));
        Assert.Contains("different sampling rates", e.Message);
        Assert.Contains("'ECG I' 4 Hz", e.Message);
    }

    [Fact]
    public void Written_file_reads_back_within_one_quantum()
    {
        var (record, _) = Synthetic.Make(3, 1234, 12, 200, 0);
        var withAnn = new Recording
        {
            Name = "w", SampleRate = 250, Signals = record.Signals, Samples = record.Samples,
            Annotations = [new Annotation(0, AnnotationCode.Rhythm, Aux: "(N"), new Annotation(700, AnnotationCode.Rhythm, Aux: "(AFIB"), new Annotation(701, AnnotationCode.Pvc)],
        };
        string path = _dir.File("w.edf");
        EdfWriter.Write(path, withAnn);
        var back = EdfReader.Read(path);
        Assert.Equal(250, back.SampleRate);
        Assert.Equal(1250, back.Length);                  // 5 whole 1-s records; the tail pads with 0 mV
        Assert.Equal(record.Signals.Select(s => s.Name), back.Signals.Select(s => s.Name));
        for (int c = 0; c < 3; c++)
        {
            float lo = record.Samples[c].Min(), hi = record.Samples[c].Max();
            double quantum = (hi - lo) / 65535.0 * 1.01 + 1e-6;
            for (int i = 0; i < 1234; i++) Assert.InRange(back.Samples[c][i], record.Samples[c][i] - quantum, record.Samples[c][i] + quantum);
            for (int i = 1234; i < 1250; i++) Assert.InRange(back.Samples[c][i], -quantum, quantum);
        }
        Assert.Equal([new Annotation(0, AnnotationCode.Rhythm, Aux: "(N"), new Annotation(700, AnnotationCode.Rhythm, Aux: "(AFIB"), new Annotation(701, AnnotationCode.Note, Aux: "V")],
            back.Annotations);
    }

    [Fact]
    public void Bad_files_name_the_file_and_the_field()
    {
        string path = _dir.File("bad.edf");
        byte[] rec = [.. Samples(1, 2), .. Tal("+0\x14\x14\0", 8)];
        byte[] Good(string reserved = "EDF+C", string physMax = "1", string count = "1") =>
            Build(reserved, ["ECG", "EDF Annotations"], ["mV", ""], ["-1", "-1"], [physMax, "1"], ["-100", "-32768"], ["100", "32767"], [2, 4], "1", [rec], count);

        File.WriteAllBytes(path, Good());
        Assert.Equal([0.01f, 0.02f], EdfReader.Read(path).Samples[0]);

        void Expect(byte[] bytes, params string[] fragments)
        {
            File.WriteAllBytes(path, bytes);
            var e = Assert.Throws<EcgFormatException>(() => EdfReader.Read(path));
            Assert.StartsWith(path, e.Message);
            foreach (var f in fragments) Assert.Contains(f, e.Message);
        }
        Expect(Good(reserved: "EDF+D"), "EDF+D (discontinuous) recordings are not supported");
        Expect(Good(physMax: "-1"), "physical minimum = maximum", "physical_maximum[0]");
        Expect(Good(count: "2"), "truncated", "2 data records");
        Expect([.. Good(), 0, 0], "header's record count or signal sizes are wrong");
        Expect(Good()[..^3], "truncated");
        Expect(Good()[..200], "shorter than the 256-byte EDF header");
        var v = Good(); v[0] = (byte)'1';
        Expect(v, "version '1'");
        var hb = Good(); "700     "u8.ToArray().CopyTo(hb, 184);
        Expect(hb, "header size 700 bytes disagrees with 2 signals");
        var tal = Good(); tal[^8] = (byte)'x';
        Expect(tal, "onset 'x0'");
    }

    [Theory]
    [InlineData("01.01.20", "10.20.30", true)]
    [InlineData("1.1.9999", "10.20.30", false)]    // a four-digit year: EDF's is two digits
    [InlineData("31.02.20", "10.20.30", false)]
    [InlineData("01.01.20", "-1.20.30", false)]
    [InlineData("xx.yy.zz", "10.20.30", false)]
    public void A_malformed_start_date_or_time_reads_as_start_unknown(string date, string time, bool known)
    {
        string path = _dir.File("start.edf");
        byte[] rec = [.. Samples(1, 2), .. Tal("+0\x14\x14\0", 8)];
        var bytes = Build("EDF+C", ["ECG", "EDF Annotations"], ["mV", ""], ["-1", "-1"], ["1", "1"], ["-100", "-32768"], ["100", "32767"], [2, 4], "1", [rec]);
        Encoding.ASCII.GetBytes(date.PadRight(8)).CopyTo(bytes, 168);
        Encoding.ASCII.GetBytes(time.PadRight(8)).CopyTo(bytes, 176);
        File.WriteAllBytes(path, bytes);
        var header = EdfReader.ReadHeader(path);
        Assert.Equal(known ? new DateTime(2020, 1, 1, 10, 20, 30) : null, header.Start);
        Assert.Equal([0.01f, 0.02f], EdfReader.Read(path).Samples[0]);
    }
}
