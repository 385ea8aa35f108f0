using System.Globalization;
using System.Text;
using EcgStream.Core.Events;

namespace EcgStream.Daemon.Http;

/// <summary>
/// /metrics in the Prometheus text exposition format (version 0.0.4): per bed samples, ingest
/// counters, events by type, inference counters, event latency quantiles, event-stream clients.
/// </summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Render(DaemonHost host)
    {
        var sb = new StringBuilder(4096);
        var beds = host.Beds;
        Family(sb, "ecgstream_bed_connected", "gauge", "1 while the bed's source is connected.");
        foreach (var b in beds) Sample(sb, "ecgstream_bed_connected", Bed(b.Id), b.Connected ? 1 : 0);
        Family(sb, "ecgstream_bed_samples_total", "counter", "Samples per lead received.");
        foreach (var b in beds) Sample(sb, "ecgstream_bed_samples_total", Bed(b.Id), b.Samples);
        Family(sb, "ecgstream_bed_last_sample_age_seconds", "gauge", "Seconds since the last block arrived (absent before the first).");
        foreach (var b in beds) if (b.LastSampleAgeSeconds is { } age) Sample(sb, "ecgstream_bed_last_sample_age_seconds", Bed(b.Id), age);
        Family(sb, "ecgstream_bed_reconnects_total", "counter", "Times the source connected again after a drop.");
        foreach (var b in beds) Sample(sb, "ecgstream_bed_reconnects_total", Bed(b.Id), b.Reconnects);

        Family(sb, "ecgstream_ingest_frames_total", "counter", "Wire frames by outcome.");
        foreach (var b in beds)
        {
            if (b.Ingest is not { } c) continue;
            // ok: frames used (INFO and delivered DATA); frames that passed the CRCs but were not used have their own result
            Sample(sb, "ecgstream_ingest_frames_total", Bed(b.Id, ("result", "ok")), c.InfoFrames + c.DataFrames);
            Sample(sb, "ecgstream_ingest_frames_total", Bed(b.Id, ("result", "unsupported")), c.Unsupported);
            Sample(sb, "ecgstream_ingest_frames_total", Bed(b.Id, ("result", "no_info")), c.NoInfo);
            Sample(sb, "ecgstream_ingest_frames_total", Bed(b.Id, ("result", "crc_error")), c.CrcErrors);
            Sample(sb, "ecgstream_ingest_frames_total", Bed(b.Id, ("result", "header_error")), c.HeaderErrors);
            Sample(sb, "ecgstream_ingest_frames_total", Bed(b.Id, ("result", "duplicate")), c.Duplicates);
            Sample(sb, "ecgstream_ingest_frames_total", Bed(b.Id, ("result", "malformed")), c.Malformed);
        }
        Family(sb, "ecgstream_ingest_gaps_total", "counter", "Runs of missing frames (from sequence numbers).");
        foreach (var b in beds) if (b.Ingest is { } c) Sample(sb, "ecgstream_ingest_gaps_total", Bed(b.Id), c.Gaps);
        Family(sb, "ecgstream_ingest_gap_frames_total", "counter", "Frames missing in all gaps.");
        foreach (var b in beds) if (b.Ingest is { } c) Sample(sb, "ecgstream_ingest_gap_frames_total", Bed(b.Id), c.GapFrames);
        Family(sb, "ecgstream_ingest_restarts_total", "counter", "Device restarts (sequence jumped back).");
        foreach (var b in beds) if (b.Ingest is { } c) Sample(sb, "ecgstream_ingest_restarts_total", Bed(b.Id), c.Restarts);

        Family(sb, "ecgstream_events_total", "counter", "Events emitted, by type, kind, rhythm and source.");
        foreach (var b in beds)
            foreach (var (k, n) in b.EventCounts.OrderBy(k => k.Key.Rhythm, StringComparer.Ordinal).ThenBy(k => k.Key.Kind))
                Sample(sb, "ecgstream_events_total", Bed(b.Id,
                    ("type", k.Type == EventType.Rhythm ? "rhythm" : "alarm"), ("kind", k.Kind == EventKind.Onset ? "onset" : "offset"),
                    ("rhythm", k.Rhythm), ("source", k.Source == EventSource.Model ? "model" : "rule")), n);

        Family(sb, "ecgstream_event_latency_seconds", "summary", "Host time from the arrival of the newest block to its event reaching the sinks.");
        foreach (var b in beds)
        {
            var h = b.EventLatency;
            Sample(sb, "ecgstream_event_latency_seconds", Bed(b.Id, ("quantile", "0.5")), h.Percentile(0.5).TotalSeconds);
            Sample(sb, "ecgstream_event_latency_seconds", Bed(b.Id, ("quantile", "0.99")), h.Percentile(0.99).TotalSeconds);
            Sample(sb, "ecgstream_event_latency_seconds_sum", Bed(b.Id), h.Mean.TotalSeconds * h.Count);
            Sample(sb, "ecgstream_event_latency_seconds_count", Bed(b.Id), h.Count);
        }

        if (host.Model is { } m)
        {
            Family(sb, "ecgstream_inference_windows_total", "counter", "Model windows by outcome (live: the oldest queued window is dropped when the queue is full).");
            Sample(sb, "ecgstream_inference_windows_total", Labels(("result", "scored")), m.WindowsScored);
            Sample(sb, "ecgstream_inference_windows_total", Labels(("result", "dropped")), m.WindowsDropped);
            Family(sb, "ecgstream_inference_batches_total", "counter", "Model runs.");
            Sample(sb, "ecgstream_inference_batches_total", "", m.Batches);
            Family(sb, "ecgstream_inference_latency_seconds", "summary", "Window queued → scores delivered.");
            Sample(sb, "ecgstream_inference_latency_seconds", Labels(("quantile", "0.5")), m.EndToEnd.Percentile(0.5).TotalSeconds);
            Sample(sb, "ecgstream_inference_latency_seconds", Labels(("quantile", "0.99")), m.EndToEnd.Percentile(0.99).TotalSeconds);
            Sample(sb, "ecgstream_inference_latency_seconds_sum", "", m.EndToEnd.Mean.TotalSeconds * m.EndToEnd.Count);
            Sample(sb, "ecgstream_inference_latency_seconds_count", "", m.EndToEnd.Count);
        }

        Family(sb, "ecgstream_http_refused_total", "counter", "HTTP requests refused, by reason (host, token, origin, clients).");
        Sample(sb, "ecgstream_http_refused_total", Labels(("reason", "host")), host.Access.RefusedHost);
        Sample(sb, "ecgstream_http_refused_total", Labels(("reason", "token")), host.Access.RefusedToken);
        Sample(sb, "ecgstream_http_refused_total", Labels(("reason", "origin")), host.Access.RefusedOrigin);
        Sample(sb, "ecgstream_http_refused_total", Labels(("reason", "clients")), host.Access.RefusedClients);

        Family(sb, "ecgstream_stream_clients", "gauge", "Connected event-stream clients.");
        Sample(sb, "ecgstream_stream_clients", "", host.Hub.ClientCount);
        Family(sb, "ecgstream_stream_messages_total", "counter", "Messages published to event-stream clients.");
        Sample(sb, "ecgstream_stream_messages_total", "", host.Hub.Published);
        Family(sb, "ecgstream_stream_dropped_total", "counter", "Messages dropped from full client buffers (slow or stalled clients).");
        Sample(sb, "ecgstream_stream_dropped_total", "", host.Hub.Dropped);
        return sb.ToString();
    }

    private static void Family(StringBuilder sb, string name, string type, string help) =>
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
          .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder sb, string name, string labels, double value) =>
        sb.Append(name).Append(labels).Append(' ').Append(Format(value)).Append('\n');

    private static string Format(double v) =>
        double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : double.IsNaN(v) ? "NaN" : v.ToString("R", CultureInfo.InvariantCulture);

    private static string Bed(string id, params (string Key, string Value)[] more) => Labels([("bed", id), .. more]);

    private static string Labels(params (string Key, string Value)[] labels)
    {
        var sb = new StringBuilder("{");
        for (int i = 0; i < labels.Length; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(labels[i].Key).Append("=\"").Append(Escape(labels[i].Value)).Append('"');
        }
        return sb.Append('}').ToString();
    }

    /// <summary>Label values escape backslash, double quote and line feed.</summary>
    private static string Escape(string v) => v.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}
