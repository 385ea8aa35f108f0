using System.Text.Json.Serialization;
using EcgStream.Core.Leads;

namespace EcgStream.Synthetic;

/// <summary>
/// A synthetic recording to generate: a patient (from <see cref="Seed"/>, or <see cref="PatientSeed"/>
/// when given), a timeline of rhythm segments and a noise specification. Same scenario, same samples,
/// on any machine. JSON form (camelCase): see <see cref="ScenarioFile"/> and tools/scenarios/*.json.
/// </summary>
public sealed record Scenario
{
    public int Seed { get; init; }
    /// <summary>The synthetic patient's seed (morphology, axis, HRV…); default <see cref="Seed"/>.</summary>
    public int? PatientSeed { get; init; }
    public double SampleRate { get; init; } = 500;
    /// <summary>Leads to output, in contract order. JSON: an array of lead names.</summary>
    [JsonConverter(typeof(LeadSetJsonConverter))]
    public LeadSet Leads { get; init; } = LeadSet.All;
    public IReadOnlyList<ScenarioSegment> Segments { get; init; } = [];
    public NoiseSpec Noise { get; init; } = NoiseSpec.None;

    public double DurationSeconds
    {
        get
        {
            double d = 0;
            foreach (var s in Segments) d += s.DurationSeconds;
            return d;
        }
    }

    /// <summary>Throws <see cref="ScenarioException"/> naming the first invalid field.</summary>
    public void Validate() => ScenarioValidator.Validate(this, source: null);
}
