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
        Assert.Empty(h.Warnings);

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

    // Fields the samples depend on: a malformed one is refused with one line naming file, line and field.
    [Theory]
    [InlineData("r 1 250 -10", "sig_len", "sample count -10 is negative")]
    [InlineData("r 1 250 ten", "sig_len", "'ten' is not an integer")]
    [InlineData("r x 250 10", "n_sig", "'x' is not an integer")]
    [InlineData("r 1 fast 10", "fs", "'fast' is not a number")]
    [InlineData("r/2 1 250 10", "number_of_segments", "record 'r/2' is a multi-segment record; multi-segment records are not supported")]
    public void Bad_required_record_line_fields_are_refused(string recordLine, string field, string problem)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("r.hea"), recordLine + "\nr.dat 16 200 16 0 0 0 0 x\n");
        var e = Assert.Throws<EcgFormatException>(() => W.ReadHeader(dir.File("r")));
        Assert.Equal((field, 1), (e.Field, e.Line));
        Assert.Equal($"{dir.File("r.hea")}, line 1, field '{field}': {problem}", e.Message);
    }

    [Theory]
    [InlineData("r.dat 16x0", "samps_per_frame", "samples per frame 0 must be between 1 and 65536")]
    [InlineData("r.dat 16+x", "fmt", "format '16+x' is not of the form format[xN][:skew][+offset]")]
    [InlineData("r.dat 16 abc", "adc_gain", "'abc' is not of the form gain[(baseline)][/units]")]
    [InlineData("r.dat 16 200 16 zero", "adc_zero", "'zero' is not an integer")]   // no baseline given: ADC zero is the baseline
    [InlineData("r.dat 8 200 8 0 first", "init_value", "'first' is not an integer")] // format 8 integrates from it
    [InlineData("~ 16", "file_name", "signal file '~' (null signal) is not supported")]
    public void Bad_required_signal_line_fields_are_refused(string signalLine, string field, string problem)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("r.hea"), "r 1 250 10\n" + signalLine + "\n");
        var e = Assert.Throws<EcgFormatException>(() => W.ReadHeader(dir.File("r")));
        Assert.Equal((field, 2), (e.Field, e.Line));
        Assert.Equal($"{dir.File("r.hea")}, line 2, field '{field}': {problem}", e.Message);
    }

    // CinC 2021 writes the date before the time, with the month as a word: read without a warning.
    [Theory]
    [InlineData("r 1 500 10 12-May-2020 12:33:59")]
    [InlineData("r 1 500 10 12:33:59 12/05/2020")]
    [InlineData("r 1 500 10 12:33:59 12-May-2020")]
    [InlineData("r 1 500 10 12/05/2020 12:33:59")]
    public void Base_date_and_time_read_in_either_order(string recordLine)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("r.hea"), recordLine + "\nr.dat 16 200 16 0 0 0 0 x\n");
        var h = W.ReadHeader(dir.File("r"));
        Assert.Equal(new TimeSpan(12, 33, 59), h.BaseTime);
        Assert.Equal(new DateOnly(2020, 5, 12), h.BaseDate);
        Assert.Empty(h.Warnings);
    }

    [Fact]
    public void A_date_alone_is_read_as_the_date()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("r.hea"), "r 1 500 10 1-Jan-2001\nr.dat 16\n");
        var h = W.ReadHeader(dir.File("r"));
        Assert.Equal((null, (DateOnly?)new DateOnly(2001, 1, 1)), (h.BaseTime, h.BaseDate));
        Assert.Empty(h.Warnings);
    }

    // Fields that only describe the record: a malformed one is dropped (WFDB's default stands) with
    // one warning line, and the header still reads.
    [Theory]
    [InlineData("r 1 250 10 25:00:99", 1, "base_time", "'25:00:99' is neither a time of day (hh:mm:ss) nor a date (dd/mm/yyyy or dd-Mon-yyyy); ignored")]
    [InlineData("r 1 250 10 10:00:00 31/02/2020", 1, "base_date", "'31/02/2020' is neither a time of day (hh:mm:ss) nor a date (dd/mm/yyyy or dd-Mon-yyyy); ignored")]
    [InlineData("r 1 250 10 12-Mai-2020 12:33:59", 1, "base_time", "'12-Mai-2020' is neither a time of day (hh:mm:ss) nor a date (dd/mm/yyyy or dd-Mon-yyyy); ignored")]
    [InlineData("r 1 250 10 10:00:00 01/02/2020 UTC", 1, "record line", "1 field(s) after the base time and date ('UTC' …); ignored")]
    [InlineData("r 1 250/0 10", 1, "counter_freq", "counter frequency '0' is not a positive number; ignored")]
    [InlineData("r 1 250/100(x) 10", 1, "base_counter", "base counter 'x' is not a number; 0 is used")]
    [InlineData("r 1 250 10\nr.dat 16 200 twelve", 2, "adc_res", "'twelve' is not an integer; ignored")]
    [InlineData("r 1 250 10\nr.dat 16 200 40", 2, "adc_res", "ADC resolution 40 bits is outside 0..32; the format's 16 bits are used")]
    [InlineData("r 1 250 10\nr.dat 16 200(5) 16 zero", 2, "adc_zero", "'zero' is not an integer; ignored")]
    [InlineData("r 1 250 10\nr.dat 16 200 16 0 n/a", 2, "init_value", "'n/a' is not an integer; ignored")]
    [InlineData("r 1 250 10\nr.dat 16 200 16 0 0 99999", 2, "checksum", "checksum 99999 does not fit in 16 bits; the signal is read unverified")]
    [InlineData("r 1 250 10\nr.dat 16 200 16 0 0 sum", 2, "checksum", "'sum' is not an integer; ignored")]
    [InlineData("r 1 250 10\nr.dat 16 200 16 0 0 0 -5", 2, "block_size", "block size -5 is negative; read as 0 (not block-structured)")]
    public void Malformed_optional_fields_are_ignored_with_one_warning(string header, int line, string field, string problem)
    {
        using var dir = new TempDir();
        // A record line alone gets a plain signal line; otherwise the case's own signal line is used.
        string text = header.Contains('\n') ? header + "\n" : header + "\nr.dat 16 200 16 0 0 0 0 x\n";
        File.WriteAllText(dir.File("r.hea"), text);
        File.WriteAllBytes(dir.File("r.dat"), new byte[2 * 10]);
        var h = W.ReadHeader(dir.File("r"));
        Assert.Equal([$"{dir.File("r.hea")}, line {line}, field '{field}': {problem}"], h.Warnings);
        Assert.Equal((250.0, (long?)10, 1), (h.SamplingFrequency, h.SampleCount, h.SignalCount));
        var rec = W.ReadRecord(dir.File("r"));
        Assert.Equal(10, rec.Length);
        Assert.Equal(h.Warnings, rec.Warnings);
    }

    // A gain 1000 times too large (CinC 2020/2021's PTB and INCART headers) is read divided by 1000, with one warning.
    [Theory]
    [InlineData("S0001.mat 16+24 2000000/mV 16 0 -245 -3730 0 I", 2000.0, "gain 2000000/mV leaves lead I 0.0328 mV of range, less than any ECG; read as 2000/mV (a gain written 1000 times too large, as the CinC 2020/2021 PTB and INCART headers write theirs)")]
    [InlineData("r.dat 16 2000000/mV 16 0 0 0 0 V2", 2000.0, "gain 2000000/mV leaves lead V2 0.0328 mV of range, less than any ECG; read as 2000/mV (a gain written 1000 times too large, as the CinC 2020/2021 PTB and INCART headers write theirs)")]
    [InlineData("I0001.mat 16+24 306000/mV 16 0 0 0 0 AVR", 306.0, "gain 306000/mV leaves lead AVR 0.214 mV of range, less than any ECG; read as 306/mV (a gain written 1000 times too large, as the CinC 2020/2021 PTB and INCART headers write theirs)")]
    public void A_gain_1000_times_too_large_is_read_divided_by_1000(string signalLine, double gain, string problem)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("r.hea"), $"r 1 500 10\n{signalLine}\n");
        var h = W.ReadHeader(dir.File("r"));
        Assert.Equal(gain, h.Signals[0].AdcGain);
        Assert.Equal([$"{dir.File("r.hea")}, line 2, field 'adc_gain': {problem}"], h.Warnings);
    }

    [Fact]
    public void A_ptb_header_of_the_challenge_gets_its_gains_divided_by_1000_and_one_warning()
    {
        using var dir = new TempDir();
        string[] leads = ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"];
        File.WriteAllText(dir.File("S0001.hea"), "S0001 12 1000 38400 15-May-2020 15:22:05\n"
            + string.Concat(leads.Select(l => $"S0001.mat 16+24 2000000/mV 16 0 0 0 0 {l}\n")) + "#Age: 81\n#Dx: 164865005\n");
        var h = W.ReadHeader(dir.File("S0001"));
        Assert.All(h.Signals, s => Assert.Equal(2000.0, s.AdcGain));
        Assert.Equal([$"{dir.File("S0001.hea")}, line 2, field 'adc_gain': gain 2000000/mV leaves lead I 0.0328 mV of range, less than any ECG; " +
                      "read as 2000/mV, and 11 more leads so (a gain written 1000 times too large, as the CinC 2020/2021 PTB and INCART headers write theirs)"], h.Warnings);
    }

    [Fact]
    public void A_record_under_a_gain_1000_times_too_large_reads_in_millivolts()
    {
        using var dir = new TempDir();
        short[] digital = [0, 2000, -2000, 1000];
        File.WriteAllBytes(dir.File("r.dat"), digital.SelectMany(BitConverter.GetBytes).ToArray());
        File.WriteAllText(dir.File("r.hea"), "r 1 1000 4\nr.dat 16 2000000/mV 16 0 0 0 0 II\n");
        var rec = W.ReadRecord(dir.File("r"));
        Assert.Equal([0f, 1f, -1f, 0.5f], rec.Samples[0]);
        Assert.Single(rec.Warnings);
    }

    [Theory]
    [InlineData("r.mat 16+24 1000/mV 16 0 0 0 0 I")]                                   // CinC 2021's usual gain
    [InlineData("r.mat 16+24 2000000/mV 16 0 0 0 0 EEG")]                              // not an ECG lead
    [InlineData("data_84_2.dat 16 111074.41673370876(-585029)/mV 16 0 -19660 64875 0 I")] // CPSC 2021: 0.59 mV, fitted to the data
    [InlineData("r.mat 16+24 120000/mV 16 0 0 0 0 V1")]                                // 0.55 mV: small, kept
    [InlineData("r.dat 8 1000/mV 8 0 0 0 0 MLII")]                                   // format 8: first differences, any range
    [InlineData("r.mat 16+24 2000001/mV 16 0 0 0 0 V1")]                               // not a whole multiple of 1000: read as written (a flat lead)
    public void Other_gains_are_read_as_written(string signalLine)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("r.hea"), $"r 1 500 10\n{signalLine}\n");
        var h = W.ReadHeader(dir.File("r"));
        double written = double.Parse(signalLine.Split(' ')[2].Split('(', '/')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(written, h.Signals[0].AdcGain);
        Assert.Empty(h.Warnings);
    }

    [Fact]
    public void Missing_header_is_a_file_not_found()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => W.ReadHeader(dir.File("nothing")));
        Assert.Contains("nothing.hea", e.Message);
    }
}
