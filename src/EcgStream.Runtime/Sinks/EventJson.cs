using System.Text.Json;
using EcgStream.Core.Events;

namespace EcgStream.Runtime.Sinks;

/// <summary>
/// The one JSON shape of an event (documented in docs/events.md), shared by every sink that
/// speaks JSON (stdout, files, WebSocket/SSE).
/// </summary>
public static class EventJson
{
    public static void Write(Utf8JsonWriter w, RhythmEvent e)
    {
        w.WriteStartObject();
        w.WriteString("type", e.Type == EventType.Rhythm ? "rhythm" : "alarm");
        w.WriteString("kind", e.Kind == EventKind.Onset ? "onset" : "offset");
        w.WriteString("rhythm", e.Rhythm);
        w.WriteString("stream", e.StreamId);
        w.WriteNumber("start_s", Round(e.StartSeconds));
        if (e.EndSeconds is { } end) w.WriteNumber("end_s", Round(end));
        w.WriteNumber("detected_s", Round(e.DetectedSeconds));
        w.WriteNumber("latency_s", Round(e.LatencySeconds));
        w.WriteNumber("confidence", Math.Round(e.Confidence, 4));
        w.WriteString("source", EventSources.Name(e.Source));
        if (e.ModelId is { } id) w.WriteString("model", id);
        if (e.EndReason is { } why) w.WriteString("end_reason", why);
        if (e.RunId is { } run) w.WriteString("run", run);
        if (e.DetectedUtc is { } utc) w.WriteString("detected_utc", utc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        w.WriteEndObject();
    }

    public static string ToJson(RhythmEvent e)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms)) Write(w, e);
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>
    /// Reads what <see cref="Write"/> wrote (an event relayed through the cluster's events stream): false, with
    /// <paramref name="problem"/> naming the field, for anything else. <c>latency_s</c> is derived, so it is not read.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> json, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RhythmEvent? e, out string? problem)
    {
        e = null;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json.ToArray()); }
        catch (JsonException x) { problem = $"not JSON ({x.Message.Split('.')[0]})"; return false; }
        using (doc)
        {
            var o = doc.RootElement;
            if (o.ValueKind != JsonValueKind.Object) { problem = "not a JSON object"; return false; }
            string? type = Text(o, "type"), kind = Text(o, "kind"), rhythm = Text(o, "rhythm"), stream = Text(o, "stream"), source = Text(o, "source");
            if (type is not ("rhythm" or "alarm")) { problem = $"type {Quote(type)}: expected rhythm or alarm"; return false; }
            if (kind is not ("onset" or "offset")) { problem = $"kind {Quote(kind)}: expected onset or offset"; return false; }
            if (string.IsNullOrEmpty(rhythm)) { problem = "rhythm missing"; return false; }
            if (string.IsNullOrEmpty(stream)) { problem = "stream missing"; return false; }
            if (!EventSources.TryParse(source, out var src)) { problem = $"source {Quote(source)}: expected rule, model or fused"; return false; }
            if (Number(o, "start_s") is not { } start) { problem = "start_s missing or not a number"; return false; }
            if (Number(o, "detected_s") is not { } detected) { problem = "detected_s missing or not a number"; return false; }
            if (Number(o, "confidence") is not { } confidence) { problem = "confidence missing or not a number"; return false; }
            double? end = Number(o, "end_s");
            DateTimeOffset? utc = null;
            if (Text(o, "detected_utc") is { } u)
            {
                if (!DateTimeOffset.TryParse(u, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t))
                { problem = $"detected_utc \"{u}\" is not an ISO 8601 time"; return false; }
                utc = t.ToUniversalTime();
            }
            e = new RhythmEvent(stream, type == "rhythm" ? EventType.Rhythm : EventType.Alarm, kind == "onset" ? EventKind.Onset : EventKind.Offset,
                rhythm, start, end, detected, confidence, src, Text(o, "model"), Text(o, "run"), utc, Text(o, "end_reason"));
            problem = null;
            return true;
        }
    }

    private static string? Text(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static double? Number(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static string Quote(string? s) => s is null ? "missing" : $"\"{s}\"";

    private static double Round(double seconds) => Math.Round(seconds, 3);
}
