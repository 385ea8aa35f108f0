using EcgStream.Core.Rhythms;
using EcgStream.Signal.Windowing;
using EcgStream.Training.Data;
using EcgStream.Training.Data.Sources;

namespace EcgStream.Training.Evaluation;

/// <summary>
/// Window probabilities read at the level a user meets them. A record labelled as a whole (PTB-XL, PhysioNet 2017,
/// CinC 2021) becomes one row: the median of its windows per class (<see cref="RecordWindows.FoldMedian"/>, what
/// <c>classify</c> reports); windows of annotated streams (MIT-BIH, CPSC 2021, synthetic patients), whose label
/// changes within the record, stay one row each. Thresholds are chosen on these rows, not on raw windows.
/// </summary>
public static class RecordLevel
{
    /// <summary>Sources whose label is one per record.</summary>
    public static IReadOnlySet<string> RecordLabelledSources { get; } =
        new HashSet<string>(StringComparer.Ordinal) { PtbXlSource.Name, Physionet2017Source.Name, Cinc2021Source.Name };

    public static bool IsRecordLabelled(string recordId)
    {
        int slash = recordId.IndexOf('/');
        return slash > 0 && RecordLabelledSources.Contains(recordId[..slash]);
    }

    /// <summary>Rows [n × C] with their positive and known masks and what each row is (a record id, or a record id with its window index).</summary>
    public static (float[] Probabilities, int[] Masks, int[] Known, string[] Units) Fold(ReadOnlySpan<float> probabilities, WindowSet windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        int c = RhythmClasses.Count;
        if (probabilities.Length != windows.Count * c) throw new ArgumentException($"{probabilities.Length} probabilities for {windows.Count} windows × {c} classes");
        var rows = new List<float[]>();
        var masks = new List<int>();
        var known = new List<int>();
        var units = new List<string>();
        var byRecord = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < windows.Count; i++)
        {
            var id = windows.RecordId(i);
            if (IsRecordLabelled(id))
            {
                if (!byRecord.TryGetValue(id, out var list)) byRecord[id] = list = [];
                list.Add(i);
                continue;
            }
            rows.Add(probabilities.Slice(i * c, c).ToArray());
            masks.Add(windows.ClassMask(i));
            known.Add(windows.KnownMask(i));
            units.Add($"{id}#{i}");
        }
        foreach (var (id, list) in byRecord.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var perWindow = new List<float[]>(list.Count);
            foreach (int i in list) perWindow.Add(probabilities.Slice(i * c, c).ToArray());
            rows.Add(RecordWindows.FoldMedian(perWindow));
            masks.Add(windows.ClassMask(list[0]));
            known.Add(windows.KnownMask(list[0]));
            units.Add(id);
        }
        return ([.. rows.SelectMany(r => r)], [.. masks], [.. known], [.. units]);
    }
}
