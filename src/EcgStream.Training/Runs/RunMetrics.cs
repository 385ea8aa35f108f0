using System.Text.Json;
using System.Text.Json.Serialization;

namespace EcgStream.Training.Runs;

/// <summary>One training step's numbers.</summary>
public sealed record StepMetrics(long Step, double Loss, double LearningRate, double Seconds);

/// <summary>
/// The metrics JSON of a run (<c>metrics.json</c> in its folder): what ran, with which settings,
/// and the loss of every step; rewritten at each checkpoint so it survives an interrupted run.
/// </summary>
public sealed record RunMetrics
{
    public required string Kind { get; init; }
    public required JsonElement Config { get; init; }
    public required JsonElement Options { get; init; }
    public List<StepMetrics> Steps { get; init; } = [];
    public bool Completed { get; set; }
    public int Resumes { get; set; }

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public static JsonElement ToElement<T>(T value) => JsonSerializer.SerializeToElement(value, s_json);

    public void Save(string path)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, s_json));
        File.Move(tmp, path, overwrite: true);
    }

    public static RunMetrics Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<RunMetrics>(File.ReadAllText(path), s_json)
                ?? throw new InvalidDataException($"{path}: empty metrics file");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a metrics file ({e.Message})", e);
        }
    }
}
