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

    private static double Round(double seconds) => Math.Round(seconds, 3);
}
