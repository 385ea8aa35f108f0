using System.Text.Json.Serialization;
using EcgStream.Core.Leads;

namespace EcgStream.Synthetic;

/// <summary>
/// A synthetic recording to generate: a patient (from <see cref="Seed"/>, or <see cref="PatientSeed"/>
/// when given), a timeline of rhythm segments and a noise specification. Same scenario, same samples,
/// on any machine. JSON form (camelCase): see <see cref="ScenarioFile"/> and tools/scenarios/*.json.
/// <para>
/// Properties are settable rather than init-only because System.Text.Json's source generator sets
/// every init-only property in its object initializer, overwriting the defaults (all 12 leads,
/// 500 Hz) with zeros when a file leaves them out.
/// </para>
/// </summary>
public sealed record Scenario
{
    public int Seed { get; set; }
    /// <summary>The synthetic patient's seed (morphology, axis, HRV…); default <see cref="Seed"/>.</summary>
    public int? PatientSeed { get; set; }
    public double SampleRate { get; set; } = 500;
    /// <summary>Leads to output, in contract order. JSON: an array of lead names.</summary>
    [JsonConverter(typeof(LeadSetJsonConverter))]
    public LeadSet Leads { get; set; } = LeadSet.All;
    public IReadOnlyList<ScenarioSegment> Segments { get; set; } = [];
    public NoiseSpec Noise { get; set; } = NoiseSpec.None;

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
