using System.Text.Json;
using EcgStream.Cli.Commands.Benchmark;
using EcgStream.Core.Rhythms;
using EcgStream.Runtime.Evaluation;

namespace EcgStream.Cli.Tests;

/// <summary>The benchmark's arithmetic against hand counts: challenge F1s, the N/A/O/~ mapping, pooling, false episodes per hour.</summary>
public class BenchmarkTests
{
    [Theory]
    [InlineData("SR", 'N')]
    [InlineData("", 'O')]                  // not affirmed as sinus rhythm, nor AF or noise: another rhythm
    [InlineData("AF", 'A')]
    [InlineData("SR AF", 'A')]
    [InlineData("AFL", 'A')]
    [InlineData("NOISE", '~')]
    [InlineData("AF NOISE", 'A')]          // AF outranks noise
    [InlineData("SR STACH", 'O')]
    [InlineData("VECT", 'O')]
    public void Classify_decisions_map_to_the_challenge_labels(string decided, char label)
    {
        var classes = decided.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(n => { RhythmClasses.TryParse(n, out var c); return c; }).ToList();
        Assert.Equal(label, Cinc2017Score.Label(classes));
    }

    [Fact]
    public void Challenge_f1s_match_hand_counts()
    {
        var s = new Cinc2017Score();
        // reference N: 8 called N, 1 A, 1 O; reference A: 3 A, 1 N; reference O: 2 O, 2 N; reference ~: 1 ~, 1 O
        void Add(char r, char d, int n) { for (int i = 0; i < n; i++) s.Add(r, d); }
        Add('N', 'N', 8); Add('N', 'A', 1); Add('N', 'O', 1);
        Add('A', 'A', 3); Add('A', 'N', 1);
        Add('O', 'O', 2); Add('O', 'N', 2);
        Add('~', '~', 1); Add('~', 'O', 1);
        Assert.Equal(20, s.Records);
        // F1n = 2·8 / (10 + 11), F1a = 2·3 / (4 + 4), F1o = 2·2 / (4 + 4), F1~ = 2·1 / (2 + 1)
        Assert.Equal(16.0 / 21, s.F1('N'), 12);
        Assert.Equal(6.0 / 8, s.F1('A'), 12);
        Assert.Equal(4.0 / 8, s.F1('O'), 12);
        Assert.Equal(2.0 / 3, s.F1('~'), 12);
        Assert.Equal((16.0 / 21 + 0.75 + 0.5) / 3, s.Overall, 12);
        Assert.Equal("'X' is not a CinC 2017 label (N, A, O, ~)", Assert.Throws<ArgumentException>(() => s.Add('X', 'N')).Message);
    }

    private static EpisodeRecord Episodes(string record, int reference, int detected, int hit, int @true, double hours, params double[] latencies) =>
        new("mitdb", record, "fused", hours, new EpisodeMetrics("AF", reference, detected, hit, @true, reference * 100, detected * 90, hit * 80, latencies));

    [Fact]
    public void Pooling_sums_counts_and_false_episodes_per_hour_come_from_records_without_the_rhythm_only()
    {
        var records = new[]
        {
            Episodes("201", reference: 4, detected: 5, hit: 4, @true: 4, hours: 0.5, 10, 20, 30, 40),
            Episodes("106", reference: 0, detected: 1, hit: 0, @true: 0, hours: 0.5),
            Episodes("119", reference: 0, detected: 0, hit: 0, @true: 0, hours: 0.25),
            Episodes("208", reference: 0, detected: 2, hit: 0, @true: 0, hours: 0.25),
        };
        Assert.Equal(2.0, records[1].FalsePerHour, 12);
        Assert.True(double.IsNaN(records[0].FalsePerHour)); // a record with AF gives no false-alarm rate
        var (m, hours, freeHours, freeDetections) = EpisodeRecord.Pool("AF", records);
        Assert.Equal((4, 8, 4, 4), (m.ReferenceEpisodes, m.DetectedEpisodes, m.ReferenceEpisodesDetected, m.DetectedEpisodesTrue));
        Assert.Equal(1.0, m.EpisodeSensitivity);
        Assert.Equal(0.5, m.EpisodePositivePredictivity);
        Assert.Equal(25, m.MedianOnsetLatency);
        Assert.Equal(1.5, hours, 12);
        Assert.Equal((1.0, 3), (freeHours, freeDetections));      // 3 false episodes in 1 h without AF
        Assert.Equal(320.0 / 400, m.DurationSensitivity, 12);
        Assert.Equal(320.0 / 720, m.DurationPositivePredictivity, 12);
    }

