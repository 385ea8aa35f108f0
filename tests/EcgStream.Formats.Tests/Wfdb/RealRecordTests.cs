using EcgStream.Formats.Wfdb;
using EcgStream.Tests;

namespace EcgStream.Formats.Tests.Wfdb;

/// <summary>
/// Every record of ../shared/data reads whole, and each signal's samples sum to the checksum its
/// header states (the reader throws on a mismatch; these tests also count what was verified).
/// </summary>
public sealed class RealRecordTests
{
    private static (int Records, int Checked) ReadAll(IEnumerable<string> headers) => ReadAll(headers, out _);

    private static (int Records, int Checked) ReadAll(IEnumerable<string> headers, out int initialValueMismatches)
    {
        int records = 0, verified = 0;
        initialValueMismatches = 0;
        foreach (var hea in headers)
        {
            var h = Formats.Wfdb.Wfdb.ReadHeader(hea);
            var digital = Formats.Wfdb.Wfdb.ReadDigital(hea);
            Assert.Equal(h.SignalCount, digital.Length);
            for (int s = 0; s < h.SignalCount; s++)
            {
                Assert.Equal(h.SampleCount, digital[s].Length);
                // Independent recomputation of the checksum, beside the reader's own check.
                if (h.Signals[s].Checksum is { } expected)
                {
                    int sum = 0;
                    foreach (int v in digital[s]) sum += v;
                    Assert.Equal(expected, unchecked((short)sum));
                    verified++;
                }
                if (h.Signals[s].InitialValue != digital[s][0]) initialValueMismatches++;
            }
            records++;
        }
        return (records, verified);
    }

