namespace EcgStream.Training.Evaluation;

/// <summary>A student's score over its teacher's in one source: macro AUROC and AF F1 (NaN where the source cannot rule).</summary>
public sealed record SourceRatio(string Source, double MacroAuroc, double AfF1);

/// <summary>
/// Student / teacher per source, as issue 12 asks (≥ 98 % of the teacher's macro AUROC and AF F1, per source). A ratio is
/// NaN where the teacher's figure is not finite or not positive (a source without AF positives has no AF F1).
/// <see cref="Worst"/> is the smallest finite ratio: one number to choose candidates by, on the validation split.
/// </summary>
public static class StudentRatios
{
    public static List<SourceRatio> Of(IReadOnlyList<SourceScore> teacher, IReadOnlyList<SourceScore> student)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(student);
        var byTeacher = teacher.ToDictionary(s => s.Source, StringComparer.Ordinal);
        return [.. student.Where(s => byTeacher.ContainsKey(s.Source))
            .Select(s => new SourceRatio(s.Source, Ratio(s.MacroAuroc, byTeacher[s.Source].MacroAuroc), Ratio(s.AfF1, byTeacher[s.Source].AfF1)))];
    }

    /// <summary>The smallest finite ratio over the sources (NaN when there is none).</summary>
    public static double Worst(IEnumerable<SourceRatio> ratios) =>
        ratios.SelectMany(r => new[] { r.MacroAuroc, r.AfF1 }).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Min();

    private static double Ratio(double student, double teacher) =>
        double.IsFinite(student) && double.IsFinite(teacher) && teacher > 0 ? student / teacher : double.NaN;
}
