using EcgStream.Formats.Wfdb;
using W = EcgStream.Formats.Wfdb.Wfdb;

namespace EcgStream.Formats.Tests.Wfdb;

public sealed class RoundTripTests
{
    [Theory]
    [InlineData(16, 16, 1000.0, 0, 3, 5001)]
    [InlineData(16, 16, 200.0, -17, 12, 2500)]
    [InlineData(212, 12, 200.0, 1024 - 1024, 2, 3601)]
    [InlineData(212, 12, 200.0, 24, 3, 1001)]        // 3 signals × odd frames: the file ends on half a 212 pair
    [InlineData(24, 24, 5000.0, 100, 2, 999)]
    [InlineData(32, 24, 5000.0, 0, 2, 500)]
    [InlineData(80, 8, 20.0, 0, 2, 777)]
    [InlineData(61, 16, 1000.0, 5, 2, 640)]
    [InlineData(160, 16, 1000.0, 5, 2, 640)]
    [InlineData(310, 10, 100.0, 0, 2, 1000)]
    [InlineData(310, 10, 100.0, 0, 1, 1001)]
    [InlineData(311, 10, 100.0, 0, 3, 1001)]
    public void Written_record_reads_back_bit_exactly(int format, int bits, double gain, int baseline, int channels, int length)
    {
        var (record, digital) = Synthetic.Make(channels, length, bits, gain, baseline);
        using var dir = new TempDir();
        W.WriteRecord(dir.Path, record, new WfdbWriteOptions { Format = format, BaseTime = new TimeSpan(0, 13, 5, 7, 250), BaseDate = new DateOnly(2024, 2, 29) });
        string path = dir.File("synth");

        var h = W.ReadHeader(path);
        Assert.Equal(("synth", 250.0, (long?)length, channels), (h.RecordName, h.SamplingFrequency, h.SampleCount, h.SignalCount));
        Assert.Equal(new TimeSpan(0, 13, 5, 7, 250), h.BaseTime);
        Assert.Equal(new DateOnly(2024, 2, 29), h.BaseDate);
        Assert.Equal(["synthetic test record", "Dx: 426783006"], h.Comments);
        for (int c = 0; c < channels; c++)
        {
            var s = h.Signals[c];
            Assert.Equal(("synth.dat", format, gain, baseline, "mV", record.Signals[c].Name), (s.FileName, s.Format, s.AdcGain, s.Baseline, s.Units, s.Description));
            Assert.Equal(digital[c][0], s.InitialValue);
            int sum = 0;
            foreach (int v in digital[c]) sum += v;
            Assert.Equal(unchecked((short)sum), s.Checksum);
        }
        // The .dat holds exactly the bytes the format needs: nothing more, nothing less.
        Assert.Equal(SignalFormatsBytes(format, (long)length * channels), new FileInfo(dir.File("synth.dat")).Length);

        var back = W.ReadDigital(path);
        for (int c = 0; c < channels; c++) Assert.Equal(digital[c], back[c]);

        var rec = W.ReadRecord(path);
        for (int c = 0; c < channels; c++) Assert.Equal(record.Samples[c], rec.Samples[c]);
        Assert.Equal(record.Signals.Select(s => s.Name), rec.Signals.Select(s => s.Name));
    }

    private static long SignalFormatsBytes(int format, long samples) => format switch
    {
        212 => samples / 2 * 3 + (samples % 2 == 1 ? 2 : 0),
        310 => samples / 3 * 4 + (samples % 3) switch { 0 => 0, 1 => 2, _ => 4 },
        311 => samples / 3 * 4 + (samples % 3) switch { 0 => 0, 1 => 2, _ => 3 },
        8 or 80 => samples,
        24 => 3 * samples,
        32 => 4 * samples,
        _ => 2 * samples,
    };

    [Fact]
    public void Known_212_bytes_decode_to_known_values()
    {
        // signal.5's example pair: 0x123 and -0x123 (two's complement 0xEDD) pack as 23 E1 DD.
        using var dir = new TempDir();
        File.WriteAllText(dir.File("p.hea"), "p 2 100 1\np.dat 212 200 12 0 291 0 0 a\np.dat 212 200 12 0 -291 0 0 b\n");
        File.WriteAllBytes(dir.File("p.dat"), [0x23, 0xE1, 0xDD]);
        var d = W.ReadDigital(dir.File("p"));
        Assert.Equal(0x123, d[0][0]);
        Assert.Equal(-0x123, d[1][0]);
    }

