namespace EcgStream.Cli.Commands;

/// <summary>
/// Record arguments as a shell glob gives them: `data_*` names each WFDB record three times
/// (.hea, .dat, .atr). A WFDB companion file stands for its record, and each record is taken once,
/// in first-seen order, so pooled figures never count a record twice.
/// </summary>
internal static class RecordArguments
{
    /// <summary>Prints the header fields a reader ignored, one "warning: …" line each on stderr.</summary>
    public static void PrintWarnings(IReadOnlyList<string> warnings)
    {
        foreach (var w in warnings) Console.Error.WriteLine($"warning: {w}");
    }

    private static readonly string[] s_companions = [".hea", ".dat", ".atr", ".mat", ".qrs"];

    public static List<string> Distinct(IEnumerable<string> paths)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var path in paths)
        {
            // the parser hands an unknown option after a record to the record list: say what it is, not "no header --drop.hea"
            if (path.StartsWith('-') && !File.Exists(path) && !Directory.Exists(path))
                throw new ArgumentException($"'{path}': not an option of this command (see --help), nor a record");
            var record = s_companions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase)) ? path[..^4] : path;
            if (seen.Add(Path.GetFullPath(record))) result.Add(record);
        }
        return result;
    }
}
