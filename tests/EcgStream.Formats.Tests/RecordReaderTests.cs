using EcgStream.Core.Leads;
using EcgStream.Formats.Edf;
using EcgStream.Formats.Wfdb;
using EcgStream.Tests;

namespace EcgStream.Formats.Tests;

public sealed class RecordReaderTests
{
    [Theory]
    [InlineData("ecg.csv")]
    [InlineData("ecg.TXT")]
    public void A_text_recording_is_refused_as_one_not_looked_up_as_a_wfdb_header(string name)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File(name), "I,II\n0.1,0.2\n");
        var e = Assert.Throws<EcgFormatException>(() => RecordReader.Read(dir.File(name)));
        Assert.Equal($"{dir.File(name)}: CSV/text recordings are not read; convert it to a WFDB record or EDF (e.g. with wfdb-python's wrsamp)", e.Message);
    }

    [DataFact("mitdb")]
    public void Wfdb_record_comes_with_its_reference_annotations()
    {
        foreach (var path in new[] { TestData.PathOf("mitdb", "201"), TestData.PathOf("mitdb", "201.hea"), TestData.PathOf("mitdb", "201.dat") })
        {
            var rec = RecordReader.Read(path);
            Assert.Equal(("201", 360.0, 650_000), (rec.Name, rec.SampleRate, rec.Length));
            Assert.Equal(LeadSet.Of(Lead.II, Lead.V1), rec.Leads);
            Assert.Contains(rec.Annotations, a => a.Rhythm == "AFIB");
        }
    }

    [DataFact("cinc2021")]
    public void Challenge_mat_reads_through_the_header_beside_it()
    {
        var rec = RecordReader.Read(TestData.PathOf("cinc2021", "E07500.mat"));
        Assert.Equal(12, rec.Signals.Count);
        Assert.Equal(11, rec.ChannelOf(Lead.V6));
        Assert.Contains("Dx: 67741000119109,426177001", rec.Comments);
        // I = II − III holds sample by sample within rounding of the recorded values.
        int i = rec.ChannelOf(Lead.I), ii = rec.ChannelOf(Lead.II), iii = rec.ChannelOf(Lead.III);
        int close = 0;
        for (int k = 0; k < rec.Length; k++) if (Math.Abs(rec.Samples[i][k] - (rec.Samples[ii][k] - rec.Samples[iii][k])) <= 0.011) close++;
        Assert.True(close > 0.95 * rec.Length, $"Einthoven's law holds on {close} of {rec.Length} samples");
    }

    [Fact]
    public void Edf_is_dispatched_by_extension()
    {
        using var dir = new TempDir();
        var (record, _) = Synthetic.Make(2, 500, 12, 200, 0);
        EdfWriter.Write(dir.File("x.edf"), record);
        var back = RecordReader.Read(dir.File("x.edf"));
        Assert.Equal(250, back.SampleRate);
        Assert.Equal(LeadSet.Of(Lead.I, Lead.II), back.Leads);
    }

    [Fact]
    public void Recording_rejects_ragged_channels_and_bad_rates()
    {
        var info = new SignalInfo { Name = "I" };
        Assert.Throws<ArgumentException>(() => new Recording { Name = "r", SampleRate = 250, Signals = [info, info], Samples = [new float[3], new float[4]] });
        Assert.Throws<ArgumentException>(() => new Recording { Name = "r", SampleRate = 250, Signals = [info], Samples = [new float[3], new float[3]] });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Recording { Name = "r", SampleRate = 0, Signals = [info], Samples = [new float[3]] });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Recording { Name = "r", SampleRate = double.NaN, Signals = [info], Samples = [new float[3]] });
    }

    [Fact]
    public void Annotation_symbols_follow_the_wfdb_table()
    {
        Assert.Equal("N", new Annotation(0, AnnotationCode.Normal).Symbol);
        Assert.Equal("+", new Annotation(0, AnnotationCode.Rhythm).Symbol);
        Assert.Equal("/", AnnotationCodes.Symbol(AnnotationCode.Paced));
        Assert.Equal("[42]", AnnotationCodes.Symbol((AnnotationCode)42));
        Assert.True(AnnotationCodes.TryParse("V", out var v) && v == AnnotationCode.Pvc);
        Assert.True(AnnotationCodes.IsBeat(AnnotationCode.Fusion));
        Assert.False(AnnotationCodes.IsBeat(AnnotationCode.Rhythm));
        Assert.Equal("AFIB", new Annotation(0, AnnotationCode.Rhythm, Aux: "(AFIB").Rhythm);
        Assert.Null(new Annotation(0, AnnotationCode.Note, Aux: "(AFIB").Rhythm);
    }
}
