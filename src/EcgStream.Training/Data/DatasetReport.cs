using System.Text;

namespace EcgStream.Training.Data;

/// <summary>
/// What building a dataset read, kept and skipped, and why: bad input (a missing folder, a corrupt
/// record, a label that maps to no class) is skipped with a count and a warning, never silently.
/// </summary>
public sealed class DatasetReport
{
    private readonly Dictionary<string, int> _skipped = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _firstSkipped = new(StringComparer.Ordinal);
    private readonly List<string> _warnings = [];
    private readonly Action<string>? _warn;

    /// <param name="warn">Called with each warning as it happens (a logger or the console); they are kept too.</param>
    public DatasetReport(Action<string>? warn = null) => _warn = warn;

    public int RecordsListed { get; internal set; }
    public int RecordsUsed { get; internal set; }
    public int Windows { get; internal set; }
    /// <summary>Skip counts by reason ("missing folder", "corrupt record", "unmappable label", …).</summary>
    public IReadOnlyDictionary<string, int> Skipped => _skipped;
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Counts a skip under <paramref name="reason"/> and records the warning naming what was skipped.</summary>
    public void Skip(string reason, string detail)
    {
        _skipped[reason] = _skipped.GetValueOrDefault(reason) + 1;
        _firstSkipped.TryAdd(reason, detail);
        Warn($"skipped ({reason}): {detail}");
    }

    public void Warn(string message)
    {
        _warnings.Add(message);
        _warn?.Invoke(message);
    }

    public int SkipCount(string reason) => _skipped.GetValueOrDefault(reason);

    /// <summary>The detail of the first skip under <paramref name="reason"/>; null when none.</summary>
    public string? FirstSkipped(string reason) => _firstSkipped.GetValueOrDefault(reason);

    public override string ToString()
    {
        var sb = new StringBuilder($"{RecordsListed} records listed, {RecordsUsed} used, {Windows} windows");
        foreach (var (reason, count) in _skipped.OrderBy(kv => kv.Key, StringComparer.Ordinal)) sb.Append($"; {count} skipped: {reason}");
        return sb.ToString();
    }
}