    [Fact]
    public async Task Pool_of_two_folds_equals_one_run_over_both_and_refuses_a_record_in_two_folds()
    {
        var dir = Directory.CreateTempSubdirectory("bench-pool-").FullName;
        var probs = new Dictionary<string, double> { ["SR"] = 0.9, ["AF"] = 0.1 };
        ClassRecord Rec(string id, string reference, string decision) => new(BenchmarkLines.Cinc2017, "physionet2017", id, reference, [decision], probs, null);
        string fold1 = Path.Combine(dir, "fold1.jsonl"), fold2 = Path.Combine(dir, "fold2.jsonl");
        File.WriteAllLines(fold1, [BenchmarkLines.Write(Rec("A1", "N", "N"), 1), BenchmarkLines.Write(Rec("A2", "A", "A"), 1),
            BenchmarkLines.Write(Episodes("201", 2, 3, 2, 2, 0.5, 12, 14), 1)]);
        File.WriteAllLines(fold2, [BenchmarkLines.Write(Rec("A3", "A", "N"), 2), BenchmarkLines.Write(Rec("A4", "O", "O"), 2),
            BenchmarkLines.Write(Episodes("106", 0, 1, 0, 0, 0.5), 2)]);

        var result = await CliRunner.RunAsync("benchmark", "pool", fold1, fold2, "--out", Path.Combine(dir, "pooled"));
        Assert.Equal(0, result.ExitCode);
        var pooled = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("record").GetString() == "ALL").ToList();
        var cinc = pooled.Single(e => e.GetProperty("benchmark").GetString() == "cinc2017");
        Assert.Equal(4, cinc.GetProperty("records").GetInt32());
        // N: 1/1 → F1 2·1/(1 + 2) ; A: 1 of 2 called, 1 call → 2·1/(2 + 1); O: 2·1/(1 + 1)
        Assert.Equal(Math.Round(2.0 / 3, 4), cinc.GetProperty("f1_n").GetDouble());
        Assert.Equal(Math.Round(2.0 / 3, 4), cinc.GetProperty("f1_a").GetDouble());
        Assert.Equal(1.0, cinc.GetProperty("f1_o").GetDouble());
        Assert.Equal(Math.Round((2.0 / 3 + 2.0 / 3 + 1) / 3, 4), cinc.GetProperty("f1").GetDouble());
        var af = pooled.Single(e => e.GetProperty("benchmark").GetString() == "episodes");
        Assert.Equal((2, 4, 2.0), (af.GetProperty("reference_episodes").GetInt32(), af.GetProperty("detected_episodes").GetInt32(), af.GetProperty("false_per_hour").GetDouble()));
        Assert.Equal(13, af.GetProperty("median_onset_latency_s").GetDouble());
        Assert.Contains("| F1 N | F1 A | F1 O | F1 ~ |", File.ReadAllText(Path.Combine(dir, "pooled", "benchmark.md")));

