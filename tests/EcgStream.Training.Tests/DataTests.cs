using EcgStream.Core.Leads;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Tests;
using EcgStream.Training.Data;
using EcgStream.Training.Data.Sources;

namespace EcgStream.Training.Tests;

public sealed class DataTests
{
    private static void AssertStandardised(WindowSet set, int i)
    {
        var w = set.Ecg(i).AsSpan();
        for (int l = 0; l < 12; l++)
        {
            var lead = w.Slice(l * ModelContract.WindowSamples, ModelContract.WindowSamples).ToArray();
            if (!set.Leads(i).Contains((Lead)l)) { Assert.All(lead, v => Assert.Equal(0f, v)); continue; }
            double mean = lead.Average(v => (double)v), sd = Math.Sqrt(lead.Average(v => (v - mean) * (v - mean)));
            Assert.InRange(mean, -1e-3, 1e-3);
            Assert.True(sd is > 0.99 and < 1.01 || sd < 0.99 && sd > 0, $"window {i} lead {(Lead)l}: sd {sd}");
        }
    }

    [Fact]
    public void SyntheticWindowsAreStandardisedLabelledAndDeterministic()
    {
        var a = SyntheticWindows.Generate(seed: 7, count: 6, patients: 2, leads: LeadSet.Of(Lead.I, Lead.II, Lead.V1));
        var b = SyntheticWindows.Generate(seed: 7, count: 6, patients: 2, leads: LeadSet.Of(Lead.I, Lead.II, Lead.V1));
        Assert.Equal(6, a.Count);
        for (int i = 0; i < a.Count; i++)
        {
            AssertStandardised(a, i);
            Assert.NotEqual(0, a.ClassMask(i));
            Assert.True(a.Ecg(i).SequenceEqual(b.Ecg(i)));
            Assert.Equal(a.ClassMask(i), b.ClassMask(i));
        }
        Assert.Equal(["synthetic-7", "synthetic-8"], Enumerable.Range(0, 6).Select(a.RecordId).Distinct());
    }

    [Fact]
    public void AWindowSetStoresPresentLeadsAndGivesBackTheWholeWindow()
    {
        var window = new float[WindowSet.WindowValues];
        for (int i = 0; i < window.Length; i++) window[i] = i % 97;
        var leads = LeadSet.Of(Lead.II, Lead.V5);
        for (int l = 0; l < 12; l++)
            if (!leads.Contains((Lead)l)) window.AsSpan(l * 2250, 2250).Clear();
        var set = new WindowSet(capacity: 1);
        set.Add(window, LeadSet.All, 3, "r0");
        set.Add(window, leads, 1, "r1");
        set.Add(window, LeadSet.All, 2, "r2");   // grows past the initial capacity
        Assert.Equal(window, set.Ecg(1));
        Assert.Equal(window, set.Ecg(2));
        var sub = set.Subset(new HashSet<string> { "r1" });
        Assert.Equal(1, sub.Count);
        Assert.Equal(leads, sub.Leads(0));
        Assert.Equal(window, sub.Ecg(0));
        Assert.Throws<ArgumentException>(() => set.Add(window, LeadSet.None, 1, "r3"));
        // Merging keeps windows, lead sets and labels; a record in both sets is refused (splits are by record).
        var merged = set.Subset(new HashSet<string> { "r0" });
        merged.AddRange(sub);
        Assert.Equal(2, merged.Count);
        Assert.Equal(leads, merged.Leads(1));
        Assert.Equal(1, merged.ClassMask(1));
        Assert.Equal(window, merged.Ecg(1));
        Assert.Contains("record 'r1' is in both", Assert.Throws<ArgumentException>(() => merged.AddRange(sub)).Message);
        window[5] = float.NaN;
        Assert.Contains("non-finite value at 5", Assert.Throws<ArgumentException>(() => set.Add(window, LeadSet.All, 1, "r4")).Message);
    }

