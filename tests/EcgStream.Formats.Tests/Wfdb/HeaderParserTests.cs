using EcgStream.Formats.Wfdb;
using EcgStream.Tests;
using W = EcgStream.Formats.Wfdb.Wfdb;

namespace EcgStream.Formats.Tests.Wfdb;

public sealed class HeaderParserTests
{
    [Fact]
    public void Every_optional_field_and_suffix_is_parsed()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("r.hea"),
            "# leading comment\r\n" +
            "r 3 360/720(5) 1000 10:11:12.5 02/03/2004\r\n" +
            "r.dat 212x2:3+24 200(10)/uV 12 5 7 -3 0 Long description with spaces\r\n" +
            "r.dat 212x1:-1+24 0\r\n" +
            "s.dat 16\r\n" +
            "#Dx: 164889003\r\n");
        var h = W.ReadHeader(dir.File("r"));
        Assert.Equal(("r", 3, 360.0, (double?)720, 5.0, (long?)1000), (h.RecordName, h.SignalCount, h.SamplingFrequency, h.CounterFrequency, h.BaseCounter, h.SampleCount));
        Assert.Equal(new TimeSpan(0, 10, 11, 12, 500), h.BaseTime);
        Assert.Equal(new DateOnly(2004, 3, 2), h.BaseDate);
        Assert.Equal(["leading comment", "Dx: 164889003"], h.Comments);
        Assert.Equal("164889003", h.Comment("dx"));

        var a = h.Signals[0];
        Assert.Equal((212, 2, 3, 24L, 200.0, true, 10, "uV", 12, 5, 7, (short?)-3, 0, "Long description with spaces"),
            (a.Format, a.SamplesPerFrame, a.Skew, a.ByteOffset, a.AdcGain, a.IsCalibrated, a.Baseline, a.Units, a.AdcResolution, a.AdcZero, a.InitialValue, a.Checksum, a.BlockSize, a.Description));
        Assert.Equal("212x2:3+24", a.FormatField);

        // Defaults WFDB applies (header.5): gain 0 → 200 uncalibrated, baseline = ADC zero, units mV,
        // resolution from the format, initial value = ADC zero, description "record r, signal n".
        var b = h.Signals[1];
        Assert.Equal((1, -1, 200.0, false, 0, "mV", 12, 0, 0, (short?)null, "record r, signal 1"),
            (b.SamplesPerFrame, b.Skew, b.AdcGain, b.IsCalibrated, b.Baseline, b.Units, b.AdcResolution, b.AdcZero, b.InitialValue, b.Checksum, b.Description));
        Assert.Equal(16, h.Signals[2].AdcResolution);
    }

    [Fact]
    public void Absent_frequency_and_length_take_wfdb_defaults_and_the_file_length()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("n.hea"), "n 2\nn.dat 16\nn.dat 16\n");
        File.WriteAllBytes(dir.File("n.dat"), new byte[4 * 7 + 1]);   // 7 whole frames and a stray byte
        var h = W.ReadHeader(dir.File("n"));
        Assert.Equal(250, h.SamplingFrequency);
        Assert.Null(h.SampleCount);
        Assert.Equal(7, W.ReadRecord(dir.File("n")).Length);
    }

    [Theory]
    [InlineData("r 1 250 10 25:00:99", "base_time")]
    [InlineData("r 1 250 10 10:00:00 31/02/2020", "base_date")]
    [InlineData("r 1 250/0 10", "counter_freq")]
    [InlineData("r 1 250 -10", "sig_len")]
    [InlineData("r x 250 10", "n_sig")]
    public void Bad_record_line_fields_are_named(string recordLine, string field)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("r.hea"), recordLine + "\nr.dat 16 200 16 0 0 0 0 x\n");
        var e = Assert.Throws<EcgFormatException>(() => W.ReadHeader(dir.File("r")));
        Assert.Equal((field, 1), (e.Field, e.Line));
        Assert.Contains(dir.File("r.hea"), e.Message);
    }

    [Theory]
    [InlineData("r.dat 16x0", "samps_per_frame")]
    [InlineData("r.dat 16+x", "fmt")]
    [InlineData("r.dat 16 abc", "adc_gain")]
    [InlineData("r.dat 16 200 16 0 0 99999", "checksum")]
    [InlineData("r.dat 16 200 16 0 0 0 -5", "block_size")]
    [InlineData("~ 16", "file_name")]
    public void Bad_signal_line_fields_are_named(string signalLine, string field)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("r.hea"), "r 1 250 10\n" + signalLine + "\n");
        var e = Assert.Throws<EcgFormatException>(() => W.ReadHeader(dir.File("r")));
        Assert.Equal((field, 2), (e.Field, e.Line));
    }

    [Fact]
    public void Missing_header_is_a_file_not_found()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => W.ReadHeader(dir.File("nothing")));
        Assert.Contains("nothing.hea", e.Message);
    }
}
