namespace EcgStream.Training.Evaluation;

/// <summary>A student's score over its teacher's in one source of <paramref name="Records"/> records: macro AUROC and AF F1 (NaN where the source cannot rule).</summary>
public sealed record SourceRatio(string Source, int Records, double MacroAuroc, double AfF1);

/// <summary>
/// Student / teacher per source, as issue 12 asks (≥ 98 % of the teacher's macro AUROC and AF F1, per source). A ratio is
/// NaN where the teacher's figure is not finite or not positive (a source without AF positives has no AF F1).
/// <see cref="Worst"/> is the smallest finite ratio over the sources with at least <see cref="MinRecords"/> records: one number
/// to choose candidates by, on the validation split, where some sources have two or three records (a ratio over two MIT-BIH
/// records, or a teacher macro AUROC of 0.53 there, says nothing about the student).
/// </summary>
public static class StudentRatios
{
    public const int MinRecords = 20;

    public static List<SourceRatio> Of(IReadOnlyList<SourceScore> teacher, IReadOnlyList<SourceScore> student)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(student);
        var byTeacher = teacher.ToDictionary(s => s.Source, StringComparer.Ordinal);
        return [.. student.Where(s => byTeacher.ContainsKey(s.Source))
            .Select(s => new SourceRatio(s.Source, s.Records, Ratio(s.MacroAuroc, byTeacher[s.Source].MacroAuroc), Ratio(s.AfF1, byTeacher[s.Source].AfF1)))];
    }

    /// <summary>The smallest finite ratio over the sources of at least <paramref name="minRecords"/> records (NaN when there is none).</summary>
    public static double Worst(IEnumerable<SourceRatio> ratios, int minRecords = MinRecords) =>
        ratios.Where(r => r.Records >= minRecords).SelectMany(r => new[] { r.MacroAuroc, r.AfF1 }).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Min();

    private static double Ratio(double student, double teacher) =>
        double.IsFinite(student) && double.IsFinite(teacher) && teacher > 0 ? student / teacher : double.NaN;
}
