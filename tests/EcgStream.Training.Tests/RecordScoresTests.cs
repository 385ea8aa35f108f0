using EcgStream.Core.Leads;
using EcgStream.Core.Rhythms;
using EcgStream.Training.Data;
using EcgStream.Training.Evaluation;

namespace EcgStream.Training.Tests;

/// <summary>Record-level scores: median of window probabilities per record, union of labels, per source and over all.</summary>
public sealed class RecordScoresTests
{
    [Fact]
    public void A_record_scores_by_the_median_of_its_windows_and_sources_are_scored_apart()
    {
        int af = 1 << (int)RhythmClass.AF, sr = 1 << (int)RhythmClass.SR;
        var set = new WindowSet();
        var window = new float[WindowSet.WindowValues];
        // src-a/1: AF, three windows (AF probabilities 0.9, 0.1, 0.8 → median 0.8); src-a/2: SR, one window (AF 0.3);
        // src-b/3: SR then AF windows (an episode record: positive for both), AF 0.2 and 0.6 → median 0.4.
        (string Record, int Mask, float Af)[] rows =
            [("src-a/1", af, 0.9f), ("src-a/1", af, 0.1f), ("src-a/1", af, 0.8f), ("src-a/2", sr, 0.3f), ("src-b/3", sr, 0.2f), ("src-b/3", af, 0.6f)];
        var probabilities = new float[rows.Length * RhythmClasses.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            set.Add(window, LeadSet.Of(Lead.I), rows[i].Mask, rows[i].Record);
            probabilities[i * RhythmClasses.Count + (int)RhythmClass.AF] = rows[i].Af;
            probabilities[i * RhythmClasses.Count + (int)RhythmClass.SR] = 1 - rows[i].Af;
        }

        var scores = RecordScores.Score(set, probabilities, afThreshold: 0.5);

        Assert.Equal(["src-a", "src-b", RecordScores.AllSources], scores.Select(s => s.Source));
        var a = scores[0];
        Assert.Equal((2, 4, 1), (a.Records, a.Windows, a.AfRecords));
        Assert.Equal(1.0, a.AfAuroc);      // AF record 0.8 above the SR record's 0.3
        Assert.Equal(1.0, a.AfF1);         // 0.8 ≥ 0.5 predicted, 0.3 not
        Assert.True(double.IsNaN(scores[1].AfAuroc));   // one record, positive for both: no negative
        var all = scores[2];
        Assert.Equal((3, 6, 2), (all.Records, all.Windows, all.AfRecords));
        // AF: positives 0.8 and 0.4, negative 0.3 → AUROC 1; F1 at 0.5: one TP, one FN → 2/3.
        Assert.Equal(1.0, all.AfAuroc);
        Assert.Equal(2.0 / 3, all.AfF1, 1e-12);
        // SR: positives src-a/2 (0.7) and src-b/3 (median of 0.8, 0.4 = 0.6), negative src-a/1 (median 0.2) → AUROC 1.
        Assert.Equal(1.0, all.PerClassAuroc[(int)RhythmClass.SR]);
        Assert.Equal(1.0, all.MacroAuroc);
    }
}
