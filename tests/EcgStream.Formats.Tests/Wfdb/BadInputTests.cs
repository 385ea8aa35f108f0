using EcgStream.Formats.Wfdb;
using W = EcgStream.Formats.Wfdb.Wfdb;

namespace EcgStream.Formats.Tests.Wfdb;

/// <summary>Each way a WFDB record can lie gives an <see cref="EcgFormatException"/> naming the file and the problem.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly int[][] _digital;

    public BadInputTests()
    {
        var (record, digital) = Synthetic.Make(2, 1000, 12, 200, 0);
        _digital = digital;
        W.WriteRecord(_dir.Path, record, new WfdbWriteOptions { Format = 212 });
    }

    public void Dispose() => _dir.Dispose();

    private string Rec => _dir.File("synth");
    private string Hea => _dir.File("synth.hea");
    private string Dat => _dir.File("synth.dat");

    private void EditHeader(Func<string, string> edit) => File.WriteAllText(Hea, edit(File.ReadAllText(Hea)));

    private EcgFormatException Fails(string expectedFile, params string[] fragments)
    {
        var e = Assert.Throws<EcgFormatException>(() => W.ReadRecord(Rec));
        Assert.Equal(expectedFile, e.FilePath);
        Assert.StartsWith(expectedFile, e.Message);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
        return e;
    }

    [Fact]
    public void The_untouched_record_reads()
    {
        Assert.Equal(_digital, W.ReadDigital(Rec));
    }

    [Fact]
    public void Truncated_signal_file()
    {
        var bytes = File.ReadAllBytes(Dat);
        File.WriteAllBytes(Dat, bytes[..^10]);
        var e = Fails(Dat, "truncated", "1000 frames", "format 212", "3000 bytes", "2990");
        Assert.Equal(2990, e.ByteOffset);
    }

    [Fact]
    public void Header_claims_more_samples_than_the_file_holds()
    {
        EditHeader(t => t.Replace("synth 2 250 1000", "synth 2 250 1200"));
        Fails(Dat, "truncated", "1200 frames");
    }

    [Fact]
    public void Header_claims_fewer_samples_than_the_file_holds()
    {
        EditHeader(t => t.Replace("synth 2 250 1000", "synth 2 250 800"));
        Fails(Dat, "header's length or format is wrong", "800 frames");
    }

    [Fact]
    public void Header_lies_about_the_format()
    {
        EditHeader(t => t.Replace(" 212 ", " 16 "));
        Fails(Dat, "truncated", "format 16");
    }

    [Fact]
    public void Corrupt_sample_gives_a_checksum_mismatch()
    {
        var bytes = File.ReadAllBytes(Dat);
        bytes[1500] ^= 0x10;
        File.WriteAllBytes(Dat, bytes);
        var e = Fails(Dat, "checksum mismatch", "the header says");
        Assert.Equal("checksum", e.Field);
    }

    [Fact]
    public void Unknown_format_code()
    {
        EditHeader(t => t.Replace(" 212 ", " 999 "));
        var e = Fails(Hea, "signal format 999 is unknown", "supported: 8, 16");
        Assert.Equal(2, e.Line);
        Assert.Equal("fmt", e.Field);
    }

    [Theory]
    [InlineData("0", "must be positive")]
    [InlineData("-360", "must be positive")]
    [InlineData("NaN", "must be positive")]
    [InlineData("abc", "is not a number")]
    public void Bad_sampling_frequency(string fs, string problem)
    {
        EditHeader(t => t.Replace("synth 2 250 1000", $"synth 2 {fs} 1000"));
        var e = Fails(Hea, problem);
        Assert.Equal(("fs", 1), (e.Field, e.Line));
    }

    [Fact]
    public void Signal_count_disagrees_with_the_signal_lines()
    {
        EditHeader(t => t.Replace("synth 2 250 1000", "synth 3 250 1000"));
        Fails(Hea, "declares 3 signals but the header has 2 signal lines");
    }

    [Fact]
    public void Infinite_gain_is_refused_and_zero_gain_means_uncalibrated_200()
    {
        EditHeader(t => t.Replace(" 200(0)/mV", " 1e999(0)/mV"));
        var e = Fails(Hea, "ADC gain", "not a finite number");
        Assert.Equal("adc_gain", e.Field);

        // header.5: a gain of 0 is "uncalibrated" and 200 is assumed (the nstdb noise records say 0).
        EditHeader(t => t.Replace(" 1e999(0)/mV", " 200(0)/mV"));
        EditHeader(t => { int i = t.IndexOf(" 200(0)/mV", StringComparison.Ordinal); return t[..i] + " 0(0)/mV" + t[(i + 10)..]; });
        var h = W.ReadHeader(Rec);
        Assert.Equal(200, h.Signals[0].AdcGain);
        Assert.False(h.Signals[0].IsCalibrated);
        Assert.True(h.Signals[1].IsCalibrated);
    }

    [Fact]
    public void Multi_segment_records_are_refused()
    {
        EditHeader(t => t.Replace("synth 2 250 1000", "synth/3 2 250 1000"));
        Fails(Hea, "multi-segment records are not supported");
    }

    [Fact]
    public void A_signal_file_that_is_a_directory_is_named_as_one()
    {
        File.Delete(Dat);
        Directory.CreateDirectory(Dat);
        Fails(Hea, "signal file", "synth.dat", "is a directory");
    }

    [Fact]
    public void An_annotation_file_that_is_a_directory_is_named_as_one()
    {
        Directory.CreateDirectory(_dir.File("synth.atr"));
        var e = Assert.Throws<EcgFormatException>(() => W.ReadAnnotations(Rec, "atr"));
        Assert.Equal(_dir.File("synth.atr"), e.FilePath);
        Assert.Contains("is a directory, not an annotation file", e.Message);
    }

    [Theory]
    [InlineData("2147483647")]
    [InlineData("-1000")]
    public void A_skew_as_long_as_the_record_is_refused_on_its_field(string skew)
    {
        // the record holds 1000 frames: the signal would lie wholly outside it
        EditHeader(t => t.Replace("synth.dat 212 ", $"synth.dat 212:{skew} "));
        Fails(Hea, "line 2", "field 'skew'", $"skew {skew} samples is not less than the record's 1000 samples");
    }

    [Fact]
    public void Missing_signal_file_is_named()
    {
        File.Delete(Dat);
        Fails(Hea, "signal file", "synth.dat", "does not exist");
    }

    [Fact]
    public void Malformed_fields_name_line_and_field()
    {
        // The baseline decides every physical value: a malformed one is refused.
        EditHeader(t => t.Replace(" 200(0)/mV", " 200(zero)/mV"));
        var e = Fails(Hea, "'200(zero)/mV' is not of the form gain[(baseline)][/units]");
        Assert.Equal(("adc_gain", 2), (e.Field, e.Line));
    }

    [Fact]
    public void A_malformed_descriptive_field_reads_the_record_and_says_what_was_ignored()
    {
        // The ADC resolution only describes the converter: the samples read as before, with one warning per signal line.
        EditHeader(t => t.Replace(" 12 0 ", " twelve 0 "));
        var rec = W.ReadRecord(Rec);
        Assert.Equal(_digital, W.ReadDigital(Rec));
        Assert.Equal([$"{Hea}, line 2, field 'adc_res': 'twelve' is not an integer; ignored",
                      $"{Hea}, line 3, field 'adc_res': 'twelve' is not an integer; ignored"], rec.Warnings);
        Assert.Equal(12, rec.Signals[0].AdcResolution);   // format 212's natural width
    }

    [Fact]
    public void Empty_header()
    {
        File.WriteAllText(Hea, "# only a comment\n\n");
        Fails(Hea, "no record line");
    }

    [Fact]
    public void Annotation_file_errors_name_the_byte_offset()
    {
        string atr = _dir.File("synth.atr");
        File.WriteAllBytes(atr, [0x05, 0x04, 0x03, 0xFC, (byte)'(', (byte)'A']);   // AUX says 3 bytes, 2 follow
        var e = Assert.Throws<EcgFormatException>(() => W.ReadAnnotations(Rec));
        Assert.Equal((atr, 2L), (e.FilePath, e.ByteOffset));
        Assert.Contains("AUX says 3 bytes", e.Message);

        File.WriteAllBytes(atr, [0x05, 0x04, 0x00, 0xEC, 0x00]);                     // SKIP without its interval
        Assert.Contains("SKIP", Assert.Throws<EcgFormatException>(() => W.ReadAnnotations(Rec)).Message);

        File.WriteAllBytes(atr, [0x05, 0xD4, 0x00, 0x00]);                           // code 53
        Assert.Contains("annotation code 53 is not defined", Assert.Throws<EcgFormatException>(() => W.ReadAnnotations(Rec)).Message);

        File.WriteAllBytes(atr, [0x05, 0x04, 0x07]);                                 // odd length
        Assert.Contains("ends inside an annotation word", Assert.Throws<EcgFormatException>(() => W.ReadAnnotations(Rec)).Message);
    }

    [Fact]
    public void Annotations_out_of_time_order_are_refused_with_the_offset()
    {
        string atr = _dir.File("synth.atr");
        // N at 100, then SKIP −50 (0xFFFFFFCE, high word first) and N at +0: sample 50, before the first
        File.WriteAllBytes(atr, [0x64, 0x04, 0x00, 0xEC, 0xFF, 0xFF, 0xCE, 0xFF, 0x00, 0x04, 0x00, 0x00]);
        var e = Assert.Throws<EcgFormatException>(() => W.ReadAnnotations(Rec));
        Assert.Equal((atr, 8L), (e.FilePath, e.ByteOffset));
        Assert.Contains("annotation at sample 50 comes after one at sample 100", e.Message);
    }

    [Theory]
    [InlineData("4611686018427392404", 32)]   // × 4 bytes wraps to a small positive length
    [InlineData("9223372036854775807", 16)]
    public void A_sample_count_whose_size_overflows_is_refused_not_wrapped(string sigLen, int format)
    {
        File.WriteAllText(Hea, $"synth 1 250 {sigLen}\nsynth.dat {format} 200/mV 16 0 0 0 0 I\n");
        File.WriteAllBytes(Dat, new byte[18000]);
        var e = Fails(Hea, $"{sigLen} frames of 1 samples is beyond any file size");
        Assert.Equal("sig_len", e.Field);
    }

    [Fact]
    public void A_symbolic_link_loop_is_a_format_error_naming_the_path()
    {
        File.Delete(Hea);
        File.CreateSymbolicLink(Hea, Hea);
        var e = Fails(Hea, "cannot be read");
        Assert.IsType<IOException>(e.InnerException, exactMatch: false);
    }

    [Fact]
    public void A_signal_file_name_too_long_for_the_file_system_is_a_format_error()
    {
        EditHeader(h => h.Replace("synth.dat", new string('a', 300) + ".dat"));
        Fails(Hea, "cannot be read", new string('a', 300));
    }

    [Fact]
    public void A_whole_read_larger_than_the_memory_the_process_may_use_is_refused_before_it_allocates()
    {
        long limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        var e = Assert.Throws<EcgFormatException>(() => RecordFiles.CheckRead(Dat, limit, field: "sig_len"));
        Assert.Contains($"reading {limit} samples at once needs", e.Message);
        Assert.Contains("replay streams a record block by block", e.Message);
        RecordFiles.CheckRead(Dat, 1_000_000);   // 4 MB: fine
    }

    [Fact]
    public void An_unreadable_annotation_file_leaves_the_record_readable_with_a_warning()
    {
        File.WriteAllBytes(_dir.File("synth.atr"), [0x05, 0x04, 0x07]);   // odd length
        var rec = RecordReader.Read(Rec);
        Assert.Equal(1000, rec.Length);
        Assert.Empty(rec.Annotations);
        var warning = Assert.Single(rec.Warnings);
        Assert.Contains("ends inside an annotation word", warning);
        Assert.EndsWith("(its annotations are left out)", warning);
        Assert.Throws<EcgFormatException>(() => W.ReadAnnotations(Rec));   // read on its own, still refused
    }

    [Fact]
    public void A_gain_that_maps_samples_beyond_float_range_is_refused()
    {
        EditHeader(h => h.Replace(" 200(0)/mV", " 1e-40(0)/mV"));
        var e = Fails(Hea, "gain 1E-40 with baseline", "beyond what a float holds");
        Assert.Equal("adc_gain", e.Field);
    }

    [Fact]
    public void A_baseline_near_ints_limit_does_not_wrap()
    {
        EditHeader(h => h.Replace(" 200(0)/mV", " 200(-2147483648)/mV"));
        var rec = W.ReadRecord(Rec);
        // (d − b) in long: every sample lies 2^31 + d ADC units above the baseline, not wrapped to a negative value
        Assert.All(rec.Samples[0], v => Assert.True(v > 1e7f, $"{v}"));
    }

    [Fact]
    public void A_signal_file_reached_through_a_symbolic_link_is_measured_at_its_target()
    {
        File.Move(Dat, _dir.File("real.dat"));
        File.CreateSymbolicLink(Dat, _dir.File("real.dat"));
        Assert.Equal(_digital, W.ReadDigital(Rec));
    }

    [Fact]
    public void A_one_byte_annotation_file_is_refused()
    {
        File.WriteAllBytes(_dir.File("synth.atr"), [0x05]);
        Assert.Contains("ends inside an annotation word", Assert.Throws<EcgFormatException>(() => W.ReadAnnotations(Rec)).Message);
    }

    [Fact]
    public void A_byte_offset_past_the_end_of_a_file_without_sig_len_is_refused_not_read_as_empty()
    {
        EditHeader(h => h.Replace("synth 2 250 1000", "synth 2 250").Replace(" 212 ", " 212+9223372036854775807 "));
        var e = Assert.Throws<EcgFormatException>(() => W.ReadHeader(Rec) is var hd ? W.FrameCount(hd) : 0);
        Assert.Equal(("byte_offset", Dat), (e.Field, e.FilePath));
        Assert.Contains("lies past the end of the file (3000 bytes)", e.Message);
    }
}
