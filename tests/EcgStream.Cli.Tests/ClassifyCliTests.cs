using System.Text.Json;
using EcgStream.Core.Leads;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Cli.Commands;
using EcgStream.Formats;
using EcgStream.Formats.Edf;
using EcgStream.Formats.Wfdb;
using EcgStream.Inference;
using EcgStream.Inference.Contract;
using EcgStream.Ingest.Replay;
using EcgStream.Onnx.Contract;
using EcgStream.Onnx.Graph;
using EcgStream.Signal.Windowing;
using EcgStream.Synthetic;
using EcgStream.Tests;

namespace EcgStream.Cli.Tests;

public sealed class ClassifyCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ecgstream-classify-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A synthetic record (WFDB format 16) with the given leads and segments.</summary>
    private string WriteRecord(string name, LeadSet leads, params ScenarioSegment[] segments) =>
        Simulator.Run(new Scenario { Seed = 7, SampleRate = 360, Leads = leads, Noise = new NoiseSpec { Snr = 24 }, Segments = segments }).WriteWfdb(_dir, name);

    private string SaveModel(string name, GraphBuilder graph)
    {
        var path = Path.Combine(_dir, name + ".onnx");
        graph.Save(path);
        return path;
    }

    /// <summary>
    /// A model whose logit for its j-th class is 10·lead_mask[j] − 5 (lead j in contract order), so a
    /// class's probability says whether the model saw lead j as present: σ(5) ≈ 0.9933, σ(−5) ≈ 0.0067.
    /// The ecg input enters as 0·mean(ecg), keeping it a real input of the graph.
    /// </summary>
    private static GraphBuilder LeadMaskModel(IReadOnlyList<string> classes)
    {
        var g = new GraphBuilder("lead_mask_echo");
        var (ecg, mask) = g.ContractInputs();
        var columns = g.Slice(mask, [0], [classes.Count], [1]);                                  // [N,C]
        var zero = g.Mul(g.ReduceMean(ecg, [1, 2]), g.Constant("zero", [0f]));                  // [N,1,1] → broadcast
        var logits = g.Add(g.Mul(columns, g.Constant("scale", [10f])), g.Constant("bias", [-5f]));
        var output = g.Node("Add", [logits, g.Reshape(zero, 0, 1)], [ModelContract.LogitsOutput])[0];
        g.Output(output, ElementType.Float, ModelContract.BatchDim, classes.Count);
        return g.WriteContractMetadata(new ContractModelInfo { ModelId = "test-lead-mask", Classes = classes });
    }

    private const float Present = 0.9933071f, Absent = 0.0066928524f;

    private static List<JsonElement> Lines(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    private static Dictionary<string, double> Probabilities(JsonElement line) =>
        line.GetProperty("probabilities").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());

    private static bool IsRateClass(string name) => ClassifyCommand.RateClasses.Any(c => RhythmClasses.Name(c) == name);

    /// <summary>
    /// The rate classes of a record line decided by its heart rate: the rules' score at the printed rate, 0 once AF or AFL
    /// is decided, else times 1 − the larger AF/AFL evidence (the test models' thresholds are all 0.5, where evidence is the
    /// probability itself). The rate is printed to 0.1/min and the score's slope is at most 1/8 per 1/min.
    /// </summary>
    private static void AssertRateClasses(JsonElement line)
    {
        Assert.Equal("heart-rate", line.GetProperty("rate_classes").GetString());
        double bpm = line.GetProperty("heart_rate_bpm").GetDouble();
        var p = Probabilities(line);
        double notSinus = Math.Max(p.GetValueOrDefault("AF"), p.GetValueOrDefault("AFL"));
        foreach (var c in ClassifyCommand.RateClasses)
            if (p.TryGetValue(RhythmClasses.Name(c), out var reported))
            {
                double score = EcgStream.Signal.Rhythms.RuleRhythmDetector.RateScore(c, bpm, true, EcgStream.Signal.Rhythms.RuleOptions.Default);
                Assert.Equal(score * (1 - notSinus), reported, 2);
                if (notSinus >= 0.5) Assert.DoesNotContain(RhythmClasses.Name(c), line.GetProperty("rhythms").EnumerateArray().Select(e => e.GetString()));
            }
    }

    [Fact]
    public async Task Classify_prints_one_json_line_per_record_with_every_model_class_in_0_1()
    {
        var model = SaveModel("rule-like", ContractModels.RuleLikeGraph());
        var sr = WriteRecord("sr", LeadSet.Of(Lead.I, Lead.II), new ScenarioSegment("SR", 40, HeartRate: 70));
        var af = WriteRecord("af", LeadSet.Of(Lead.II, Lead.V1), new ScenarioSegment("AF", 50, HeartRate: 110));
        var r = await CliRunner.RunAsync("classify", sr, af, "--model", model);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = Lines(r.Stdout);
        Assert.Equal(2, lines.Count);
        Assert.Equal(["sr", "af"], lines.Select(l => l.GetProperty("record").GetString()));
        Assert.Equal([sr, af], lines.Select(l => l.GetProperty("path").GetString()));
        Assert.Equal(["I", "II"], lines[0].GetProperty("leads").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["II", "V1"], lines[1].GetProperty("leads").EnumerateArray().Select(e => e.GetString()));
        // 40 s: windows start at 1, 10, 19, 28 s (the last ends at 37 s of the 40, less the filters' delay).
        Assert.Equal(4, lines[0].GetProperty("windows").GetInt32());
        Assert.Equal(5, lines[1].GetProperty("windows").GetInt32());
        Assert.Equal(40.0, lines[0].GetProperty("seconds").GetDouble(), 3);
        foreach (var line in lines)
        {
            var p = Probabilities(line);
            Assert.Equal(RhythmClasses.Names, p.Keys);
            Assert.All(p.Values, v => Assert.InRange(v, 0.0, 1.0));
            Assert.False(line.TryGetProperty("note", out _));
        }
        Assert.True(Probabilities(lines[1])["AF"] > Probabilities(lines[0])["AF"], r.Stdout);
    }

    /// <summary>A contract-v2 model that reads only its rhythm input: logit(AF) = 20 · (RR coefficient of variation − 0.1).</summary>
    private static GraphBuilder RhythmOnlyGraph()
    {
        var g = new GraphBuilder("rhythm_only") { DocString = "test model: fixed weights" };
        g.ContractInputs();
        var rhythm = g.RhythmInput();
        var w = new float[ModelContract.RhythmFeatureCount * RhythmClasses.Count];
        w[3 * RhythmClasses.Count + (int)RhythmClass.AF] = 20f;
        var b = Enumerable.Repeat(-5f, RhythmClasses.Count).ToArray();
        b[(int)RhythmClass.AF] = -2f;
        var logits = g.Linear(rhythm, "af_from_rr", w, b, ModelContract.RhythmFeatureCount, RhythmClasses.Count);
        g.Node("Identity", [logits], [ModelContract.LogitsOutput]);
        g.Output(ModelContract.LogitsOutput, ElementType.Float, ModelContract.BatchDim, RhythmClasses.Count);
        return g.WriteContractMetadata(new ContractModelInfo { ModelId = "rhythm-only-test", RhythmPath = true });
    }

    [Fact]
    public async Task A_v2_model_gets_each_windows_rhythm_features_from_the_beats_detected_by_its_end()
    {
        var model = SaveModel("rhythm-only", RhythmOnlyGraph());
        var sr = WriteRecord("sr2", LeadSet.Of(Lead.II), new ScenarioSegment("SR", 60, HeartRate: 70));
        var af = WriteRecord("af2", LeadSet.Of(Lead.II), new ScenarioSegment("AF", 60, HeartRate: 110));
        var r = await CliRunner.RunAsync("classify", sr, af, "--model", model);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = Lines(r.Stdout);
        double pSr = Probabilities(lines[0])["AF"], pAf = Probabilities(lines[1])["AF"];
        Assert.True(pSr < 0.3 && pAf > 0.7, $"p(AF): SR record {pSr}, AF record {pAf}");

        // The same numbers by hand: the record's beats through the stream's chain, features at each window's end.
        var rec = RecordReader.Read(af);
        var mapped = RecordingLeads.Of(rec);
        var windows = RecordWindows.Cut(mapped.Planes, rec.SampleRate, mapped.Leads, 9, 1, detectBeats: true);
        var features = windows.RhythmFeatures();
        var perWindow = Enumerable.Range(0, windows.Count)
            .Select(i => 1 / (1 + Math.Exp(-(20 * features[i * ModelContract.RhythmFeatureCount + 3] - 2)))).Order().ToList();
        double median = perWindow.Count % 2 == 1 ? perWindow[perWindow.Count / 2] : (perWindow[perWindow.Count / 2 - 1] + perWindow[perWindow.Count / 2]) / 2;
        Assert.Equal(median, pAf, 4);
    }

    [Fact]
    public async Task A_class_scores_the_median_over_the_records_windows_and_rhythms_are_the_classes_at_threshold()
    {
        var model = SaveModel("rule-like", ContractModels.RuleLikeGraph());
        var path = WriteRecord("mixed", LeadSet.Of(Lead.I, Lead.II),
            new ScenarioSegment("SR", 60, HeartRate: 70), new ScenarioSegment("AF", 60, HeartRate: 120), new ScenarioSegment("SBRAD", 60, HeartRate: 45));
        var r = await CliRunner.RunAsync("classify", path, "--model", model, "--hop", "4.5");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var line = Assert.Single(Lines(r.Stdout));

        // The same windows scored one at a time through the same contract model.
        var rec = RecordReader.Read(path);
        var mapped = RecordingLeads.Of(rec);
        var windows = RecordWindows.Cut(mapped.Planes, rec.SampleRate, mapped.Leads, hopSeconds: 4.5, warmupSeconds: 1);
        using var session = RhythmModel.Load(File.ReadAllBytes(model), new InferenceOptions { MaxBatch = 1 });
        var perWindow = new List<float[]>();
        for (int i = 0; i < windows.Count; i++)
        {
            Assert.True(windows.TryCopy(i, session.Ecg(0), out _));
            session.LeadMask(0).Clear();
            session.LeadMask(0)[(int)Lead.I] = session.LeadMask(0)[(int)Lead.II] = 1;
            session.Run(1);
            perWindow.Add(session.Probabilities(0).ToArray());
        }
        Assert.Equal(windows.Count, line.GetProperty("windows").GetInt32());
        Assert.Equal(38, windows.Count); // ⌊(180 s − 1 s warm-up − 9 s) / 4.5 s⌋ + 1
        var reported = Probabilities(line);
        foreach (var c in new[] { RhythmClass.SR, RhythmClass.AF, RhythmClass.VECT, RhythmClass.NOISE })
        {
            var values = perWindow.Select(p => p[(int)c]).ToList();
            values.Sort();
            Assert.Equal((values[18] + values[19]) / 2, reported[RhythmClasses.Name(c)], 5); // 38 windows: mean of the middle two
        }
        Assert.Equal("median", line.GetProperty("aggregation").GetString());
        AssertRateClasses(line);     // STACH and SBRAD: the record's heart rate, not the model
        var expected = RhythmClasses.Names.Where((name, c) => reported[name] >= (IsRateClass(name) ? 0.5 : session.Thresholds[c])).ToList();
        Assert.Equal(expected, line.GetProperty("rhythms").EnumerateArray().Select(e => e.GetString()));
        // The rule separates the segments: AF holds a third of the record, so its median sits far below its maximum.
        var af = perWindow.Select(p => p[(int)RhythmClass.AF]).ToList();
        var sbrad = perWindow.Select(p => p[(int)RhythmClass.SBRAD]).ToList();
        Assert.True(af.Max() - af.Min() > 0.3 && sbrad.Max() - sbrad.Min() > 0.3, $"AF {string.Join(" ", af)}; SBRAD {string.Join(" ", sbrad)}");
        Assert.True(reported["AF"] < af.Max() - 0.2, $"AF {string.Join(" ", af)}");
    }

    [Fact]
    public async Task Each_window_is_scored_with_the_lead_mask_of_the_leads_the_record_has()
    {
        var model = SaveModel("lead-mask", LeadMaskModel(RhythmClasses.Names));
        var twoLead = WriteRecord("two", LeadSet.Of(Lead.II, Lead.V1), new ScenarioSegment("SR", 30));
        var r = await CliRunner.RunAsync("classify", twoLead, "--model", model);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var line = Assert.Single(Lines(r.Stdout));
        var p = Probabilities(line);
        for (int j = 0; j < RhythmClasses.Count; j++)
        {
            if (IsRateClass(RhythmClasses.Names[j])) continue;     // decided by the heart rate (below)
            bool present = (Lead)j is Lead.II or Lead.V1;
            Assert.Equal(present ? Present : Absent, p[RhythmClasses.Names[j]], 5);
        }
        AssertRateClasses(line);
    }

    [Fact]
    public async Task A_lead_flat_over_a_window_is_left_out_of_its_mask_as_the_stream_leaves_it_out()
    {
        var model = SaveModel("lead-mask-flat", LeadMaskModel(RhythmClasses.Names));
        var source = RecordReader.Read(WriteRecord("flat-src", LeadSet.Of(Lead.II, Lead.V1), new ScenarioSegment("SR", 30)));
        // V1's electrode off for the whole record: a flat line at its last value (finite, so only the raw checks can tell)
        var samples = source.Samples.Select(c => (float[])c.Clone()).ToArray();
        Array.Fill(samples[1], 0.31f);
        Wfdb.WriteRecord(_dir, new Recording { Name = "flat-v1", SampleRate = source.SampleRate, Signals = source.Signals, Samples = samples });
        var r = await CliRunner.RunAsync("classify", Path.Combine(_dir, "flat-v1"), "--model", model);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var p = Probabilities(Assert.Single(Lines(r.Stdout)));
        Assert.Equal(Present, p[RhythmClasses.Names[(int)Lead.II]], 5);
        Assert.Equal(Absent, p[RhythmClasses.Names[(int)Lead.V1]], 5);

        // every lead flat: no window has a lead to read, so the record gets no score (the stream has no opinion)
        Array.Fill(samples[0], -0.2f);
        Wfdb.WriteRecord(_dir, new Recording { Name = "flat-all", SampleRate = source.SampleRate, Signals = source.Signals, Samples = samples });
        r = await CliRunner.RunAsync("classify", Path.Combine(_dir, "flat-all"), "--model", model);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var line = Assert.Single(Lines(r.Stdout));
        Assert.Equal(JsonValueKind.Null, line.GetProperty("probabilities").ValueKind);
        Assert.Contains("every lead is flat, railed or missing", line.GetProperty("note").GetString());
    }

    [Fact]
    public async Task Lead_overrides_map_unnamed_channels_as_replay_does()
    {
        // Channels "chest" (no lead name), "V1" and "RESP": by name only V1 counts; --lead chest=aVF adds aVF.
        var sim = Simulator.Run(new Scenario { Seed = 3, SampleRate = 250, Leads = LeadSet.Of(Lead.II, Lead.V1), Segments = [new ScenarioSegment("SR", 25)] });
        var rec = sim.Recording;
        var renamed = new Recording
        {
            Name = "chest",
            SampleRate = rec.SampleRate,
            Signals = [rec.Signals[0] with { Name = "chest" }, rec.Signals[1], rec.Signals[0] with { Name = "RESP" }],
            Samples = [rec.Samples[0], rec.Samples[1], rec.Samples[0]],
        };
        Wfdb.WriteRecord(_dir, renamed, new WfdbWriteOptions { Format = 16, RecordName = "chest" });
        var path = Path.Combine(_dir, "chest");
        var classes = RhythmClasses.Names.Take(7).ToArray(); // columns echo leads I … V1
        var model = SaveModel("lead-mask-7", LeadMaskModel(classes));

        var byName = await CliRunner.RunAsync("classify", path, "--model", model);
        Assert.True(byName.ExitCode == 0, byName.Stderr);
        var line = Assert.Single(Lines(byName.Stdout));
        Assert.Equal(["V1"], line.GetProperty("leads").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(classes, Probabilities(line).Keys);
        Assert.Contains("'chest' is not a standard lead", byName.Stderr);

        var mapped = await CliRunner.RunAsync("classify", path, "--model", model, "--lead", "chest=aVF");
        Assert.True(mapped.ExitCode == 0, mapped.Stderr);
        line = Assert.Single(Lines(mapped.Stdout));
        Assert.Equal(["aVF", "V1"], line.GetProperty("leads").EnumerateArray().Select(e => e.GetString()));
        var p = Probabilities(line);
        for (int j = 0; j < classes.Length; j++)
            if (!IsRateClass(classes[j])) Assert.Equal((Lead)j is Lead.aVF or Lead.V1 ? Present : Absent, p[classes[j]], 5);
        AssertRateClasses(line);
    }

    [Fact]
    public async Task A_record_shorter_than_one_window_is_scored_padded_and_says_so()
    {
        var model = SaveModel("lead-mask", LeadMaskModel(RhythmClasses.Names));
        var shortRecord = WriteRecord("short", LeadSet.Of(Lead.I), new ScenarioSegment("SR", 9.3));
        var longRecord = WriteRecord("long", LeadSet.Of(Lead.I), new ScenarioSegment("SR", 20));
        var r = await CliRunner.RunAsync("classify", shortRecord, longRecord, "--model", model);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = Lines(r.Stdout);
        Assert.Equal(2, lines.Count);
        Assert.Equal(1, lines[0].GetProperty("windows").GetInt32());
        Assert.Equal(9.3, lines[0].GetProperty("seconds").GetDouble(), 3);
        Assert.Equal("padded: 8.300 s of signal after the 1.0 s filter warm-up, zero-padded to one 9 s window", lines[0].GetProperty("note").GetString());
        // The padded window keeps the record's lead mask: only lead I (column 0) is present.
        var p = Probabilities(lines[0]);
        Assert.Equal(Present, p["SR"], 5);
        Assert.All(p.Where(kv => kv.Key != "SR" && !IsRateClass(kv.Key)).Select(kv => kv.Value), v => Assert.Equal(Absent, v, 5));
        AssertRateClasses(lines[0]);
        Assert.Equal(["SR"], lines[0].GetProperty("rhythms").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, lines[1].GetProperty("windows").GetInt32());
        Assert.False(lines[1].TryGetProperty("note", out _));
        Assert.Equal(Present, Probabilities(lines[1])["SR"], 5);
    }

    [Fact]
    public async Task A_record_too_short_for_a_few_beats_gets_a_note_and_no_guess()
    {
        var model = SaveModel("lead-mask", LeadMaskModel(RhythmClasses.Names));
        var tiny = WriteRecord("tiny", LeadSet.Of(Lead.I), new ScenarioSegment("SR", 2));
        var r = await CliRunner.RunAsync("classify", tiny, "--model", model);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var line = Assert.Single(Lines(r.Stdout));
        Assert.Equal(0, line.GetProperty("windows").GetInt32());
        Assert.Equal(JsonValueKind.Null, line.GetProperty("probabilities").ValueKind);
        Assert.Equal(JsonValueKind.Null, line.GetProperty("rhythms").ValueKind);
        Assert.Equal("too short: 2.000 s; scoring needs at least 3.0 s of signal after the 1.0 s filter warm-up (4.0 s), a few beats",
            line.GetProperty("note").GetString());
    }

    [Fact]
    public void A_padded_window_is_standardised_over_its_real_part_and_zero_after_it()
    {
        var sim = Simulator.Run(new Scenario { Seed = 5, SampleRate = 250, Leads = LeadSet.Of(Lead.II, Lead.V1), Segments = [new ScenarioSegment("SR", 9.3, HeartRate: 70)] });
        var mapped = RecordingLeads.Of(sim.Recording);
        var windows = RecordWindows.Cut(mapped.Planes, 250, mapped.Leads, hopSeconds: 9, warmupSeconds: 1);
        Assert.Equal(0, windows.Count);
        Assert.Equal(2075, windows.SamplesAfterWarmup); // 9.3 s × 250 − 250 warm-up samples
        var window = new float[RecordWindows.WindowValues];
        Assert.True(windows.TryCopyPadded(window, out _));
        for (int l = 0; l < ModelContract.LeadCount; l++)
        {
            var lead = window.AsSpan(l * ModelContract.WindowSamples, ModelContract.WindowSamples);
            Assert.All(lead[2075..].ToArray(), v => Assert.Equal(0f, v));
            if ((Lead)l is not (Lead.II or Lead.V1)) { Assert.All(lead.ToArray(), v => Assert.Equal(0f, v)); continue; }
            var real = lead[..2075].ToArray();
            double mean = real.Average(v => (double)v), std = Math.Sqrt(real.Average(v => ((double)v - mean) * ((double)v - mean)));
            Assert.Equal(0, mean, 4);
            Assert.Equal(1, std, 3);
        }
    }

    [Fact]
    public void The_fold_takes_the_median_so_one_high_window_does_not_decide_a_class_and_a_majority_does()
    {
        // Classes SR, AF: AF high in one window of nine, SR high in five of nine.
        var windows = new List<float[]>();
        for (int i = 0; i < 9; i++) windows.Add([i < 5 ? 0.9f : 0.1f, i == 4 ? 0.99f : 0.05f]);
        var folded = RecordWindows.FoldMedian(windows);
        Assert.Equal(0.9f, folded[0]);
        Assert.Equal(0.05f, folded[1]);
        Assert.Equal([RhythmClass.SR], ClassifyCommand.Decide(folded, [0.5, 0.5]));

        // An even count takes the mean of the middle two; a class the model does not score stays NaN.
        var even = RecordWindows.FoldMedian([[0.2f, float.NaN], [0.8f, float.NaN], [0.4f, float.NaN], [0.6f, float.NaN]]);
        Assert.Equal(0.5f, even[0], 6);
        Assert.True(float.IsNaN(even[1]));
        Assert.Throws<ArgumentException>(() => RecordWindows.FoldMedian([]));
    }

    [Fact]
    public void Rhythms_are_exactly_the_classes_at_or_over_their_own_thresholds()
    {
        // SR 0.6 vs 0.7: no; AF 0.3 vs 0.25: yes; AFL exactly at 0.4: yes; SBRAD NaN (not scored): no; STACH over a NaN threshold: no.
        var p = new float[RhythmClasses.Count];
        p.AsSpan().Fill(0.01f);
        p[(int)RhythmClass.SR] = 0.6f; p[(int)RhythmClass.AF] = 0.3f; p[(int)RhythmClass.AFL] = 0.4f;
        p[(int)RhythmClass.SBRAD] = float.NaN; p[(int)RhythmClass.STACH] = 0.9f;
        var thresholds = Enumerable.Repeat(0.5, RhythmClasses.Count).ToArray();
        thresholds[(int)RhythmClass.SR] = 0.7; thresholds[(int)RhythmClass.AF] = 0.25; thresholds[(int)RhythmClass.AFL] = 0.4f; // the float 0.4, so p equals it exactly
        thresholds[(int)RhythmClass.STACH] = double.NaN;
        Assert.Equal([RhythmClass.AF, RhythmClass.AFL], ClassifyCommand.Decide(p, thresholds));
    }

    [Fact]
    public async Task Missing_records_bad_models_and_no_model_are_one_line_errors()
    {
        var model = SaveModel("lead-mask", LeadMaskModel(RhythmClasses.Names));
        var missing = await CliRunner.RunAsync("classify", Path.Combine(_dir, "nope"), "--model", model);
        Assert.Equal(2, missing.ExitCode);
        Assert.StartsWith("error: ", missing.Stderr);
        Assert.Contains("nope", missing.Stderr);
        Assert.Empty(missing.Stdout);

        var record = WriteRecord("ok", LeadSet.Of(Lead.I), new ScenarioSegment("SR", 20));
        var truncated = WriteRecord("trunc", LeadSet.Of(Lead.I), new ScenarioSegment("SR", 20));
        var dat = File.ReadAllBytes(truncated + ".dat");
        File.WriteAllBytes(truncated + ".dat", dat[..(dat.Length / 2)]);
        var corrupt = await CliRunner.RunAsync("classify", truncated, "--model", model);
        Assert.Equal(2, corrupt.ExitCode);
        Assert.StartsWith("error: ", corrupt.Stderr);
        Assert.Contains("trunc.dat", corrupt.Stderr);

        var notOnnx = Path.Combine(_dir, "garbage.onnx");
        File.WriteAllText(notOnnx, "not a model");
        var bad = await CliRunner.RunAsync("classify", record, "--model", notOnnx);
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("error: --model", bad.Stderr);
        Assert.Contains("garbage.onnx", bad.Stderr);

        var absent = await CliRunner.RunAsync("classify", record, "--model", Path.Combine(_dir, "absent.onnx"));
        Assert.Equal(2, absent.ExitCode);
        Assert.Contains("absent.onnx", absent.Stderr);

        var hop = await CliRunner.RunAsync("classify", record, "--model", model, "--hop", "0");
        Assert.Equal(2, hop.ExitCode);
        Assert.Contains("--hop 0", hop.Stderr);

        // No --model: the shipped models/ecgstream.onnx beside the tool scores the record.
        var bundled = await CliRunner.RunWithEnvironmentAsync(new Dictionary<string, string?> { ["ECGSTREAM_MODEL"] = null }, "classify", record);
        Assert.True(bundled.ExitCode == 0, bundled.Stderr);
        Assert.Single(bundled.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // 'none' means rules only elsewhere; classify has no rules to fall back on and says so.
        var none = await CliRunner.RunAsync("classify", record, "--model", "none");
        Assert.Equal(2, none.ExitCode);
        Assert.StartsWith("error: --model none", none.Stderr);
        Assert.Empty(none.Stdout);
    }

    [DataFact("mitdb")]
    public async Task Classify_scores_mitdb_201_over_its_two_leads()
    {
        var model = SaveModel("rule-like", ContractModels.RuleLikeGraph());
        var r = await CliRunner.RunAsync("classify", TestData.PathOf("mitdb", "201"), "--model", model, "--threads", "2");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var line = Assert.Single(Lines(r.Stdout));
        Assert.Equal("201", line.GetProperty("record").GetString());
        Assert.Equal(["II", "V1"], line.GetProperty("leads").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1805.556, line.GetProperty("seconds").GetDouble(), 3);
        Assert.Equal(200, line.GetProperty("windows").GetInt32()); // (1805.6 − 1 − 9) / 9 + 1
        var p = Probabilities(line);
        Assert.Equal(RhythmClasses.Names, p.Keys);
        Assert.All(p.Values, v => Assert.InRange(v, 0.0, 1.0));
    }

    /// <summary>
    /// Issue 10: the old ORT binding died with "Internal CLR error (0x80131506)" when `classify` got
    /// 2528 records. The cause was the length of the command line, not the records: ORT 1.30's Linux
    /// telemetry, started inside environment creation, read /proc/self/cmdline and overflowed the main
    /// thread's stack past a few tens of KB of arguments. Here 3000 short records (≈ 240 KB of
    /// arguments) go through one process on the shipped model, and every one is scored.
    /// </summary>
    [Fact]
    public async Task Three_thousand_records_in_one_process_are_all_scored()
    {
        var sim = Simulator.Run(new Scenario { Seed = 11, SampleRate = 250, Leads = LeadSet.Of(Lead.I), Noise = new NoiseSpec { Snr = 24 }, Segments = [new ScenarioSegment("SR", 10.5, HeartRate: 72)] });
        var first = Path.Combine(_dir, "short-record-with-a-longish-name-0000.edf");
        EdfWriter.Write(first, sim.Recording);
        var paths = new string[3000];
        for (int i = 0; i < paths.Length; i++)
        {
            paths[i] = Path.Combine(_dir, $"short-record-with-a-longish-name-{i:D4}.edf");
            if (i > 0) File.Copy(first, paths[i]);
        }
        Assert.True(paths.Sum(p => p.Length + 1) > 200_000);

        var r = await CliRunner.RunAsync(["classify", .. paths]);   // the shipped model beside the tool

        Assert.True(r.ExitCode == 0, r.Stderr.Length > 2000 ? r.Stderr[..2000] : r.Stderr);
        var lines = Lines(r.Stdout);
        Assert.Equal(paths, lines.Select(l => l.GetProperty("path").GetString()));
        Assert.All(lines, l => Assert.Equal(1, l.GetProperty("windows").GetInt32()));
        // Identical records score identically: no state leaks from one record into the next.
        var sr = lines.Select(l => Probabilities(l)["SR"]).Distinct().ToList();
        Assert.Single(sr);
    }

    [Fact]
    public async Task A_wrong_ort_library_path_is_one_line_naming_it()
    {
        var model = SaveModel("rule-like", ContractModels.RuleLikeGraph());
        var record = WriteRecord("sr", LeadSet.Of(Lead.I), new ScenarioSegment("SR", 12, HeartRate: 70));

        var r = await CliRunner.RunAsync("classify", record, "--model", model, "--ort-library", "/nonexistent/libonnxruntime.so");

        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: ONNX Runtime library not loaded; tried in order: configured path /nonexistent/libonnxruntime.so: no such file " +
                     "(a library set explicitly is never replaced by a later place)", r.Stderr.Trim());
    }

    [Fact]
    public async Task A_wrong_ECGSTREAM_ORT_LIBRARY_is_one_line_listing_the_places_tried()
    {
        var model = SaveModel("rule-like", ContractModels.RuleLikeGraph());
        var record = WriteRecord("sr", LeadSet.Of(Lead.I), new ScenarioSegment("SR", 12, HeartRate: 70));
        var notOrt = Path.Combine(_dir, "libonnxruntime.so");
        File.WriteAllText(notOrt, "not a shared library");

        var r = await CliRunner.RunWithEnvironmentAsync(new Dictionary<string, string?> { ["ECGSTREAM_ORT_LIBRARY"] = notOrt },
            "classify", record, "--model", model);

        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith($"error: ONNX Runtime library not loaded; tried in order: configured path: not set; $ECGSTREAM_ORT_LIBRARY {notOrt}: ", r.Stderr);
        Assert.EndsWith("(a library set explicitly is never replaced by a later place)", r.Stderr.Trim());
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task Ort_library_loads_the_file_it_names_through_the_same_managed_API()
    {
        // A copy elsewhere, as a Jetson's JetPack library would be.
        var rid = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        var copy = Path.Combine(_dir, "ort", "libonnxruntime.so");
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native", "libonnxruntime.so"), copy);

        var r = await CliRunner.RunAsync("bench", "inference", "--builtin", "tiny", "--runs", "5", "--warmup", "1", "--ort-library", copy);

        Assert.True(r.ExitCode == 0, r.Stderr);
        var json = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.Equal(copy, json.GetProperty("onnxruntime_library").GetString());
        Assert.Equal("1.32.0", json.GetProperty("onnxruntime").GetString());
    }

    [Fact]
    public async Task Rate_classes_follow_the_records_heart_rate_as_the_rules_decide_them()
    {
        var model = SaveModel("rule-like", ContractModels.RuleLikeGraph());
        var fast = WriteRecord("fast", LeadSet.Of(Lead.II), new ScenarioSegment("STACH", 30, HeartRate: 125));
        var slow = WriteRecord("slow", LeadSet.Of(Lead.II), new ScenarioSegment("SBRAD", 30, HeartRate: 40));
        var normal = WriteRecord("normal", LeadSet.Of(Lead.II), new ScenarioSegment("SR", 30, HeartRate: 75));
        var r = await CliRunner.RunAsync("classify", fast, slow, normal, "--model", model);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = Lines(r.Stdout);
        double[] truth = [125, 40, 75];
        string[][] expected = [["STACH"], ["SBRAD"], []];
        for (int i = 0; i < 3; i++)
        {
            Assert.InRange(lines[i].GetProperty("heart_rate_bpm").GetDouble(), truth[i] - 3, truth[i] + 3);
            AssertRateClasses(lines[i]);
            var decided = lines[i].GetProperty("rhythms").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.Equal(expected[i], decided.Where(IsRateClass));
        }
    }

    [Fact]
    public async Task A_fast_rhythm_decided_AF_is_not_also_sinus_tachycardia()
    {
        // The lead-mask model's AF column echoes lead II: on a lead-II record it says AF (0.9933) whatever the rhythm,
        // so a sinus record at 125/min is decided AF, and sinus tachycardia must then not be decided. Its probability
        // stays the rate's score times 1 − AF's evidence (here the probability itself: the model's thresholds are 0.5).
        var model = SaveModel("lead-mask", LeadMaskModel(RhythmClasses.Names));
        var fast = WriteRecord("fast-af", LeadSet.Of(Lead.II), new ScenarioSegment("STACH", 30, HeartRate: 125));
        var r = await CliRunner.RunAsync("classify", fast, "--model", model);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var line = Assert.Single(Lines(r.Stdout));
        var decided = line.GetProperty("rhythms").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.True(decided.Contains("AF"), line.ToString());
        Assert.InRange(line.GetProperty("heart_rate_bpm").GetDouble(), 120, 130);
        Assert.DoesNotContain("STACH", decided);
        AssertRateClasses(line);
        Assert.InRange(Probabilities(line)["STACH"], 0.005, 0.0068);     // ≈ 1 × (1 − 0.9933)
    }

    [Fact]
    public async Task A_record_mostly_unreadable_has_no_rate_and_its_rate_classes_stay_the_models()
    {
        // 12 s of sinus rhythm at 70/min, then 30 s in which the lead carries only faint noise: the detector's "beats"
        // there are noise peaks, which the record's rate must not count (they used to make it 130/min, sinus tachycardia).
        var sim = Simulator.Run(new Scenario { Seed = 5, SampleRate = 250, Leads = LeadSet.Of(Lead.II), Segments = [new ScenarioSegment("SR", 12, HeartRate: 70)] });
        var rng = new Random(9);
        var quiet = Enumerable.Range(0, 30 * 250).Select(_ => (float)(0.01 * (rng.NextDouble() - 0.5))).ToArray();
        var rec = new Recording { Name = "quiet", SampleRate = 250, Signals = sim.Recording.Signals, Samples = [[.. sim.Recording.Samples[0], .. quiet]] };
        Wfdb.WriteRecord(_dir, rec, new WfdbWriteOptions { Format = 16, RecordName = "quiet" });
        var model = SaveModel("rule-like", ContractModels.RuleLikeGraph());

        var r = await CliRunner.RunAsync("classify", Path.Combine(_dir, "quiet"), "--model", model);

        Assert.True(r.ExitCode == 0, r.Stderr);
        var line = Assert.Single(Lines(r.Stdout));
        Assert.Equal(JsonValueKind.Null, line.GetProperty("heart_rate_bpm").ValueKind);
        Assert.Equal("model", line.GetProperty("rate_classes").GetString());
        Assert.DoesNotContain("STACH", line.GetProperty("rhythms").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Rate_classes_can_be_left_to_the_model_and_a_model_without_them_gets_none()
    {
        var ruleLike = SaveModel("rule-like", ContractModels.RuleLikeGraph());
        var fast = WriteRecord("fast2", LeadSet.Of(Lead.II), new ScenarioSegment("STACH", 30, HeartRate: 125));
        var byModel = await CliRunner.RunAsync("classify", fast, "--model", ruleLike, "--rate-classes", "model");
        var byRate = await CliRunner.RunAsync("classify", fast, "--model", ruleLike);
        Assert.True(byModel.ExitCode == 0 && byRate.ExitCode == 0, byModel.Stderr + byRate.Stderr);
        var m = Assert.Single(Lines(byModel.Stdout));
        Assert.Equal("model", m.GetProperty("rate_classes").GetString());
        Assert.NotEqual(Probabilities(m)["STACH"], Probabilities(Assert.Single(Lines(byRate.Stdout)))["STACH"]);

        var bad = await CliRunner.RunAsync("classify", fast, "--model", ruleLike, "--rate-classes", "rules");
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal("error: --rate-classes 'rules': expected heart-rate or model", bad.Stderr.Trim());

        var srAf = SaveModel("lead-mask-2", LeadMaskModel(["SR", "AF"]));
        var two = await CliRunner.RunAsync("classify", fast, "--model", srAf);
        Assert.True(two.ExitCode == 0, two.Stderr);
        var line = Assert.Single(Lines(two.Stdout));
        Assert.Equal(["SR", "AF"], Probabilities(line).Keys);
        Assert.DoesNotContain("STACH", line.GetProperty("rhythms").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task A_record_decided_noise_has_no_rhythm_decided_but_keeps_its_probabilities()
    {
        // Columns echo leads I and II: on a two-lead record the model says AF and NOISE (0.9933 each).
        var model = SaveModel("af-noise", LeadMaskModel(["AF", "NOISE"]));
        var both = WriteRecord("both", LeadSet.Of(Lead.I, Lead.II), new ScenarioSegment("SR", 30));
        var one = WriteRecord("one", LeadSet.Of(Lead.I), new ScenarioSegment("SR", 30));
        var r = await CliRunner.RunAsync("classify", both, one, "--model", model);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = Lines(r.Stdout);
        Assert.Equal(["NOISE"], lines[0].GetProperty("rhythms").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(Present, Probabilities(lines[0])["AF"], 5);
        Assert.Equal(["AF"], lines[1].GetProperty("rhythms").EnumerateArray().Select(e => e.GetString()));   // lead I only: no NOISE, AF stands
    }
}
