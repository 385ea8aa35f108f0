using System.Text.Json;
using EcgStream.Core.Leads;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Inference.Records;
using EcgStream.Onnx.Proto;
using EcgStream.Synthetic;

namespace EcgStream.Cli.Tests;

/// <summary>`train record-head` on real records, and `classify` deciding records with the head it writes.</summary>
public sealed class RecordHeadCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ecgstream-record-head-").FullName;
    private static string Bundled => Path.Combine(AppContext.BaseDirectory, "models", "ecgstream.onnx");
    private static string Split => Path.Combine(EcgStream.Tests.TestData.RepoRoot, "docs", "runs", "2026-11-21", "pretrain", "splits.json");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A copy of the bundled model without its record head (the shipped one carries one): records decided by the median.</summary>
    private string WithoutHead()
    {
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Bundled));
        foreach (var p in proto.MetadataProps.Where(p => p.Key == ModelContract.Keys.RecordHead).ToList()) proto.MetadataProps.Remove(p);
        var path = Path.Combine(_dir, "without-head.onnx");
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(proto));
        return path;
    }

    [Fact]
    public async Task Record_head_refuses_bad_settings_in_one_line()
    {
        var r = await CliRunner.RunAsync("train", "record-head", "--model", Bundled, "--split", Split, "--run", _dir, "--datasets", "mitdb");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: --datasets 'mitdb': a record head fits on record-labelled datasets: physionet2017, cinc2021, ptbxl", r.Stderr.Trim());

        r = await CliRunner.RunAsync("train", "record-head", "--model", Bundled, "--split", Path.Combine(_dir, "none.json"), "--run", _dir);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"error: --split '{Path.Combine(_dir, "none.json")}': no such file", r.Stderr.Trim());
    }

    [EcgStream.Tests.DataFact("physionet2017")]
    public async Task A_head_fitted_on_train_records_decides_classify_and_says_so()
    {
        string run = Path.Combine(_dir, "run"), withHead = Path.Combine(_dir, "with-head.onnx");
        var r = await CliRunner.RunAsync("train", "record-head", "--model", WithoutHead(), "--split", Split, "--run", run, "--out", withHead,
            "--data-root", EcgStream.Tests.TestData.Root, "--datasets", "physionet2017");
        Assert.True(r.ExitCode == 0, r.Stderr);

        var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "record-head.json"))).RootElement;
        var af = report.GetProperty("classes").EnumerateArray().Single(c => c.GetProperty("Class").GetString() == "AF");
        Assert.True(af.GetProperty("Used").GetBoolean());
        Assert.True(af.GetProperty("TrainPositives").GetInt32() > 100);
        // PhysioNet 2017 never rules on atrial flutter: no head for it.
        var afl = report.GetProperty("classes").EnumerateArray().Single(c => c.GetProperty("Class").GetString() == "AFL");
        Assert.False(afl.GetProperty("Used").GetBoolean());
        // The rate classes are classify's by the heart rate: the command keeps heads off them.
        var stach = report.GetProperty("classes").EnumerateArray().Single(c => c.GetProperty("Class").GetString() == "STACH");
        Assert.Equal("decided by the record's heart rate", stach.GetProperty("Reason").GetString());
        var rows = File.ReadLines(Path.Combine(run, "record-rows.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(report.GetProperty("trainRecords").GetInt32() + report.GetProperty("validationRecords").GetInt32(), rows.Count);
        // Nothing of the test split is read: no row is a test record (as benchmark lists them).
        var test = EcgStream.Cli.Commands.Benchmark.BenchmarkRecords.List(EcgStream.Tests.TestData.Root, "physionet2017",
            EcgStream.Training.Data.DatasetSplits.Load(Split), EcgStream.Training.Data.Split.Test, _ => { }).Select(e => e.RecordId).ToHashSet();
        Assert.True(test.Count > 1000);
        Assert.DoesNotContain(rows, x => test.Contains(x.GetProperty("record").GetString()!));
        var metadata = ModelProto.Parser.ParseFrom(File.ReadAllBytes(withHead)).MetadataProps.Single(p => p.Key == ModelContract.Keys.RecordHead).Value;
        var differences = new List<string>();
        var head = RecordHead.Parse(metadata, differences)!;
        Assert.Empty(differences);
        Assert.Equal(report.GetProperty("maxWindows").GetInt32(), head.MaxWindows);
        Assert.InRange(head.MaxWindows, 6, 7);     // PhysioNet 2017 records last 9–61 s

        // classify with the copy: the record's AF probability is the head's over the features the fit read for that record.
        var row = rows.First(x => x.GetProperty("split").GetString() == "validation");
        var features = row.GetProperty("features").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        string id = row.GetProperty("record").GetString()!["physionet2017/".Length..];
        var c = await CliRunner.RunAsync("classify", EcgStream.Tests.TestData.PathOf("physionet2017", id), "--model", withHead);
        Assert.True(c.ExitCode == 0, c.Stderr);
        var line = JsonDocument.Parse(c.Stdout.Trim()).RootElement;
        Assert.Equal("record head (record-v1)", line.GetProperty("aggregation").GetString());
        Assert.Equal(head.For(RhythmClass.AF)!.Probability(features), line.GetProperty("probabilities").GetProperty("AF").GetSingle(), 5);
        bool decided = line.GetProperty("rhythms").EnumerateArray().Any(e => e.GetString() == "AF");
        Assert.Equal(head.For(RhythmClass.AF)!.Probability(features) >= head.For(RhythmClass.AF)!.Threshold, decided);

        var plain = await CliRunner.RunAsync("classify", EcgStream.Tests.TestData.PathOf("physionet2017", id), "--model", WithoutHead(), "--hop", "4.5");
        Assert.Equal("median", JsonDocument.Parse(plain.Stdout.Trim()).RootElement.GetProperty("aggregation").GetString());
        Assert.DoesNotContain("record head", plain.Stderr);
        // A record longer than any the head was fitted on (2 minutes: 13 windows) is decided by the median, and says so.
        var longer = Simulator.Run(new Scenario { Seed = 3, SampleRate = 300, Leads = LeadSet.Of(Lead.I), Segments = [new ScenarioSegment("SR", 120, HeartRate: 70)] })
            .WriteWfdb(_dir, "long");
        var l = await CliRunner.RunAsync("classify", longer, "--model", withHead);
        Assert.True(l.ExitCode == 0, l.Stderr);
        var longLine = JsonDocument.Parse(l.Stdout.Trim()).RootElement;
        Assert.Equal("median", longLine.GetProperty("aggregation").GetString());
        Assert.Equal($"13 windows: longer than the records the record head was fitted on (at most {head.MaxWindows}), decided by the median",
            longLine.GetProperty("note").GetString());

        var shifted = await CliRunner.RunAsync("classify", EcgStream.Tests.TestData.PathOf("physionet2017", id), "--model", withHead, "--hop", "4.5");
        Assert.Contains("note: the model's record head was fitted on windows 9 s apart; at 4.50 s its inputs differ from what it learnt", shifted.Stderr);
    }
}
