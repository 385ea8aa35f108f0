using EcgStream.Formats.Wfdb;
using EcgStream.Tests;

namespace EcgStream.Formats.Tests.Wfdb;

public sealed class RealAnnotationTests
{
    // Beat totals per record in the MIT-BIH Arrhythmia Database Directory (Moody & Mark),
    // i.e. the number of annotations that label a QRS complex.
    public static TheoryData<string, int> MitdbBeatTotals => new()
    {
        { "101", 1865 }, { "102", 2187 }, { "104", 2229 }, { "106", 2027 }, { "107", 2137 }, { "108", 1763 },
        { "109", 2532 }, { "112", 2539 }, { "114", 1879 }, { "115", 1953 }, { "116", 2412 }, { "118", 2278 },
        { "119", 1987 }, { "122", 2476 }, { "124", 1619 }, { "201", 1963 }, { "203", 2980 }, { "205", 2656 },
        { "207", 1860 }, { "208", 2955 }, { "209", 3005 }, { "215", 3363 }, { "217", 2208 }, { "220", 2048 },
        { "223", 2605 }, { "230", 2256 },
    };

    [DataTheory("mitdb")]
    [MemberData(nameof(MitdbBeatTotals))]
    public void Mitdb_beat_counts_match_the_database_directory(string record, int beats)
    {
        var anns = Formats.Wfdb.Wfdb.ReadAnnotations(TestData.PathOf("mitdb", record));
        Assert.Equal(beats, anns.Count(a => a.IsBeat));
        Assert.True(IsSorted(anns));
        Assert.All(anns, a => Assert.InRange(a.Sample, 0, 650_000));
        var first = anns.First(a => a.Code == AnnotationCode.Rhythm);
        Assert.StartsWith("(", first.Aux);
    }

    [DataFact("mitdb")]
    public void Mitdb_201_and_203_carry_af_and_flutter_rhythm_strings()
    {
        var r201 = Formats.Wfdb.Wfdb.ReadAnnotations(TestData.PathOf("mitdb", "201"));
        var rhythms201 = r201.Where(a => a.Code == AnnotationCode.Rhythm).Select(a => a.Aux).ToHashSet();
        Assert.Contains("(AFIB", rhythms201);
        Assert.Contains("(N", rhythms201);
        var r203 = Formats.Wfdb.Wfdb.ReadAnnotations(TestData.PathOf("mitdb", "203"));
        var rhythms203 = r203.Where(a => a.Code == AnnotationCode.Rhythm).Select(a => a.Rhythm).ToHashSet();
        Assert.Contains("AFL", rhythms203);
        Assert.Contains("AFIB", rhythms203);
        Assert.Contains("VT", rhythms203);
        // Odd-length strings ("(AFIB", 5 bytes + pad) and even ones ("(N", "(AFL"?) both decode without NULs.
        Assert.All(r201.Concat(r203).Where(a => a.Aux is not null), a => Assert.DoesNotContain('\0', a.Aux!));
    }

    [DataFact("mitdb")]
    public void Every_mitdb_annotation_file_reencodes_to_the_same_annotations()
    {
        int files = 0;
        foreach (var atr in Directory.EnumerateFiles(TestData.PathOf("mitdb"), "*.atr"))
        {
            var anns = Formats.Wfdb.Wfdb.ReadAnnotations(atr);
            var again = Formats.Wfdb.Wfdb.ParseAnnotations(Formats.Wfdb.Wfdb.EncodeAnnotations(anns));
            Assert.Equal(anns, again);
            files++;
        }
        Assert.Equal(26, files);
    }

    [DataFact("cpsc2021")]
    public void Cpsc2021_annotation_files_parse_and_af_episodes_are_bracketed()
    {
        int files = 0, episodes = 0;
        foreach (var atr in Directory.EnumerateFiles(TestData.PathOf("cpsc2021"), "*.atr").Order(StringComparer.Ordinal))
        {
            var rec = Path.ChangeExtension(atr, null);
            var h = Formats.Wfdb.Wfdb.ReadHeader(rec);
            var anns = Formats.Wfdb.Wfdb.ReadAnnotations(rec);
            Assert.NotEmpty(anns);
            Assert.True(IsSorted(anns));
            Assert.All(anns, a => Assert.InRange(a.Sample, 0, h.SampleCount!.Value));
            // "(AFIB" opens an AF episode and the next rhythm annotation closes it.
            string? open = null;
            foreach (var a in anns.Where(a => a.Code == AnnotationCode.Rhythm))
            {
                if (a.Aux == "(AFIB") { Assert.Null(open); open = a.Aux; episodes++; }
                else if (open is not null) open = null;
            }
            files++;
        }
        Assert.Equal(12, files);
        Assert.True(episodes > 0, "the paroxysmal-AF records hold at least one AF episode");
    }

    [DataFact("cpsc2021")]
    public void Cpsc2021_data_0_1_has_no_af_and_data_25_24_has_flutter()
    {
        // ../shared/data/README.md: data_0_1 is 17 min without AF; data_25_24 holds atrial flutter episodes.
        var r0 = Formats.Wfdb.Wfdb.ReadAnnotations(TestData.PathOf("cpsc2021", "data_0_1"));
        Assert.DoesNotContain(r0, a => a.Aux == "(AFIB");
        Assert.InRange(Formats.Wfdb.Wfdb.ReadHeader(TestData.PathOf("cpsc2021", "data_0_1")).SampleCount!.Value / 200.0 / 60, 16.5, 17.5);
        var r25 = Formats.Wfdb.Wfdb.ReadAnnotations(TestData.PathOf("cpsc2021", "data_25_24"));
        Assert.Contains(r25, a => a.Code == AnnotationCode.Rhythm && a.Aux == "(AFL");
    }

    [DataFact("svdb")]
    public void Svdb_800_beat_counts_match_the_readme()
    {
        // ../shared/data/README.md: 1846 N, 30 S, 6 V beats.
        var anns = Formats.Wfdb.Wfdb.ReadAnnotations(TestData.PathOf("svdb", "800"));
        Assert.Equal((1846, 30, 6), (anns.Count(a => a.Code == AnnotationCode.Normal), anns.Count(a => a.Code == AnnotationCode.Svpb), anns.Count(a => a.Code == AnnotationCode.Pvc)));
        Assert.True(IsSorted(anns));
    }

    private static bool IsSorted(IReadOnlyList<Annotation> anns)
    {
        for (int i = 1; i < anns.Count; i++) if (anns[i].Sample < anns[i - 1].Sample) return false;
        return true;
    }
}
