using EcgStream.Core.Rhythms;
using EcgStream.Formats.Wfdb;

namespace EcgStream.Formats.Labels;

/// <summary>
/// Rhythm annotations (MIT-BIH conventions: a "+" annotation whose aux string names the new
/// rhythm, e.g. "(AFIB") ⇄ episodes of class set v1. The mapping (docs/labels.md):
/// (N, (SAR → SR; (AFIB → AF; (AFL → AFL; (SBR → SBRAD; (SVTA → SVT; (VT → VT; (VFL → VF;
/// (P → PACE; (B, (T → VECT (bigeminy, trigeminy); (ST, (STACH → STACH (not used by MIT-BIH
/// but written by our own annotation files). Rhythms outside the class set — (IVR, (NOD, (BII,
/// (PREX, (AB — end the current episode and start none, and are counted in <see cref="Unmapped"/>.
/// </summary>
public static class RhythmLabels
{
    private static readonly Dictionary<string, RhythmClass> FromAux = new(StringComparer.Ordinal)
    {
        ["N"] = RhythmClass.SR, ["SAR"] = RhythmClass.SR,
        ["AFIB"] = RhythmClass.AF, ["AF"] = RhythmClass.AF,
        ["AFL"] = RhythmClass.AFL,
        ["SBR"] = RhythmClass.SBRAD,
        ["ST"] = RhythmClass.STACH, ["STACH"] = RhythmClass.STACH,
        ["SVTA"] = RhythmClass.SVT, ["SVT"] = RhythmClass.SVT,
        ["VT"] = RhythmClass.VT,
        ["VFL"] = RhythmClass.VF, ["VF"] = RhythmClass.VF,
        ["P"] = RhythmClass.PACE,
        ["B"] = RhythmClass.VECT, ["T"] = RhythmClass.VECT,
    };

    /// <summary>The aux string our writers use for each class (MIT-BIH spelling where one exists).</summary>
    private static readonly string[] ToAux =
        ["(N", "(AFIB", "(AFL", "(ST", "(SBR", "(SVTA", "(VT", "(VFL", "(P", "(B", "(NOISE"];

    public static bool TryMap(string rhythm, out RhythmClass c) => FromAux.TryGetValue(rhythm, out c);

    public static string AuxOf(RhythmClass c) => ToAux[(int)c];

    /// <summary>
    /// Episodes of class-set rhythms from the rhythm annotations of a record of
    /// <paramref name="lengthSamples"/> samples at <paramref name="sampleRate"/>: each rhythm
    /// annotation opens an episode that the next one (or the end of the record) closes.
    /// </summary>
    public static RhythmEpisodes ToEpisodes(IEnumerable<Annotation> annotations, double sampleRate, long lengthSamples)
    {
        var episodes = new List<Episode>();
        var other = new List<Episode>();
        var unmapped = new Dictionary<string, int>(StringComparer.Ordinal);
        string? current = null, currentOther = null;
        double start = 0;
        double end = lengthSamples / sampleRate;
        int pastEnd = 0;
        foreach (var a in annotations)
        {
            if (a.Rhythm is not { } rhythm) continue;
            // an episode cannot outlast the signal it describes (a file of another record would claim hours of it)
            if (a.Sample > lengthSamples) pastEnd++;
            double t = Math.Min(a.Sample, lengthSamples) / sampleRate;
            if (current is not null && t > start) episodes.Add(new Episode(current, start, t));
            if (currentOther is not null && t > start) other.Add(new Episode(currentOther, start, t));
            if (TryMap(rhythm, out var c)) (current, currentOther) = (RhythmClasses.Name(c), null);
            else
            {
                (current, currentOther) = (null, rhythm);
                unmapped[rhythm] = unmapped.GetValueOrDefault(rhythm) + 1;
            }
            start = t;
        }
        if (current is not null && end > start) episodes.Add(new Episode(current, start, end));
        if (currentOther is not null && end > start) other.Add(new Episode(currentOther, start, end));
        return new RhythmEpisodes(MergeAdjacent(episodes), unmapped, MergeAdjacent(other)) { PastEnd = pastEnd };
    }

    /// <summary>
    /// Rhythm annotations for detected episodes (for a WFDB annotation file): a "(CLASS" at each
    /// onset and "(N" at each offset unless another episode starts there. Episodes of different
    /// classes may overlap (multi-label); the annotation stream, which holds one rhythm at a time,
    /// then shows the most recent onset.
    /// </summary>
    public static List<Annotation> ToAnnotations(IEnumerable<Episode> episodes, double sampleRate)
    {
        var marks = new List<(long Sample, int Order, string Aux)>();
        foreach (var e in episodes)
        {
            if (!RhythmClasses.TryParse(e.Rhythm, out var c)) throw new ArgumentException($"episode rhythm '{e.Rhythm}' is not a class of class set v1", nameof(episodes));
            marks.Add(((long)Math.Round(e.StartSeconds * sampleRate), 1, AuxOf(c)));
            marks.Add(((long)Math.Round(e.EndSeconds * sampleRate), 0, "(N"));
        }
        var result = new List<Annotation>();
        foreach (var group in marks.OrderBy(m => m.Sample).ThenBy(m => m.Order).GroupBy(m => m.Sample))
        {
            var last = group.Last(); // an onset at the same instant as an offset wins
            if (result.Count > 0 && result[^1].Aux == last.Aux) continue;
            result.Add(new Annotation(group.Key, AnnotationCode.Rhythm, Aux: last.Aux));
        }
        return result;
    }

    private static List<Episode> MergeAdjacent(List<Episode> episodes)
    {
        var merged = new List<Episode>();
        foreach (var e in episodes)
        {
            if (merged.Count > 0 && merged[^1].Rhythm == e.Rhythm && merged[^1].EndSeconds >= e.StartSeconds)
                merged[^1] = merged[^1] with { EndSeconds = Math.Max(merged[^1].EndSeconds, e.EndSeconds) };
            else merged.Add(e);
        }
        return merged;
    }
}

/// <summary>
/// Episodes read from rhythm annotations, with the rhythms that map to no class and how often they occurred, and
/// where those rhythms ran (<see cref="Other"/>, named by their aux string, e.g. "NOD"): training reads them as
/// "not AF, not flutter", the hard negatives a window of a class-set rhythm cannot teach.
/// </summary>
public sealed record RhythmEpisodes(IReadOnlyList<Episode> Episodes, IReadOnlyDictionary<string, int> Unmapped, IReadOnlyList<Episode>? Other = null)
{
    /// <summary>Rhythm annotations placed after the record's last sample: left out (episodes end with the signal).</summary>
    public int PastEnd { get; init; }

    /// <summary>A warning when annotations lay past the record's end (the file may belong to another record); else null.</summary>
    public string? PastEndWarning(string annotationFile) => PastEnd == 0 ? null
        : $"{annotationFile}: {PastEnd} rhythm annotation(s) lie past the record's end and were left out; is it this record's file?";
}
