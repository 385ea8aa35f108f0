using EcgStream.Core.Leads;
using EcgStream.Core.Rhythms;
using EcgStream.Training.Data;
using EcgStream.Training.Evaluation;

namespace EcgStream.Training.Tests;

/// <summary>
/// The paired bootstrap of score ratios over patients: a model against itself is exactly 1, the interval holds the ratio
/// measured on all records, few records leave a wider interval than many drawn alike, a patient's records (and a stream's
/// windows) are drawn together, and a seed gives the same interval in every process.
/// </summary>
public sealed class RatioIntervalsTests
{
    private static readonly int Classes = RhythmClasses.Count;
    private static readonly int Af = (int)RhythmClass.AF, Sr = (int)RhythmClass.SR;

    /// <summary>
    /// <paramref name="records"/> single-window PhysioNet 2017 records (every third AF, the rest SR) and two MIT-BIH streams
    /// of <paramref name="streamWindows"/> windows each; reference scores separate the classes with noise, the other
    /// model's scores are the reference's plus more noise.
    /// </summary>
    private static (WindowSet Set, float[] Reference, float[] Other) Data(int records, int seed, int streamWindows = 0)
    {
        var random = new Random(seed);
        var set = new WindowSet();
        var window = new float[WindowSet.WindowValues];
        var reference = new List<float>();
        var other = new List<float>();
        void Add(string record, bool isAf)
        {
            set.Add(window, LeadSet.Of(Lead.I), 1 << (isAf ? Af : Sr), record);
            var p = new float[Classes];
            p[Af] = (float)Math.Clamp((isAf ? 0.65 : 0.35) + 0.25 * (random.NextDouble() - 0.5) * 2, 0, 1);
            p[Sr] = 1 - p[Af];
            reference.AddRange(p);
            p[Af] = (float)Math.Clamp(p[Af] + 0.3 * (random.NextDouble() - 0.5) * 2, 0, 1);
            p[Sr] = 1 - p[Af];
            other.AddRange(p);
        }
        for (int r = 0; r < records; r++) Add($"physionet2017/R{r:D4}", r % 3 == 0);
        for (int s = 0; s < (streamWindows > 0 ? 2 : 0); s++)
            for (int w = 0; w < streamWindows; w++) Add($"mitdb/{100 + s}", w % 2 == 0);
        return (set, [.. reference], [.. other]);
    }

    [Fact]
    public void A_model_against_itself_is_exactly_one_in_every_source()
    {
        var (set, reference, _) = Data(60, seed: 1, streamWindows: 10);
        var intervals = RatioIntervals.Paired(set, reference, 0.5, reference, 0.5, resamples: 200);
        Assert.Equal(["mitdb", "physionet2017", RecordScores.AllSources], intervals.Select(i => i.Source));
        Assert.All(intervals, i =>
        {
            Assert.Equal(1.0, i.MacroLow, 12);
            Assert.Equal(1.0, i.MacroHigh, 12);
        });
        Assert.Equal([2, 60, 62], intervals.Select(i => i.Patients));    // streams are drawn by record, not by window
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void The_interval_holds_the_ratio_on_all_records_and_few_records_leave_it_wider(int seed)
    {
        double Width(int records, out RatioInterval interval, out double ratio)
        {
            var (set, reference, other) = Data(records, seed);
            var scoresA = RecordScores.Score(set, reference, 0.5).Single(s => s.Source == "physionet2017");
            var scoresB = RecordScores.Score(set, other, 0.5).Single(s => s.Source == "physionet2017");
            ratio = scoresB.MacroAuroc / scoresA.MacroAuroc;
            interval = RatioIntervals.Paired(set, reference, 0.5, other, 0.5, resamples: 400, seed: seed).Single(i => i.Source == "physionet2017");
            return interval.MacroHigh - interval.MacroLow;
        }
        double few = Width(12, out var small, out double smallRatio);
        double many = Width(600, out var large, out double largeRatio);
        Assert.InRange(smallRatio, small.MacroLow, small.MacroHigh);
        Assert.InRange(largeRatio, large.MacroLow, large.MacroHigh);
        Assert.True(few > 2 * many, $"12 records: width {few:F3}; 600 records: {many:F3}");
    }

    [Fact]
    public void A_patient_s_records_are_drawn_together()
    {
        // every record one patient's: each resample is the whole sample again, so the interval is the ratio itself
        var (set, reference, other) = Data(30, seed: 5, streamWindows: 8);
        var interval = RatioIntervals.Paired(set, reference, 0.5, other, 0.5, patientOf: _ => "one patient", resamples: 50)
            .Single(i => i.Source == "physionet2017");
        Assert.Equal(1, interval.Patients);
        var ratio = RecordScores.Score(set, other, 0.5).Single(s => s.Source == "physionet2017").MacroAuroc
                  / RecordScores.Score(set, reference, 0.5).Single(s => s.Source == "physionet2017").MacroAuroc;
        Assert.Equal(ratio, interval.MacroLow, 12);
        Assert.Equal(ratio, interval.MacroHigh, 12);
    }

    [Fact]
    public void A_seed_gives_the_same_interval_in_every_process()
    {
        var (set, reference, other) = Data(80, seed: 4, streamWindows: 6);
        var a = RatioIntervals.Paired(set, reference, 0.5, other, 0.4, resamples: 100, seed: 9);
        Assert.Equal(a, RatioIntervals.Paired(set, reference, 0.5, other, 0.4, resamples: 100, seed: 9));
        Assert.NotEqual(a, RatioIntervals.Paired(set, reference, 0.5, other, 0.4, resamples: 100, seed: 10));
        // fixed values: the draws come from the project's seeded generator (Rng), the same on every runtime and process
        var p = a.Single(i => i.Source == "physionet2017");
        Assert.Equal(0.72413793103448276, p.MacroLow, 10);
        Assert.Equal(0.9164133738601824, p.MacroHigh, 10);
    }
}
