using EcgStream.Training.Data;
using EcgStream.Training.Data.Sources;

namespace EcgStream.Training.Tests;

public sealed class CrossValidationFoldsTests
{
    private static RecordEntry Entry(string record, string patient) => new("mitdb", record, patient, "/nowhere/" + record, null);

    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 7)]
    [InlineData(5, 1)]
    public void Every_patient_is_held_out_in_exactly_one_fold_and_everything_else_keeps_its_split(int k, int seed)
    {
        // 13 patients, some with two records; a record outside the cross-validated datasets sits in the base file
        var entries = Enumerable.Range(0, 13).SelectMany(p => Enumerable.Range(0, 1 + p % 2).Select(r => Entry($"mitdb/{p}-{r}", $"mitdb/patient-{p}"))).ToList();
        var baseSplits = new DatasetSplits(seed: 3);
        var other = new RecordEntry("ptbxl", "ptbxl/1", "ptbxl/patient-1", "/nowhere/1", 1);
        var otherSplit = baseSplits.Assign(other);
        foreach (var e in entries) baseSplits.Assign(e);

        var folds = CrossValidationFolds.Assign(entries, k, (ulong)seed);
        Assert.Equal(13, folds.Count);
        var sizes = folds.Values.GroupBy(f => f).Select(g => g.Count()).ToList();
        Assert.Equal(k, sizes.Count);
        Assert.True(sizes.Max() - sizes.Min() <= 1, $"fold sizes {string.Join(", ", sizes)} are not balanced");
        Assert.Equal(folds, CrossValidationFolds.Assign(entries.AsEnumerable().Reverse(), k, (ulong)seed));   // the listing order does not matter

        var heldOut = new Dictionary<string, int>();
        for (int f = 0; f < k; f++)
        {
            var split = CrossValidationFolds.Fold(baseSplits, entries, folds, f);
            Assert.Equal(otherSplit, split.Of(other.RecordId));
            foreach (var e in entries)
            {
                var s = split.Of(e.RecordId);
                Assert.Equal(folds[e.PatientId] == f ? Split.Test : Split.Train, s);
                if (s == Split.Test) heldOut[e.RecordId] = heldOut.GetValueOrDefault(e.RecordId) + 1;
            }
        }
        Assert.Equal(entries.Count, heldOut.Count);
        Assert.All(heldOut.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public void Too_few_patients_and_a_patient_split_in_two_are_refused()
    {
        var entries = new[] { Entry("mitdb/1", "p1"), Entry("mitdb/2", "p2") };
        Assert.Equal("2 patients cannot fill 3 folds", Assert.Throws<ArgumentException>(() => CrossValidationFolds.Assign(entries, 3)).Message);
        var splits = new DatasetSplits();
        Assert.Equal("patient p1 would be in Test and Train",
            Assert.Throws<ArgumentException>(() => splits.With([("mitdb/1", "p1", Split.Test), ("mitdb/1b", "p1", Split.Train)])).Message);
    }
}