    [Fact]
    public void Multiplexed_frames_with_several_samples_per_frame_skew_and_byte_offset()
    {
        // Signal a: 2 samples per frame; b: 1 per frame, skew 1 (its sample t is in frame t+1).
        using var dir = new TempDir();
        File.WriteAllText(dir.File("m.hea"), "m 2 100 4\nm.dat 16x2+4 100 16 0 1 0 0 a\nm.dat 16x1:1+4 100 16 0 0 0 0 b\n");
        short[] stream = [1, 2, 100, 3, 4, 101, 5, 6, 102, 7, 8, 103];
        var bytes = new byte[4 + 2 * stream.Length];
        for (int i = 0; i < stream.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(4 + 2 * i), stream[i]);
        File.WriteAllBytes(dir.File("m.dat"), bytes);
        var d = W.ReadDigital(dir.File("m"));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], d[0]);
        Assert.Equal([101, 102, 103, -32768], d[1]);    // past the end: WFDB's invalid sample
        var rec = W.ReadRecord(dir.File("m"));
        Assert.Equal([0.015f, 0.035f, 0.055f, 0.075f], rec.Samples[0]);   // frame means (1+2)/2 / 100 mV …
        Assert.True(float.IsNaN(rec.Samples[1][3]));
        var part = W.ReadDigital(dir.File("m"), 1, 3, [1]);
        Assert.Equal([102, 103], part[0]);
    }

    [Fact]
    public void Format_8_differences_integrate_from_the_initial_value()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("d.hea"), "d 1 100 5\nd.dat 8 100 8 0 10 0 0 x\n");
        File.WriteAllBytes(dir.File("d.dat"), [0, 5, 0xFF, 0xFE, 3]);   // +0 +5 −1 −2 +3
        Assert.Equal([10, 15, 14, 12, 15], W.ReadDigital(dir.File("d"))[0]);
        Assert.Equal([14, 12], W.ReadDigital(dir.File("d"), 2, 4)[0]);
    }

    [Fact]
    public void Long_records_decode_identically_across_the_reader_chunks()
    {
        // 100 000 frames × 2 signals: several 64K-sample decode chunks. Format 8 must carry each
        // signal's running value over chunk boundaries; a skewed 212 signal must take samples
        // from the next chunk.
        const int frames = 100_000;
        var rng = new Random(5);
        var diffs = new byte[2 * frames];
        var expected = new int[2][] { new int[frames], new int[frames] };
        int[] acc = [3, -7];
        for (int f = 0; f < frames; f++)
            for (int k = 0; k < 2; k++)
            {
                int d = rng.Next(-3, 4);
                diffs[2 * f + k] = (byte)(sbyte)d;
                acc[k] += d;
                expected[k][f] = acc[k];
            }
        using var dir = new TempDir();
        File.WriteAllText(dir.File("d8.hea"), $"d8 2 100 {frames}\nd8.dat 8 100 8 0 3 0 0 a\nd8.dat 8 100 8 0 -7 0 0 b\n");
        File.WriteAllBytes(dir.File("d8.dat"), diffs);
        Assert.Equal(expected, W.ReadDigital(dir.File("d8")));
        Assert.Equal(expected[1].AsSpan(32_760, 20).ToArray(), W.ReadDigital(dir.File("d8"), 32_760, 32_780, [1])[0]);

        var (record, digital) = Synthetic.Make(3, frames, 12, 200, 0);
        W.WriteRecord(dir.Path, record, new WfdbWriteOptions { Format = 212 });
        var hea = File.ReadAllText(dir.File("synth.hea"));
        int second = hea.IndexOf("synth.dat 212 ", hea.IndexOf("synth.dat 212 ", StringComparison.Ordinal) + 1, StringComparison.Ordinal);
        File.WriteAllText(dir.File("synth.hea"), hea[..second] + "synth.dat 212:2 " + hea[(second + "synth.dat 212 ".Length)..]);
        var skewed = W.ReadDigital(dir.File("synth"));
        Assert.Equal(digital[0], skewed[0]);
        Assert.Equal(digital[1].AsSpan(2).ToArray(), skewed[1].AsSpan(0, frames - 2).ToArray());
        Assert.Equal([-2048, -2048], skewed[1].AsSpan(frames - 2).ToArray());
        int boundary = 65_536 / 3;
        Assert.Equal(digital[1].AsSpan(boundary - 5 + 2, 10).ToArray(), W.ReadDigital(dir.File("synth"), boundary - 5, boundary + 5, [1])[0]);
    }

    [Fact]
    public void Microvolt_units_are_converted_to_millivolts_and_written_back_in_their_units()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("u.hea"), "u 1 500 3\nu.dat 16 1(0)/uV 16 0 1000 0 0 I\n");
        File.WriteAllBytes(dir.File("u.dat"), [0xE8, 0x03, 0x18, 0xFC, 0, 0]);  // 1000, -1000, 0 µV
        var rec = W.ReadRecord(dir.File("u"));
        Assert.Equal([1f, -1f, 0f], rec.Samples[0]);
        Assert.Equal("uV", rec.Signals[0].Units);
        W.WriteRecord(dir.File("out"), rec);
        Assert.Equal([1000, -1000, 0], W.ReadDigital(Path.Combine(dir.File("out"), "u"))[0]);
    }

    [Fact]
    public void Writing_a_sample_outside_the_format_range_names_the_sample_and_signal()
    {
        var (record, _) = Synthetic.Make(2, 100, 12, 200, 0);
        record.Samples[1][42] = 40f;   // 40 mV × 200 = 8000 > 2047
        using var dir = new TempDir();
        var e = Assert.Throws<ArgumentException>(() => W.WriteRecord(dir.Path, record, new WfdbWriteOptions { Format = 212 }));
        Assert.Contains("sample 42 of signal 1", e.Message);
        Assert.Contains("format 212", e.Message);
    }
}
