using System.Text;
using System.Text.Json;
using EcgStream.Training.Data.Sources;

namespace EcgStream.Training.Data;

public enum Split { Train, Validation, Test }

/// <summary>
/// Train/validation/test assignment by patient, so no patient's records land in two splits: a
/// patient's split is a fixed function of (seed, patient id) (FNV-1a hash to [0, 1)). Saved to disk
/// as JSON (record → patient, split); a loaded file keeps earlier assignments even if the rule or
/// the fractions change later.
/// <para>
/// Identical recordings under two ids (<see cref="RecordTwins"/>, given by <see cref="UseTwins"/>) are one recording:
/// a new record of a new patient takes the split of a twin already placed, and where twins lie apart, the copy in the
/// later split (train, then validation, then test; by record id within one split) is left out of a held-out split
/// (<see cref="LeftOut"/>): it was seen, or it would be counted twice.
/// </para>
/// </summary>
public sealed class DatasetSplits
{
    private readonly Dictionary<string, (string Patient, Split Split)> _records = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _twins = new(StringComparer.Ordinal);

    public DatasetSplits(ulong seed = 1, double validationFraction = 0.1, double testFraction = 0.2)
    {
        if (validationFraction < 0 || testFraction < 0 || validationFraction + testFraction >= 1)
            throw new ArgumentException($"validation {validationFraction} and test {testFraction} fractions must be >= 0 and sum below 1");
        (Seed, ValidationFraction, TestFraction) = (seed, validationFraction, testFraction);
    }

    public ulong Seed { get; }
    public double ValidationFraction { get; }
    public double TestFraction { get; }
    public int Count => _records.Count;

    /// <summary>The record's split, assigning it (by its patient) when new.</summary>
    public Split Assign(RecordEntry entry)
    {
        if (_records.TryGetValue(entry.RecordId, out var known))
        {
            if (known.Patient != entry.PatientId)
                throw new InvalidDataException($"{Source ?? "split file"}: record {entry.RecordId} is patient {known.Patient}, the data says {entry.PatientId}");
            return known.Split;
        }
        var patientSplit = _records.Values.FirstOrDefault(r => r.Patient == entry.PatientId);
        var twinSplits = _twins.TryGetValue(entry.RecordId, out var group)
            ? group.Where(_records.ContainsKey).Select(t => _records[t].Split).Order().ToList() : [];
        // A patient's split comes first (one patient, one split); else a twin's; a twin left apart is LeftOut.
        var split = patientSplit.Patient is not null ? patientSplit.Split : twinSplits.Count > 0 ? twinSplits[0] : Rule(entry.PatientId);
        _records[entry.RecordId] = (entry.PatientId, split);
        return split;
    }

    /// <summary>
    /// A copy of these assignments with <paramref name="records"/> placed as given (e.g. a cross-validation fold's
    /// test patients); refused when one patient would land in two splits.
    /// </summary>
    public DatasetSplits With(IEnumerable<(string Record, string Patient, Split Split)> records)
    {
        var copy = new DatasetSplits(Seed, ValidationFraction, TestFraction);
        foreach (var (id, r) in _records) copy._records[id] = r;
        foreach (var (id, group) in _twins) copy._twins[id] = group;
        foreach (var (id, patient, split) in records) copy._records[id] = (patient, split);
        foreach (var group in copy._records.Values.GroupBy(r => r.Patient, StringComparer.Ordinal))
            if (group.Select(r => r.Split).Distinct().Count() > 1)
                throw new ArgumentException($"patient {group.Key} would be in {string.Join(" and ", group.Select(r => r.Split).Distinct())}");
        return copy;
    }

    public Split? Of(string recordId) => _records.TryGetValue(recordId, out var r) ? r.Split : null;

    /// <summary>The patient a record belongs to (null when the file does not name the record).</summary>
    public string? PatientOf(string recordId) => _records.TryGetValue(recordId, out var r) ? r.Patient : null;