        var twice = await CliRunner.RunAsync("benchmark", "pool", fold1, fold1);
        Assert.Equal(2, twice.ExitCode);
        Assert.Equal($"error: {fold1}: cinc2017 physionet2017/A1 is also in {fold1}; each record belongs to one fold", twice.Stderr.Trim());
    }

    [EcgStream.Tests.DataFact("cinc2021")]
    public async Task A_recording_stored_twice_is_scored_once()
    {
        // CinC 2021 E07509 and E07510 are the same recording byte for byte.
        var dir = Directory.CreateTempSubdirectory("ecgstream-bench-twins-").FullName;
        try
        {
            var model = Path.Combine(AppContext.BaseDirectory, "models", "ecgstream.onnx");
            var result = await CliRunner.RunAsync("benchmark", "--data-root", EcgStream.Tests.TestData.Root, "--records", "all", "--datasets", "cinc2021",
                "--model", model, "--out", dir);
            Assert.True(result.ExitCode == 0, result.Stderr);
            Assert.Contains("cinc2021/E07510: left out: identical to cinc2021/E07509", result.Stdout + result.Stderr);
            var records = File.ReadLines(Path.Combine(dir, "benchmark.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
                .Select(j => j.GetProperty("record").GetString()).ToHashSet();
            Assert.Contains("E07509", records);
            Assert.DoesNotContain("E07510", records);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task Records_without_a_scored_label_are_counted_in_one_line_naming_the_first()
    {
        var root = Directory.CreateTempSubdirectory("ecgstream-bench-unmapped-").FullName;
        try
        {
            var cinc = Directory.CreateDirectory(Path.Combine(root, "cinc2021")).FullName;
            File.WriteAllText(Path.Combine(cinc, "E1.hea"), "E1 12 500 5000\n# Dx: 426783006\n");
            File.WriteAllText(Path.Combine(cinc, "E2.hea"), "E2 12 500 5000\n# Dx: 59118001\n");
            File.WriteAllText(Path.Combine(cinc, "E3.hea"), "E3 12 500 5000\n# Dx: 164934002\n");
            var result = await CliRunner.RunAsync("benchmark", "--data-root", root, "--records", "all", "--datasets", "cinc2021", "--model", "none");
            var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Contains("warning: cinc2021: 2 records of the dataset (any split) left out, no label the class set scores (the first: cinc2021/E2: Dx codes [59118001] hold no rhythm of class set v1)", lines);
            Assert.DoesNotContain(lines, l => l.Contains("cinc2021/E3"));
            // record-level scoring needs a model: nothing was scored, which is an error, not an empty result
            Assert.Equal(2, result.ExitCode);
            Assert.Equal($"error: no record under {root} was scored (see the notes and warnings above)", lines[^1]);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public async Task Label_rows_that_name_no_record_file_are_corrupt_rows_quoted_short()
    {
        var root = Directory.CreateTempSubdirectory("ecgstream-bench-rows-").FullName;
        try
        {
            var folder = Directory.CreateDirectory(Path.Combine(root, "physionet2017")).FullName;
            string longRow = "A00001" + new string(',', 100000);
            File.WriteAllText(Path.Combine(folder, "REFERENCE.csv"), $"{longRow}\n../../etc/passwd,N\n,A\n..,O\n");   // a first row not starting with A is a header
            var result = await CliRunner.RunAsync("benchmark", "--data-root", root, "--records", "all", "--datasets", "physionet2017",
                "--model", Path.Combine(AppContext.BaseDirectory, "models", "ecgstream.onnx"));
            var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            string reference = Path.Combine(folder, "REFERENCE.csv");
            Assert.Contains($"warning: skipped (corrupt label row): {reference} line 2: '../../etc/passwd,N' (expected RECORD,N|A|O|~)", lines);
            Assert.Contains($"warning: skipped (corrupt label row): {reference} line 3: ',A' (expected RECORD,N|A|O|~)", lines);
            Assert.Contains($"warning: skipped (corrupt label row): {reference} line 4: '..,O' (expected RECORD,N|A|O|~)", lines);
            Assert.Contains($"warning: skipped (corrupt label row): {reference} line 1: '{longRow[..80]}… (100006 characters)' (expected RECORD,N|A|O|~)", lines);
            Assert.True(result.Stderr.Length < 5000, $"stderr holds {result.Stderr.Length} characters");
            Assert.Equal(2, result.ExitCode);
            Assert.Equal($"error: no record under {root} was scored (see the notes and warnings above)", lines[^1]);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Theory]
    [InlineData("ptbxl_database.csv")]
    [InlineData("scp_statements.csv")]
    public async Task An_empty_ptbxl_table_is_one_line_naming_it(string table)
    {
        var root = Directory.CreateTempSubdirectory("ecgstream-bench-ptbxl-").FullName;
        try
        {
            var folder = Directory.CreateDirectory(Path.Combine(root, "ptbxl")).FullName;
            File.WriteAllText(Path.Combine(folder, "ptbxl_database.csv"), table == "ptbxl_database.csv" ? "" : "ecg_id,patient_id,scp_codes,filename_hr\n");
            if (table == "scp_statements.csv") File.WriteAllText(Path.Combine(folder, table), "");
            var result = await CliRunner.RunAsync("benchmark", "--data-root", root, "--records", "all", "--datasets", "ptbxl", "--model", "none");
            Assert.Equal(2, result.ExitCode);
            Assert.StartsWith($"error: {Path.Combine(folder, table)}: file is empty; expected a header row", result.Stderr.Trim().Split('\n')[^1]);
            Assert.DoesNotContain("   at ", result.Stderr);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public async Task A_test_split_without_a_split_file_is_refused_in_one_line()
    {
        var result = await CliRunner.RunAsync("benchmark", "--data-root", Path.GetTempPath(), "--records", "test", "--model", "none");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --records test needs --split FILE (the split file training wrote)", result.Stderr.Trim());
    }

    [Theory]
    [InlineData("{}", "\"Seed\" missing or not a non-negative integer")]
    [InlineData("{\"Seed\": 1, \"ValidationFraction\": 0.1, \"TestFraction\": 0.2, \"Records\": {\"mitdb/101\": {\"Patient\": \"p\", \"Split\": 2}}}",
        "record mitdb/101: \"Split\" is 2; expected \"Train\", \"Validation\" or \"Test\"")]
    public async Task A_malformed_split_file_is_one_line_naming_it(string json, string problem)
    {
        var dir = Directory.CreateTempSubdirectory("ecgstream-bench-split-").FullName;
        try
        {
            var split = Path.Combine(dir, "splits.json");
            File.WriteAllText(split, json);
            foreach (var args in new[] { new[] { "benchmark", "--data-root", dir, "--split", split, "--model", "none" },
                                         ["benchmark", "folds", "--data-root", dir, "--split", split, "--out", Path.Combine(dir, "folds")] })
            {
                var r = await CliRunner.RunAsync(args);
                Assert.Equal(2, r.ExitCode);
                Assert.Equal($"error: {split}: {problem}", r.Stderr.Trim());
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
