using System.Globalization;

namespace EcgStream.Training.Pretraining;

/// <summary>
/// Which encoder layers the decoder reads. Each group's hidden states are averaged; the groups'
/// averages, each normalised, are concatenated along the feature axis. One group holding only the
/// last layer is plain ST-MEM; more groups is IPASTMEM (layers 0-based).
/// </summary>
public sealed class LayerGrouping
{
    private LayerGrouping(int[][] groups) => Groups = groups;

    public IReadOnlyList<IReadOnlyList<int>> Groups { get; }
    public int Count => Groups.Count;

    /// <summary>True unless the only group is the last layer (then only that layer's states are kept).</summary>
    public bool NeedsAllLayers(int depth) => !(Groups.Count == 1 && Groups[0].Count == 1 && Groups[0][0] == depth - 1);

    /// <summary>Plain ST-MEM: the decoder reads the last layer.</summary>
    public static LayerGrouping LastLayer(int depth)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(depth);
        return new([[depth - 1]]);
    }

    /// <summary><paramref name="groups"/> contiguous groups as equal as possible (earlier groups take the remainder).</summary>
    public static LayerGrouping Contiguous(int depth, int groups)
    {
        if (groups < 1 || groups > depth)
            throw new ArgumentOutOfRangeException(nameof(groups), groups, $"group count must be within 1…{depth} for {depth} layers");
        var result = new int[groups][];
        int start = 0;
        for (int g = 0; g < groups; g++)
        {
            int size = depth / groups + (g < depth % groups ? 1 : 0);
            result[g] = Enumerable.Range(start, size).ToArray();
            start += size;
        }
        return new(result);
    }

    /// <summary>Explicit groups, e.g. <c>"0-3,4-7"</c> or <c>"2,5,7"</c> (a group is one index or an inclusive range).</summary>
    public static LayerGrouping Parse(string text, int depth)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var groups = new List<int[]>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var bounds = part.Split('-', StringSplitOptions.TrimEntries);
            if (bounds.Length is < 1 or > 2 || !bounds.All(b => int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
                throw new FormatException($"layer group '{part}' in '{text}' is not an index or a range like 0-3");
            int from = int.Parse(bounds[0], CultureInfo.InvariantCulture), to = int.Parse(bounds[^1], CultureInfo.InvariantCulture);
            if (from > to) throw new FormatException($"layer group '{part}' in '{text}' runs backwards");
            if (to >= depth) throw new FormatException($"layer group '{part}' in '{text}' names layer {to}; the encoder has layers 0…{depth - 1}");
            groups.Add(Enumerable.Range(from, to - from + 1).ToArray());
        }
        return new([.. groups]);
    }

    public override string ToString() =>
        string.Join(",", Groups.Select(g => g.Count == 1 ? g[0].ToString(CultureInfo.InvariantCulture) : $"{g[0]}-{g[^1]}"));
}
