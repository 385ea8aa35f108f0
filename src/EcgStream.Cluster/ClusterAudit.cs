using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace EcgStream.Cluster;

/// <summary>An event as stored in the events stream, with the stream's timestamps.</summary>
public sealed record StoredEvent(
    string Bed, string Type, string Kind, string Rhythm, string Source, double StartSeconds, double DetectedSeconds,
    string? Worker, DateTimeOffset Stored, DateTimeOffset? SampleStored, string? Id);

/// <summary>A checkpoint as stored in the progress stream.</summary>
public sealed record StoredProgress(string Bed, ProgressRecord Record, DateTimeOffset Stored);

/// <summary>What the cluster holds after a run: every checkpoint and every event, read back from the streams.</summary>
public sealed record ClusterContents(IReadOnlyList<StoredProgress> Progress, IReadOnlyList<StoredEvent> Events)
{
    /// <summary>Per bed: samples the checkpoints have not reached yet (after the last one, before <paramref name="publishedEnd"/>): behind, not lost.</summary>
    public long Behind(string bed, long publishedEnd) =>
        Math.Max(0, publishedEnd - Progress.Where(p => p.Bed == bed).Select(p => p.Record.To).DefaultIfEmpty(0).Max());

    /// <summary>Per bed: samples covered by checkpoints, samples covered twice, holes before <paramref name="publishedEnd"/>.</summary>
    public (long Analysed, long Double, int Holes) Coverage(string bed, long publishedEnd)
    {
        var ranges = Progress.Where(p => p.Bed == bed).Select(p => (p.Record.From, p.Record.To)).OrderBy(r => r.From).ToList();
        long analysed = 0, twice = 0, reach = 0;
        int holes = 0;
        foreach (var (from, to) in ranges)
        {
            if (from > reach) holes++;
            if (from < reach) twice += Math.Min(to, reach) - from;
            analysed += Math.Max(0, to - Math.Max(from, reach));
            reach = Math.Max(reach, to);
        }
        if (reach < publishedEnd) holes++;
        return (Math.Min(analysed, publishedEnd), twice, holes);
    }

    public static async Task<ClusterContents> ReadAsync(INatsJSContext js, ClusterSettings s, CancellationToken ct = default)
    {
        var progress = new List<StoredProgress>();
        await foreach (var m in ReadAllAsync(js, ClusterSettings.ProgressStream, $"progress.{s.Site}.>", ct))
        {
            if (ProgressRecord.Parse(m.Data) is { } r) progress.Add(new StoredProgress(LastToken(m.Subject), r, m.Stored));
        }
        var events = new List<StoredEvent>();
        await foreach (var m in ReadAllAsync(js, ClusterSettings.EventStream, $"events.{s.Site}.>", ct))
        {
            using var doc = JsonDocument.Parse(m.Data);
            var e = doc.RootElement;
            DateTimeOffset? sample = m.Headers?.TryGetValue("Ecg-Sample-Time", out var v) == true && long.TryParse(v.ToString(), out long ms)
                ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
            string? id = m.Headers?.TryGetValue("Nats-Msg-Id", out var idv) == true ? idv.ToString() : null;
            events.Add(new StoredEvent(LastToken(m.Subject), e.GetProperty("type").GetString()!, e.GetProperty("kind").GetString()!,
                e.GetProperty("rhythm").GetString()!, e.GetProperty("source").GetString()!, e.GetProperty("start_s").GetDouble(),
                e.GetProperty("detected_s").GetDouble(), e.TryGetProperty("run", out var run) ? run.GetString() : null, m.Stored, sample, id));
        }
        return new ClusterContents(progress, events);
    }

    private static string LastToken(string subject) => subject[(subject.LastIndexOf('.') + 1)..];

    private sealed record Raw(string Subject, byte[] Data, NatsHeaders? Headers, DateTimeOffset Stored);

    /// <summary>Every message of a stream under <paramref name="filter"/>, oldest first, up to the last one present.</summary>
    private static async IAsyncEnumerable<Raw> ReadAllAsync(INatsJSContext js, string stream, string filter,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var info = await js.GetStreamAsync(stream, cancellationToken: ct);
        if (info.Info.State.Messages == 0) yield break;
        await foreach (var m in SubjectReader.ReadAsync(js, stream, filter, null, TimeSpan.FromSeconds(3), true, null, ct))
            yield return new Raw(m.Subject, m.Data, m.Headers, m.Stored);
    }
}