    private static IEnumerable<string> Headers(string folder, string pattern = "*.hea") =>
        Directory.EnumerateFiles(TestData.PathOf(folder), pattern, SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    [DataFact("mitdb")]
    public void Mitdb_all_records_match_their_checksums()
    {
        var (records, verified) = ReadAll(Headers("mitdb"), out int initialMismatches);
        Assert.Equal(0, initialMismatches);
        Assert.Equal(26, records);
        Assert.Equal(52, verified);
    }

    [DataFact("nstdb-noise")]
    public void Nstdb_noise_records_match_their_checksums()
    {
        var (records, verified) = ReadAll(Headers("nstdb-noise"), out int initialMismatches);
        Assert.Equal(0, initialMismatches);
        Assert.Equal(2, records);
        Assert.Equal(4, verified);
    }

    [DataFact("ptbxl")]
    public void Ptbxl_records500_match_their_checksums()
    {
        var (records, verified) = ReadAll(Headers(Path.Combine("ptbxl", "records500")), out int initialMismatches);
        Assert.Equal(0, initialMismatches);
        Assert.Equal(500, records);
        Assert.Equal(500 * 12, verified);
    }

    [DataFact("cpsc2021")]
    public void Cpsc2021_records_match_their_checksums()
    {
        // ../shared/data/README.md: patients 0, 21, 25, 84 and 101, 12 records of leads I and II.
        var patients = Headers("cpsc2021").Select(h => int.Parse(Path.GetFileName(h).Split('_')[1])).Distinct().Order();
        Assert.Equal(new[] { 0, 21, 25, 84, 101 }, patients);
        var (records, verified) = ReadAll(Headers("cpsc2021"), out int initialMismatches);
        Assert.Equal(0, initialMismatches);
        Assert.Equal(12, records);
        Assert.Equal(12 * 2, verified);
    }

    [DataFact("svdb")]
    public void Svdb_800_matches_its_checksums_and_the_readme()
    {
        var (records, verified) = ReadAll(Headers("svdb"), out int initialMismatches);
        Assert.Equal((1, 2, 0), (records, verified, initialMismatches));
        var h = Formats.Wfdb.Wfdb.ReadHeader(TestData.PathOf("svdb", "800"));
        // 2 channels, 128 Hz, 30 min (230400 frames), format 212.
        Assert.Equal((2, 128.0, (long?)230_400, 212), (h.SignalCount, h.SamplingFrequency, h.SampleCount, h.Signals[0].Format));
        // Both channels are named "ECG": no standard lead to map (docs/formats.md, known data quirks).
        Assert.Equal(["ECG", "ECG"], h.Signals.Select(x => x.Description));
        Assert.Equal(Core.Leads.LeadSet.None, Formats.Wfdb.Wfdb.ReadRecord(TestData.PathOf("svdb", "800")).Leads);
    }

    [DataFact("cinc2021")]
    public void Cpsc2018_records_in_cinc2021_header_style_read_date_before_time()
    {
        // "A0001 12 500 7500 12-May-2020 12:33:59": the challenge's own record line, date first.
        var a = Formats.Wfdb.Wfdb.ReadHeader(TestData.PathOf("cinc2021", "A0001"));
        Assert.Equal((500.0, (long?)7500, (TimeSpan?)new TimeSpan(12, 33, 59), (DateOnly?)new DateOnly(2020, 5, 12)),
            (a.SamplingFrequency, a.SampleCount, a.BaseTime, a.BaseDate));
        Assert.Empty(a.Warnings);
        Assert.Equal("59118001", a.Comment("Dx"));
        var q = Formats.Wfdb.Wfdb.ReadRecord(TestData.PathOf("cinc2021", "Q0001"));
        Assert.Equal((5000, Core.Leads.LeadSet.All), (q.Length, q.Leads));
        Assert.Empty(q.Warnings);
    }

    [DataFact("")]
    public void Every_header_under_the_data_folder_reads_without_a_warning()
    {
        // Whatever the folder holds (cinc2021, cpsc2021, mitdb, svdb, ptbxl, physionet2017, nstdb-noise, …):
        // each header parses cleanly, as distributed.
        int headers = 0;
        foreach (var hea in Headers(""))
        {
            var h = Formats.Wfdb.Wfdb.ReadHeader(hea);
            Assert.True(h.Warnings.Count == 0, string.Join("\n", h.Warnings));
            Assert.True(h.SignalCount > 0, hea);
            headers++;
        }
        // 12 cpsc2021 + 52 cinc2021 + 26 mitdb + 1 svdb + 2 nstdb-noise + 500 ptbxl + 6000 physionet2017 today.
        Assert.True(headers >= 6593, $"{headers} headers under {TestData.Root}");
    }

    [DataFact("physionet2017")]
    public void Physionet2017_mat_records_read_whole_with_header_lengths_and_initial_values()
    {
        // The 2017 headers state checksum 0 for every record without computing it: the reader
        // treats those as absent (nothing to verify), so here we check what can be checked: every
        // record reads whole, its length and initial value agree with the header.
        // 393 of the 6000 headers also state an initial value that is not the file's first sample
        // (measured; WFDB does not check that field outside format 8).
        var (records, verified) = ReadAll(Headers("physionet2017"), out int initialMismatches);
        Assert.Equal(6000, records);
        Assert.Equal(0, verified);
        Assert.Equal(393, initialMismatches);
        Assert.True(Formats.Wfdb.Wfdb.ReadHeader(TestData.PathOf("physionet2017", "A00001")).ChecksumsNotGiven);
    }

    [DataFact("cinc2021")]
    public void Cinc2021_mat_records_match_their_checksums()
    {
        var (records, verified) = ReadAll(Headers("cinc2021"), out int initialMismatches);
        Assert.Equal(0, initialMismatches);
        // 50 challenge records (E…, HR…, JS…) and the two CPSC 2018 records A0001 and Q0001.
        Assert.Equal(52, records);
        Assert.Equal(52 * 12, verified);
    }

    [DataFact("mitdb")]
    public void Mitdb_101_header_and_physical_values()
    {
        var path = TestData.PathOf("mitdb", "101");
        var h = Formats.Wfdb.Wfdb.ReadHeader(path);
        Assert.Equal("101", h.RecordName);
        Assert.Equal(360, h.SamplingFrequency);
        Assert.Equal(650000, h.SampleCount);
        Assert.Equal(212, h.Signals[0].Format);
        Assert.Equal(200, h.Signals[0].AdcGain);
        Assert.Equal(1024, h.Signals[0].Baseline);
        Assert.Equal(11, h.Signals[0].AdcResolution);
        Assert.Equal("MLII", h.Signals[0].Description);
        Assert.Equal("V1", h.Signals[1].Description);
        Assert.Contains("Diapres", h.Comments);

        var rec = Formats.Wfdb.Wfdb.ReadRecord(path);
        Assert.Equal(650000, rec.Length);
        Assert.Equal(2, rec.Signals.Count);
        Assert.Equal(0, rec.ChannelOf(Core.Leads.Lead.II));   // MLII
        Assert.Equal(1, rec.ChannelOf(Core.Leads.Lead.V1));
        // First samples are the header's initial values: (955 − 1024) / 200 mV and (992 − 1024) / 200 mV.
        Assert.Equal(-0.345f, rec.Samples[0][0], 6);
        Assert.Equal(-0.16f, rec.Samples[1][0], 6);
    }

    [DataFact("mitdb")]
    public void A_selection_equals_the_same_slice_of_a_full_read()
    {
        var path = TestData.PathOf("mitdb", "208");
        var full = Formats.Wfdb.Wfdb.ReadDigital(path);
        foreach (var (from, to) in new (long, long)[] { (0, 1), (1, 2), (12345, 12346), (333_333, 334_000), (649_999, 650_000), (100, 100) })
        {
            var part = Formats.Wfdb.Wfdb.ReadDigital(path, from, to, [1]);
            Assert.Single(part);
            Assert.Equal(full[1].AsSpan((int)from, (int)(to - from)).ToArray(), part[0]);
            var both = Formats.Wfdb.Wfdb.ReadDigital(path, from, to);
            Assert.Equal(full[0].AsSpan((int)from, (int)(to - from)).ToArray(), both[0]);
        }
    }

    [DataFact("physionet2017")]
    public void Physionet2017_A00001_header_fields()
    {
        var h = Formats.Wfdb.Wfdb.ReadHeader(TestData.PathOf("physionet2017", "A00001.hea"));
        Assert.Equal(300, h.SamplingFrequency);
        Assert.Equal(9000, h.SampleCount);
        Assert.Equal(new TimeSpan(5, 5, 15), h.BaseTime);
        Assert.Equal(new DateOnly(2000, 5, 1), h.BaseDate);
        var s = h.Signals[0];
        Assert.Equal(("A00001.mat", 16, 24L, 1000.0, -127), (s.FileName, s.Format, s.ByteOffset, s.AdcGain, s.InitialValue));
    }

    [DataFact("cinc2021")]
    public void Cinc2021_keeps_dx_comments_and_twelve_leads()
    {
        var path = TestData.PathOf("cinc2021", "E07500");
        var h = Formats.Wfdb.Wfdb.ReadHeader(path);
        Assert.Equal("67741000119109,426177001", h.Comment("Dx"));
        Assert.True(h.Signals[0].HasExplicitFrame);
        Assert.Equal("16x1+24", h.Signals[0].FormatField);
        var rec = Formats.Wfdb.Wfdb.ReadRecord(path);
        Assert.Equal(Core.Leads.LeadSet.All, rec.Leads);
        Assert.Equal(5000, rec.Length);
    }
}
