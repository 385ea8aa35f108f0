using System.Text.Json.Serialization;

namespace EcgStream.Synthetic;

/// <summary>Source-generated JSON for scenario files: camelCase, unknown fields refused, nulls omitted.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    WriteIndented = true)]
[JsonSerializable(typeof(Scenario))]
public sealed partial class ScenarioJsonContext : JsonSerializerContext;