    /// <summary>Record ids in <paramref name="split"/>; a held-out split without the records <see cref="LeftOut"/> names.</summary>
    public IReadOnlySet<string> Records(Split split) =>
        _records.Where(kv => kv.Value.Split == split && (split == Split.Train || LeftOutBecause(kv.Key) is null)).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);

    /// <summary>Groups of identical recordings (<see cref="RecordTwins.Find"/>); replaces any given before.</summary>
    public void UseTwins(IEnumerable<string[]> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        _twins.Clear();
        foreach (var group in groups)
            foreach (var id in group) _twins[id] = group;
    }

    /// <summary>
    /// Why a record is not in its held-out split: "identical to R (Split)" when a twin of it was placed in an earlier
    /// split, or in the same one under a smaller record id; null when it is held out as placed (and for train records).
    /// </summary>
    public string? LeftOutBecause(string recordId)
    {
        if (!_twins.TryGetValue(recordId, out var group) || !_records.TryGetValue(recordId, out var own) || own.Split == Split.Train) return null;
        var first = group.Where(_records.ContainsKey).OrderBy(t => _records[t].Split).ThenBy(t => t, StringComparer.Ordinal).First();
        return first == recordId ? null : $"identical to {first} ({_records[first].Split})";
    }

    /// <summary>Every placed record a held-out split leaves out, with the reason (<see cref="LeftOutBecause"/>), by record id.</summary>
    public IReadOnlyList<(string Record, Split Split, string Reason)> LeftOut() =>
        [.. _records.Keys.Order(StringComparer.Ordinal).Select(id => (id, _records[id].Split, LeftOutBecause(id))).Where(x => x.Item3 is not null).Select(x => (x.id, x.Split, x.Item3!))];

    private Split Rule(string patient)
    {
        ulong h = 14695981039346656037UL ^ Seed;
        foreach (var b in Encoding.UTF8.GetBytes(patient)) { h ^= b; h *= 1099511628211UL; }
        h ^= h >> 33; h *= 0xFF51AFD7ED558CCDUL; h ^= h >> 33;
        double u = (h >> 11) * (1.0 / (1UL << 53));
        return u < TestFraction ? Split.Test : u < TestFraction + ValidationFraction ? Split.Validation : Split.Train;
    }

    private sealed record FileRecord(string Patient, Split Split);
    private sealed record FileModel(ulong Seed, double ValidationFraction, double TestFraction, SortedDictionary<string, FileRecord> Records);

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public void Save(string path)
    {
        var model = new FileModel(Seed, ValidationFraction, TestFraction,
            new SortedDictionary<string, FileRecord>(_records.ToDictionary(kv => kv.Key, kv => new FileRecord(kv.Value.Patient, kv.Value.Split)), StringComparer.Ordinal));
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(model, s_json));
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>
    /// Reads a file <see cref="Save"/> wrote. Every problem is an <see cref="InvalidDataException"/> naming the file: not JSON,
    /// a key missing or of the wrong type (keys are case-sensitive, as written), a split that is not a name of <see cref="Split"/>
    /// (a number is refused: 7 is no split, and 2 would silently mean Test), a record or key given twice (JSON keeps the last,
    /// which hides an edit conflict), a patient in two splits.
    /// </summary>
    public static DatasetSplits Load(string path)
    {
        JsonDocument doc;
        Core.Files.RegularFiles.Require(path);
        try { doc = JsonDocument.Parse(File.ReadAllBytes(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a split file ({e.Message})", e); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad(path, $"expected a JSON object, found {Kind(root)}");
            var top = Properties(path, root, "the top level");
            ulong seed = top.TryGetValue("Seed", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetUInt64(out var sv) ? sv
                : throw Bad(path, "\"Seed\" missing or not a non-negative integer");
            double validation = Fraction(path, top, "ValidationFraction"), test = Fraction(path, top, "TestFraction");
            if (!top.TryGetValue("Records", out var records) || records.ValueKind != JsonValueKind.Object)
                throw Bad(path, $"\"Records\" missing or not an object (found {(top.ContainsKey("Records") ? Kind(records) : "nothing")}); keys are case-sensitive: Seed, ValidationFraction, TestFraction, Records");
            DatasetSplits splits;
            try { splits = new DatasetSplits(seed, validation, test) { Source = path }; }
            catch (ArgumentException e) { throw Bad(path, e.Message); }
            var patientSplit = new Dictionary<string, Split>(StringComparer.Ordinal);
            foreach (var (record, value) in Properties(path, records, "\"Records\""))
            {
                if (value.ValueKind != JsonValueKind.Object) throw Bad(path, $"record {record}: expected an object with Patient and Split, found {Kind(value)}");
                var fields = Properties(path, value, $"record {record}");
                string patient = fields.TryGetValue("Patient", out var p) && p.ValueKind == JsonValueKind.String && p.GetString() is { Length: > 0 } pv ? pv
                    : throw Bad(path, $"record {record}: \"Patient\" missing or not a non-empty string");
                // Enum.TryParse alone would take "2" or "7": a split is one of the names, nothing else.
                var split = fields.TryGetValue("Split", out var sp) && sp.ValueKind == JsonValueKind.String && sp.GetString() is { } name
                            && Enum.GetNames<Split>().FirstOrDefault(n => n.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } known
                    ? Enum.Parse<Split>(known)
                    : throw Bad(path, $"record {record}: \"Split\" is {(fields.ContainsKey("Split") ? sp.GetRawText() : "missing")}; expected \"Train\", \"Validation\" or \"Test\"");
                if (patientSplit.TryGetValue(patient, out var other) && other != split)
                    throw Bad(path, $"patient {patient} appears in {other} and {split}");
                patientSplit[patient] = split;
                splits._records[record] = (patient, split);
            }
            return splits;
        }
    }

    /// <summary>The split file this was loaded from (null: built in memory); errors about its assignments name it.</summary>
    public string? Source { get; private init; }

    private static double Fraction(string path, Dictionary<string, JsonElement> top, string key) =>
        top.TryGetValue(key, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d) ? d
            : throw Bad(path, $"\"{key}\" missing or not a number");

    /// <summary>An object's properties by name; a name given twice is refused (JSON readers silently keep the last one).</summary>
    private static Dictionary<string, JsonElement> Properties(string path, JsonElement obj, string where)
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
            if (!result.TryAdd(p.Name, p.Value)) throw Bad(path, $"{where}: key \"{p.Name}\" appears twice");
        return result;
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object", JsonValueKind.Array => "an array", JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number", JsonValueKind.Null => "null", _ => "a boolean",
    };

    private static InvalidDataException Bad(string path, string problem) => new($"{path}: {problem}");
}
