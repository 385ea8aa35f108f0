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
/// </summary>
public sealed class DatasetSplits
{
    private readonly Dictionary<string, (string Patient, Split Split)> _records = new(StringComparer.Ordinal);

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
                throw new InvalidDataException($"split file says record {entry.RecordId} is patient {known.Patient}, the source says {entry.PatientId}");
            return known.Split;
        }
        var patientSplit = _records.Values.FirstOrDefault(r => r.Patient == entry.PatientId);
        var split = patientSplit.Patient is not null ? patientSplit.Split : Rule(entry.PatientId);
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
        foreach (var (id, patient, split) in records) copy._records[id] = (patient, split);
        foreach (var group in copy._records.Values.GroupBy(r => r.Patient, StringComparer.Ordinal))
            if (group.Select(r => r.Split).Distinct().Count() > 1)
                throw new ArgumentException($"patient {group.Key} would be in {string.Join(" and ", group.Select(r => r.Split).Distinct())}");
        return copy;
    }

    public Split? Of(string recordId) => _records.TryGetValue(recordId, out var r) ? r.Split : null;

    /// <summary>Record ids in <paramref name="split"/>.</summary>
    public IReadOnlySet<string> Records(Split split) => _records.Where(kv => kv.Value.Split == split).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);

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

    public static DatasetSplits Load(string path)
    {
        FileModel model;
        try
        {
            model = JsonSerializer.Deserialize<FileModel>(File.ReadAllText(path), s_json) ?? throw new InvalidDataException($"{path}: empty split file");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a split file ({e.Message})", e);
        }
        var splits = new DatasetSplits(model.Seed, model.ValidationFraction, model.TestFraction);
        foreach (var (record, r) in model.Records)
        {
            var other = splits._records.Values.FirstOrDefault(x => x.Patient == r.Patient);
            if (other.Patient is not null && other.Split != r.Split)
                throw new InvalidDataException($"{path}: patient {r.Patient} appears in {other.Split} and {r.Split}");
            splits._records[record] = (r.Patient, r.Split);
        }
        return splits;
    }
}
