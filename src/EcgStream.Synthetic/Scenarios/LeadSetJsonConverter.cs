using System.Text.Json;
using System.Text.Json.Serialization;
using EcgStream.Core.Leads;

namespace EcgStream.Synthetic;

/// <summary>A <see cref="LeadSet"/> as a JSON array of lead names (["I", "II", "V1"]).</summary>
public sealed class LeadSetJsonConverter : JsonConverter<LeadSet>
{
    public override LeadSet Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new JsonException("leads must be an array of lead names such as [\"I\", \"II\", \"V1\"]");
        var set = LeadSet.None;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
                throw new JsonException("leads must be an array of lead names such as [\"I\", \"II\", \"V1\"]");
            var name = reader.GetString()!;
            if (!Core.Leads.Leads.TryParse(name, out var lead))
                throw new JsonException($"unknown lead \"{name}\" (expected one of I, II, III, aVR, aVL, aVF, V1…V6)");
            set = set.With(lead);
        }
        return set;
    }

    public override void Write(Utf8JsonWriter writer, LeadSet value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var lead in value) writer.WriteStringValue(Core.Leads.Leads.Name(lead));
        writer.WriteEndArray();
    }
}
