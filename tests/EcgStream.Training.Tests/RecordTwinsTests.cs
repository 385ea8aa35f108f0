using EcgStream.Tests;
using EcgStream.Training.Data;
using EcgStream.Training.Data.Sources;

namespace EcgStream.Training.Tests;

/// <summary>
/// Identical recordings under two ids are one recording: found by content, kept in one split when placed anew, and
/// left out of a held-out split where a stored split file placed them apart.
/// </summary>
public sealed class RecordTwinsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ecgstream-twins-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private RecordEntry Record(string name, byte[] signal, string extension = ".mat", bool headerPath = false, string? patient = null)
    {
        File.WriteAllBytes(Path.Combine(_dir, name + extension), signal);
        var path = Path.Combine(_dir, headerPath ? name + ".hea" : name);
        return new RecordEntry("src", $"src/{name}", patient ?? $"src/{name}", path, 1);
    }

    [Fact]
    public void Identical_signal_files_are_twins_whether_the_entry_names_the_header_or_the_stem()
    {
        byte[] a = [1, 2, 3, 4], b = [1, 2, 3, 5];
        var entries = new[]
        {
            Record("r3", a, headerPath: true), Record("r1", a), Record("r2", b, ".dat"), Record("r4", b, ".dat", headerPath: true), Record("r5", [9]),
        };
        var groups = RecordTwins.Find([.. entries, new RecordEntry("src", "src/missing", "src/missing", Path.Combine(_dir, "missing"), 1)]);
        Assert.Equal(2, groups.Count);
        Assert.Equal(["src/r1", "src/r3"], groups[0]);
        Assert.Equal(["src/r2", "src/r4"], groups[1]);
    }

    [Fact]
    public void A_copy_of_a_trained_recording_is_left_out_of_its_held_out_split_and_a_repeat_counts_once()
    {
        var splits = DatasetSplits.Load(WriteSplits(("src/a", "Train"), ("src/b", "Test"), ("src/c", "Test"), ("src/d", "Test"), ("src/e", "Validation"), ("src/f", "Test"), ("src/g", "Train"), ("src/h", "Train")));
        splits.UseTwins([["src/a", "src/b"], ["src/c", "src/d"], ["src/e", "src/f"], ["src/g", "src/h"]]);

        Assert.Equal("identical to src/a (Train)", splits.LeftOutBecause("src/b"));
        Assert.Null(splits.LeftOutBecause("src/c"));
        Assert.Equal("identical to src/c (Test)", splits.LeftOutBecause("src/d"));
        Assert.Equal("identical to src/e (Validation)", splits.LeftOutBecause("src/f"));
        Assert.Null(splits.LeftOutBecause("src/e"));
        Assert.Null(splits.LeftOutBecause("src/h"));   // training data stays as placed
        Assert.Equal(["src/c"], splits.Records(Split.Test));
        Assert.Equal(["src/e"], splits.Records(Split.Validation));
        Assert.Equal(["src/a", "src/g", "src/h"], splits.Records(Split.Train).Order());
        Assert.Equal([("src/b", Split.Test, "identical to src/a (Train)"), ("src/d", Split.Test, "identical to src/c (Test)"), ("src/f", Split.Test, "identical to src/e (Validation)")],
            splits.LeftOut());

        // The assignments themselves are untouched: a saved file still places every record where it was.
        var path = Path.Combine(_dir, "resaved.json");
        splits.Save(path);
        Assert.Equal(Split.Test, DatasetSplits.Load(path).Of("src/b"));
    }

    [Fact]
    public void A_new_record_of_a_new_patient_joins_its_twins_split_and_a_known_patient_keeps_its_own()
    {
        var splits = DatasetSplits.Load(WriteSplits(("src/a", "Test"), ("src/p1", "Train")));
        splits.UseTwins([["src/a", "src/z"], ["src/p1", "src/q"]]);
        // Whatever the rule would say for src/z's patient, it goes where its twin is.
        Assert.Equal(Split.Test, splits.Assign(new RecordEntry("src", "src/z", "src/patient-z", "", 1)));
        Assert.Equal("identical to src/a (Test)", splits.LeftOutBecause("src/z"));
        // src/q belongs to src/a's patient (Test): the patient decides, and the copy of a trained recording is left out.
        splits = DatasetSplits.Load(WriteSplits(("src/a", "Test"), ("src/p1", "Train")));
        splits.UseTwins([["src/p1", "src/q"]]);
        Assert.Equal(Split.Test, splits.Assign(new RecordEntry("src", "src/q", "src/a", "", 1)));
        Assert.Equal("identical to src/p1 (Train)", splits.LeftOutBecause("src/q"));
    }

    /// <summary>The stored split of the shipped models against the real data: exactly the six copies found there are left out.</summary>
    [DataFact("physionet2017")]
    public void The_shipped_split_leaves_out_the_six_copies_in_the_real_data()
    {
        var report = new DatasetReport();
        var entries = RealDatasets.List(TestData.Root, report, [Physionet2017Source.Name, Cinc2021Source.Name, PtbXlSource.Name]);
        var splits = DatasetSplits.Load(Path.Combine(TestData.RepoRoot, "docs", "runs", "2026-11-21", "pretrain", "splits.json"));
        splits.UseTwins(RecordTwins.Find(entries));
        foreach (var e in entries) splits.Assign(e);
        Assert.Equal(
        [
            ("cinc2021/E07510", Split.Test, "identical to cinc2021/E07509 (Test)"),
            ("physionet2017/A00227", Split.Test, "identical to physionet2017/A01176 (Train)"),
            ("physionet2017/A03123", Split.Validation, "identical to physionet2017/A02656 (Validation)"),
            ("ptbxl/138", Split.Test, "identical to ptbxl/137 (Test)"),
            ("ptbxl/145", Split.Validation, "identical to ptbxl/463 (Train)"),
            ("ptbxl/457", Split.Test, "identical to ptbxl/456 (Test)"),
        ], splits.LeftOut());
    }

    private string WriteSplits(params (string Record, string Split)[] records)
    {
        var path = Path.Combine(_dir, $"splits-{Guid.NewGuid():N}.json");
        var body = string.Join(",\n", records.Select(r => $"\"{r.Record}\": {{ \"Patient\": \"{r.Record}\", \"Split\": \"{r.Split}\" }}"));
        File.WriteAllText(path, $"{{ \"Seed\": 1, \"ValidationFraction\": 0.1, \"TestFraction\": 0.2, \"Records\": {{ {body} }} }}");
        return path;
    }
}
