using System.Text.Json;
using EcgStream.Runtime.Inference;
using EcgStream.Runtime.Replay;

namespace EcgStream.Cli.Commands;

/// <summary>The one-line JSON run summary that replay-like commands print on stderr.</summary>
internal static class Summary
{
    public static void Write(ReplayResult r, InferenceScheduler? model)
    {
        using var stderr = Console.OpenStandardError();
        using (var w = new Utf8JsonWriter(stderr))
        {
            w.WriteStartObject();
            w.WriteString("summary", r.Record);
            w.WriteString("leads", r.Leads.ToString());
            w.WriteNumber("sample_rate", r.SampleRate);
            w.WriteNumber("duration_s", Math.Round(r.DurationSeconds, 3));
            w.WriteNumber("wall_s", Math.Round(r.Wall.TotalSeconds, 3));
            w.WriteNumber("x_realtime", Math.Round(r.TimesRealTime, 1));
            w.WriteNumber("events", r.Events);
            if (model is not null)
            {
                w.WriteString("model", model.ModelId);
                w.WriteNumber("windows_scored", model.WindowsScored);
                w.WriteNumber("windows_dropped", model.WindowsDropped);
                w.WriteNumber("windows_unreadable", model.WindowsUnreadable);
                w.WriteNumber("window_to_event_p50_ms", Math.Round(model.EndToEnd.Percentile(0.5).TotalMilliseconds, 3));
                w.WriteNumber("window_to_event_p99_ms", Math.Round(model.EndToEnd.Percentile(0.99).TotalMilliseconds, 3));
                // Where the tail comes from: the wait for the inference thread, and the model's own run (copy-in included).
                w.WriteNumber("queue_wait_p99_ms", Math.Round(model.QueueWait.Percentile(0.99).TotalMilliseconds, 3));
                w.WriteNumber("model_run_p50_ms", Math.Round(model.ModelRun.Percentile(0.5).TotalMilliseconds, 3));
                w.WriteNumber("model_run_p99_ms", Math.Round(model.ModelRun.Percentile(0.99).TotalMilliseconds, 3));
            }
            w.WriteEndObject();
        }
        stderr.Write("\n"u8);
    }
}