    [Fact]
    public void MixedLeadSyntheticWindowsGiveEachPatientOneOfTheTrainingLeadSets()
    {
        var set = SyntheticWindows.GenerateMixedLeads(seed: 300, count: 9, patients: 3);
        Assert.Equal(9, set.Count);
        for (int i = 0; i < set.Count; i++)
        {
            Assert.Equal(SyntheticWindows.TrainingLeadSets[i % 3], set.Leads(i));
            Assert.Equal($"synthetic-{300 + i % 3}", set.RecordId(i));
            var ecg = set.Ecg(i);
            for (int l = 0; l < 12; l++)
                Assert.Equal(set.Leads(i).Contains((Lead)l), ecg.AsSpan(l * 2250, 2250).ContainsAnyExcept(0f));
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    public void Synthetic_windows_carry_the_rhythm_features_the_stream_computes_at_the_same_window_end(int seed)
    {
        // The same synthetic patient through the runtime's SignalChain, windows every second: training's window i
        // (2 s warm-up, 9 s hop) ends at 250 Hz sample 2750 + 2250·i, where the stream also has a window. (Seeds 13–15
        // failed while training ran its own QRS detector without the chain's lead-quality gating.)
        var leads = LeadSet.Of(Lead.II, Lead.V1);
        var training = new SyntheticWindows(seed, leads: leads);
        var stream = new EcgStream.Synthetic.SyntheticEcgStream(seed, 500, leads);
        var chain = new EcgStream.Signal.Pipeline.SignalChain(training.RecordId, 500, leads);
        var streamFeatures = new Dictionary<long, float[]>();
        var sink = new WindowFeatures(streamFeatures);
        for (int i = 0; i < 30; i++)
        {
            training.Next(out _);
            var expected = training.Rhythm.ToArray();
            long end = 2750 + 2250L * i;
            while (!streamFeatures.ContainsKey(end)) chain.Process(stream.ReadBlock(training.RecordId, 1024), sink);
            Assert.Equal(streamFeatures[end], expected);
            if (i >= 2) Assert.Equal(1f, expected[0]);   // by then the context holds enough beats to be valid
        }
    }

    private sealed class WindowFeatures(Dictionary<long, float[]> byEnd) : EcgStream.Signal.Pipeline.ISignalChainSink
    {
        public void OnWindow(in EcgStream.Core.Samples.EcgWindow window) => byEnd[window.EndSample] = window.Rhythm.ToArray();
        public void OnPreprocessed(in EcgStream.Core.Samples.SampleBlock block) { }
        public void OnBeat(in EcgStream.Signal.Qrs.QrsBeat beat) { }
        public void OnQuality(in EcgStream.Signal.Quality.QualityEpoch epoch) { }
        public void OnScores(in EcgStream.Core.Rhythms.WindowScores scores, double heartRateBpm, in EcgStream.Signal.Rhythms.AfFeatures af) { }
        public void OnAlarm(in EcgStream.Signal.Rhythms.RuleAlarm alarm) { }
    }

    [Fact]
    public void SplitsKeepEachPatientInOneSplitAndSurviveASaveAndLoad()
    {
        var splits = new DatasetSplits(seed: 3);
        var entries = Enumerable.Range(0, 400).Select(i => new RecordEntry("x", $"x/r{i}", $"x/p{i / 4}", "", 1)).ToList();
        foreach (var e in entries) splits.Assign(e);
        foreach (var patient in entries.GroupBy(e => e.PatientId))
            Assert.Single(patient.Select(e => splits.Of(e.RecordId)).Distinct());
        int test = splits.Records(Split.Test).Count, validation = splits.Records(Split.Validation).Count;
        Assert.InRange(test, 40, 120);          // 20 % of 100 patients × 4 records, give or take
        Assert.InRange(validation, 12, 80);
        var path = Path.Combine(SyntheticData.TempDir(), "splits.json");
        splits.Save(path);
        var loaded = DatasetSplits.Load(path);
        foreach (var e in entries) Assert.Equal(splits.Of(e.RecordId), loaded.Of(e.RecordId));
        // A new record of a known patient joins that patient's split.
        var newcomer = new RecordEntry("x", "x/new", "x/p5", "", 1);
        Assert.Equal(splits.Of("x/r20"), loaded.Assign(newcomer));
        File.WriteAllText(path, "{ not json");
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => DatasetSplits.Load(path)).Message);
    }

