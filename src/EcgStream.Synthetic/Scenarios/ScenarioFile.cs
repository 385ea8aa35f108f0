using System.Text.Json;

namespace EcgStream.Synthetic;

/// <summary>Reads and writes scenario JSON files with errors that name the file, line and field.</summary>
public static class ScenarioFile
{
    public static Scenario Load(string path)
    {
        string text;
        if (Core.Files.RegularFiles.Problem(path) is { } why) throw new ScenarioException($"scenario file {path}: {why}");
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ScenarioException($"scenario file {path}: cannot read: {e.Message}", e);
        }
        return Parse(text, path);
    }

    /// <summary>Parses scenario JSON; <paramref name="source"/> names it in errors (a path, or e.g. "stdin").</summary>
    public static Scenario Parse(string json, string source = "scenario")
    {
        Scenario? s;
        try { s = JsonSerializer.Deserialize(json, ScenarioJsonContext.Default.Scenario); }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 0 } p ? $" at {p}" : "";
            var line = e.LineNumber is { } l ? $" (line {l + 1}, byte {e.BytePositionInLine + 1})" : "";
            var why = e.InnerException?.Message ?? e.Message;
            // System.Text.Json appends its own location to some messages; keep ours only.
            int cut = why.IndexOf(" Path: ", StringComparison.Ordinal);
            if (cut > 0) why = why[..cut];
            throw new ScenarioException($"scenario file {source}{where}{line}: {why}", e);
        }
        if (s is null) throw new ScenarioException($"scenario file {source}: empty (JSON null)");
        ScenarioValidator.Validate(s, source);
        return s;
    }

    public static string ToJson(Scenario scenario) => JsonSerializer.Serialize(scenario, ScenarioJsonContext.Default.Scenario);

    public static void Save(Scenario scenario, string path) => File.WriteAllText(path, ToJson(scenario));
}
