using System.Text;
using EcgStream.Training.Data.Sources;

namespace EcgStream.Training.Data;

/// <summary>
/// Leave-patient-out cross-validation over some datasets (e.g. MIT-BIH and CPSC 2021, whose few patients make one
/// test split too small to measure): the patients are dealt into k folds, and fold i's split file is a base split
/// file with fold i's patients as the test split and the other folds' patients in training. Every other record keeps
/// its base split, so one fold's model never sees its test patients and is tuned (validation) only on what the base
/// file already held out for that. Deterministic: patients are ordered by a hash of (seed, patient id), then dealt in turn.
/// </summary>
public static class CrossValidationFolds
{
    /// <summary>Each patient of <paramref name="entries"/> → its fold, 0…<paramref name="folds"/> − 1.</summary>
    public static IReadOnlyDictionary<string, int> Assign(IEnumerable<RecordEntry> entries, int folds, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (folds < 2) throw new ArgumentOutOfRangeException(nameof(folds), folds, "cross-validation needs at least 2 folds");
        var patients = entries.Select(e => e.PatientId).Distinct(StringComparer.Ordinal)
            .OrderBy(p => Hash(seed, p)).ThenBy(p => p, StringComparer.Ordinal).ToList();
        if (patients.Count < folds) throw new ArgumentException($"{patients.Count} patients cannot fill {folds} folds");
        return patients.Select((p, i) => (p, i % folds)).ToDictionary(x => x.p, x => x.Item2, StringComparer.Ordinal);
    }

    /// <summary>The split file of fold <paramref name="fold"/>: <paramref name="baseSplits"/> with every record of
    /// <paramref name="entries"/> in Test when its patient is in that fold, in Train otherwise.</summary>
    public static DatasetSplits Fold(DatasetSplits baseSplits, IEnumerable<RecordEntry> entries, IReadOnlyDictionary<string, int> folds, int fold)
    {
        ArgumentNullException.ThrowIfNull(baseSplits);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(folds);
        return baseSplits.With(entries.Select(e => (e.RecordId, e.PatientId,
            (folds.TryGetValue(e.PatientId, out int f) ? f : throw new ArgumentException($"patient {e.PatientId} has no fold")) == fold ? Split.Test : Split.Train)));
    }

    private static ulong Hash(ulong seed, string patient)
    {
        ulong h = 14695981039346656037UL ^ (seed * 0x9E3779B97F4A7C15UL);
        foreach (var b in Encoding.UTF8.GetBytes(patient)) { h ^= b; h *= 1099511628211UL; }
        return h;
    }
}
