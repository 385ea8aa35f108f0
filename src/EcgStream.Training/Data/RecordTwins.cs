using System.Security.Cryptography;
using EcgStream.Training.Data.Sources;

namespace EcgStream.Training.Data;

/// <summary>
/// Records whose signal files are byte for byte the same recording under two ids. The distributions hold a few (in
/// ../shared/data: PhysioNet 2017 A00227 = A01176 and A02656 = A03123, CinC 2021 E07509 = E07510, five PTB-XL pairs,
/// one of them under two patient ids), and a split by patient alone can put one copy in train and the other in test.
/// Twins are found by the SHA-256 of the record's signal file (<c>.mat</c> or <c>.dat</c> beside its header): a
/// recording, not a patient, is what a model must not have seen.
/// </summary>
public static class RecordTwins
{
    /// <summary>Signal file extensions, in the order looked for.</summary>
    private static readonly string[] SignalExtensions = [".mat", ".dat"];

    /// <summary>
    /// The groups of identical recordings among <paramref name="entries"/> (only groups of two or more), each
    /// ordered by record id. A record without a readable signal file is in no group.
    /// </summary>
    public static List<string[]> Find(IEnumerable<RecordEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var byContent = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            // Sources name a record by its header or by its stem.
            var stem = entry.Path.EndsWith(".hea", StringComparison.OrdinalIgnoreCase) ? Path.ChangeExtension(entry.Path, null) : entry.Path;
            var file = SignalExtensions.Select(e => stem + e).FirstOrDefault(File.Exists);
            if (file is null) continue;
            Core.Files.RegularFiles.Require(file);
            string hash;
            using (var stream = File.OpenRead(file)) hash = Convert.ToHexString(SHA256.HashData(stream));
            if (!byContent.TryGetValue(hash, out var ids)) byContent[hash] = ids = [];
            if (!ids.Contains(entry.RecordId, StringComparer.Ordinal)) ids.Add(entry.RecordId);
        }
        return [.. byContent.Values.Where(g => g.Count > 1).Select(g => g.Order(StringComparer.Ordinal).ToArray()).OrderBy(g => g[0], StringComparer.Ordinal)];
    }
}