    [Fact]
    public void MissingFoldersUnmappableLabelsAndCorruptRecordsAreCountedAndWarned()
    {
        var root = SyntheticData.TempDir();
        var cinc = Directory.CreateDirectory(Path.Combine(root, Cinc2021Source.Name)).FullName;
        File.WriteAllText(Path.Combine(cinc, "E1.hea"), "E1 12 500 5000\nthis is not a signal line\n# Dx: 426783006\n");
        File.WriteAllText(Path.Combine(cinc, "E2.hea"), "E2 12 500 5000\n# Dx: 164934002,59118001\n");
        var p2017 = Directory.CreateDirectory(Path.Combine(root, Physionet2017Source.Name)).FullName;
        File.WriteAllText(Path.Combine(p2017, "REFERENCE.csv"), "A00001,N\nA00002,A\nA00003,O\nA00004,~\nbroken\n../../etc/passwd,N\n");
        var warnings = new List<string>();
        var report = new DatasetReport(warnings.Add);

        var entries = RealDatasets.List(root, report, [Cinc2021Source.Name, Physionet2017Source.Name, PtbXlSource.Name]);
        Assert.Equal(1, report.SkipCount("missing folder"));                  // ptbxl
        Assert.Equal(1, report.SkipCount("unmappable label"));                // E2 (no rhythm code)
        Assert.Equal(2, report.SkipCount("corrupt label row"));   // "broken", and a record name that is a path
        Assert.Contains(warnings, w => w.Contains("cinc2021/E2") && w.Contains("164934002"));
        Assert.Equal(["cinc2021/E1", "physionet2017/A00001", "physionet2017/A00002", "physionet2017/A00003", "physionet2017/A00004"], entries.Select(e => e.RecordId));
        int Bit(RhythmClass c) => 1 << (int)c;
        // O (other rhythm) is kept as a hard negative: no positive, known not AF, not SR, not noise; the rest unknown.
        Assert.Equal(0, entries[3].RecordMask);
        Assert.Equal(Bit(RhythmClass.AF) | Bit(RhythmClass.SR) | Bit(RhythmClass.NOISE), entries[3].KnownMask);
        // ~ (too noisy): noise, the rhythm unknown.
        Assert.Equal(Bit(RhythmClass.NOISE), entries[4].RecordMask);
        Assert.Equal(Bit(RhythmClass.NOISE), entries[4].KnownMask);
        // N: sinus rhythm, known not AF; the rate classes unknown.
        Assert.Equal(Bit(RhythmClass.SR), entries[1].RecordMask);
        Assert.Equal(0, entries[1].KnownMask!.Value & (Bit(RhythmClass.STACH) | Bit(RhythmClass.SBRAD)));
        Assert.NotEqual(0, entries[1].KnownMask!.Value & Bit(RhythmClass.AF));

        // Windowing: E1's header is corrupt, the 2017 records' files do not exist.
        var set = RealDatasets.Build(entries, new DatasetSplits(), report);
        Assert.Equal(0, set.Count);
        Assert.Equal(5, report.SkipCount("corrupt record"));
        Assert.Contains(warnings, w => w.Contains("cinc2021/E1") && w.Contains("E1.hea"));
        Assert.Contains("5 skipped: corrupt record", report.ToString());
        Assert.Throws<ArgumentException>(() => RealDatasets.List(root, report, ["nonsense"]));
    }

    [Fact]
    public void Cinc2021HeadersAreFoundAsTheChallengeNestsThemAndTheirDxReadAsTheHeaderReaderReadsIt()
    {
        var root = SyntheticData.TempDir();
        var cinc = Path.Combine(root, Cinc2021Source.Name);
        var georgia = Directory.CreateDirectory(Path.Combine(cinc, "training", "georgia", "g1")).FullName;
        var ptb = Directory.CreateDirectory(Path.Combine(cinc, "training", "ptb", "g1")).FullName;
        File.WriteAllText(Path.Combine(georgia, "E00001.hea"), "E00001 12 500 5000\r\n# Age: NaN\r\n# Dx: 195080001,59118001\r\n");
        File.WriteAllText(Path.Combine(georgia, "E00002.hea"), "E00002 12 500 5000\n  # DX : 425856008\n");
        File.WriteAllText(Path.Combine(georgia, "E00003.hea"), "E00003 12 500 5000\n#Dx:111288001\n");
        File.WriteAllText(Path.Combine(ptb, "S0001.hea"), "S0001 12 1000 38400\n#Dx: 426783006\n");
        File.WriteAllText(Path.Combine(ptb, "E00001.hea"), "E00001 12 500 5000\n#Dx: 426783006\n");   // a second E00001
        var warnings = new List<string>();
        var report = new DatasetReport(warnings.Add);

        var entries = Cinc2021Source.List(cinc, report);

        Assert.Equal(["cinc2021/E00001", "cinc2021/E00002", "cinc2021/E00003", "cinc2021/S0001"], entries.Select(e => e.RecordId));
        int Bit(RhythmClass c) => 1 << (int)c;
        Assert.Equal(Bit(RhythmClass.AF) | Bit(RhythmClass.AFL), entries[0].RecordMask);   // atrial fibrillation and flutter
        Assert.Equal(Bit(RhythmClass.VT), entries[1].RecordMask);                            // paroxysmal VT
        Assert.Equal(Bit(RhythmClass.VF), entries[2].RecordMask);                            // ventricular flutter
        Assert.Equal(Path.Combine(georgia, "E00001.hea"), entries[0].Path);
        Assert.Equal(1, report.SkipCount("duplicate record name"));
        Assert.Contains(warnings, w => w.Contains($"cinc2021/E00001: {Path.Combine(ptb, "E00001.hea")} has the name of {Path.Combine(georgia, "E00001.hea")}"));

        // a folder linked back up the tree is not followed: the tree is listed once, not again and again
        Directory.CreateSymbolicLink(Path.Combine(georgia, "loop"), cinc);
        var again = new DatasetReport();
        Assert.Equal(entries.Select(e => e.RecordId), Cinc2021Source.List(cinc, again).Select(e => e.RecordId));
        Assert.Equal(1, again.SkipCount("duplicate record name"));
    }

    [DataFact("ptbxl")]
    public void PtbXlRecordsBecomeTwelveLeadWindowsWithTheirRhythmStatements()
    {
        var report = new DatasetReport();
        var entries = PtbXlSource.List(TestData.PathOf("ptbxl"), report);
        Assert.InRange(entries.Count, 400, 500);
        Assert.Equal(500, entries.Count + report.SkipCount("unmappable label"));
        Assert.Equal(1 << (int)RhythmClass.SR, entries.Single(e => e.RecordId == "ptbxl/1").RecordMask);
        // Records whose rhythm statements are all outside the mapping are hard negatives (not AF, not flutter).
        Assert.All(entries.Where(e => e.RecordMask == 0), e => Assert.Equal(PtbXlSource.OtherRhythmKnown, e.KnownMask));
        var set = new WindowSet();
        foreach (var e in entries.Take(3)) Assert.Equal(1, RecordWindower.AddWindows(e, set, report));
        for (int i = 0; i < set.Count; i++)
        {
            Assert.Equal(LeadSet.All, set.Leads(i));
            AssertStandardised(set, i);
        }
    }

    [DataFact("mitdb")]
    public void MitBihRecord201YieldsAfWindowsFromItsRhythmAnnotations()
    {
        var report = new DatasetReport();
        var entry = AnnotatedWfdbSource.List(TestData.PathOf("mitdb"), AnnotatedWfdbSource.MitBih, report).Single(e => e.RecordId == "mitdb/201");
        var set = new WindowSet();
        int n = RecordWindower.AddWindows(entry, set, report);
        Assert.InRange(n, 100, 200);   // 30 min in 9 s windows, some skipped in unlabelled rhythms
        var counts = set.ClassCounts();
        Assert.InRange(counts[(int)RhythmClass.AF], 20, 150);
        Assert.True(counts[(int)RhythmClass.SR] > 20);
        Assert.Equal(LeadSet.Of(Lead.II, Lead.V1), set.Leads(0));
    }
}

/// <summary>WindowSet.WithEveryLabelKnown: the labels of the 2026-11-21 recipe, for `train probe --unmasked-labels`.</summary>
public sealed class UnmaskedLabelTests
{
    [Fact]
    public void Windows_without_a_class_are_left_out_and_every_class_of_the_rest_is_known()
    {
        int Bit(RhythmClass c) => 1 << (int)c;
        var set = new WindowSet();
        var ecg = new float[WindowSet.WindowValues];
        set.Add(ecg, LeadSet.Of(Lead.I), Bit(RhythmClass.SR), "n", WindowSet.AllKnown & ~Bit(RhythmClass.STACH));
        set.Add(ecg, LeadSet.Of(Lead.I), 0, "o", Bit(RhythmClass.SR) | Bit(RhythmClass.AF) | Bit(RhythmClass.NOISE));
        ecg[7] = 1;
        set.Add(ecg, LeadSet.All, Bit(RhythmClass.NOISE), "noisy", Bit(RhythmClass.NOISE));
        var unmasked = set.WithEveryLabelKnown();
        Assert.Equal(["n", "noisy"], Enumerable.Range(0, unmasked.Count).Select(unmasked.RecordId));
        Assert.All(Enumerable.Range(0, unmasked.Count), i => Assert.Equal(WindowSet.AllKnown, unmasked.KnownMask(i)));
        Assert.Equal([Bit(RhythmClass.SR), Bit(RhythmClass.NOISE)], Enumerable.Range(0, unmasked.Count).Select(unmasked.ClassMask));
        Assert.Equal(LeadSet.All, unmasked.Leads(1));
        Assert.Equal(1f, unmasked.Ecg(1)[7]);
    }
}
