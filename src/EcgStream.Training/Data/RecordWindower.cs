using EcgStream.Core.Leads;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Formats;
using EcgStream.Formats.Labels;
using EcgStream.Signal.Preprocessing;
using EcgStream.Signal.Windowing;
using EcgStream.Training.Data.Sources;

namespace EcgStream.Training.Data;

/// <summary>
/// Cuts a real record into labelled contract-v1 windows with the runtime's own preprocessing through
/// <see cref="RecordWindows"/> (the same cut <c>ecgstream classify</c> scores):
/// <see cref="EcgPreprocessor.ProcessRecord"/> over the whole record (the causal filters run as in
/// a stream), then windows, then <see cref="WindowStandardiser"/>. A record that cannot be read, has
/// no standard lead or is too short is skipped with a count and a warning.
/// </summary>
public static class RecordWindower
{
    /// <summary>Adds the record's windows to <paramref name="into"/>; returns how many.</summary>
    public static int AddWindows(RecordEntry entry, WindowSet into, DatasetReport report, WindowingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(into);
        ArgumentNullException.ThrowIfNull(report);
        options ??= new WindowingOptions();
        report.RecordsListed++;

        Recording record;
        try
        {
            record = RecordReader.Read(entry.Path);
        }
        catch (Exception e) when (e is FormatException or IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            report.Skip("corrupt record", $"{entry.RecordId} ({entry.Path}): {e.Message}");
            return 0;
        }

        // Channels carrying a standard lead, in lead order (the preprocessor's plane order).
        var byLead = new SortedDictionary<Lead, float[]>();
        for (int ch = 0; ch < record.Signals.Count; ch++)
        {
            Lead lead;
            if (entry.ChannelLeads is { } given) { if (ch >= given.Length) continue; lead = given[ch]; }
            else if (!Leads.TryParse(record.Signals[ch].Name, out lead)) continue;
            byLead.TryAdd(lead, record.Samples[ch]);
        }
        if (byLead.Count == 0)
        {
            report.Skip("no standard lead", $"{entry.RecordId}: channels [{string.Join(", ", record.Signals.Select(s => s.Name))}] name no lead of the 12");
            return 0;
        }
        var leads = LeadSet.None;
        foreach (var lead in byLead.Keys) leads = leads.With(lead);

        if (record.DurationSeconds < RecordWindows.MinimumSeconds(options.WarmupSeconds))
        {
            report.Skip("too short", $"{entry.RecordId}: {record.DurationSeconds:F3} s; a window after the {options.WarmupSeconds:F1} s filter warm-up needs {options.WarmupSeconds + 9:F1} s");
            return 0;
        }

        IReadOnlyList<Episode>? episodes = null;
        if (entry.RecordMask is null)
        {
            var labelled = RhythmLabels.ToEpisodes(record.Annotations, record.SampleRate, record.Length);
            if (labelled.Unmapped.Count > 0)
                report.Warn($"{entry.RecordId}: rhythms outside class set v1 left unlabelled: {string.Join(", ", labelled.Unmapped.Select(kv => $"({kv.Key} ×{kv.Value}"))}");
            episodes = labelled.Episodes;
            if (episodes.Count == 0) { report.Skip("unmappable label", $"{entry.RecordId}: no rhythm annotation maps to class set v1"); return 0; }
        }

        var windows = RecordWindows.Cut([.. byLead.Values], record.SampleRate, leads, options.HopSeconds, options.WarmupSeconds);
        var window = new float[WindowSet.WindowValues];
        int added = 0, unlabelled = 0, nonFinite = 0;
        for (int i = 0; i < windows.Count; i++)
        {
            if (options.MaxWindowsPerRecord > 0 && added >= options.MaxWindowsPerRecord) break;
            int mask;
            if (entry.RecordMask is { } fixedMask) mask = fixedMask;
            else
            {
                double t0 = windows.StartSeconds(i), t1 = t0 + (double)ModelContract.WindowSamples / ModelContract.SampleRate;
                mask = EpisodeMask(episodes!, t0, t1, options, out double covered);
                if (mask == 0 || covered < options.MinLabelledFraction * (t1 - t0)) { unlabelled++; continue; }
            }
            if (!windows.TryCopy(i, window)) { nonFinite++; continue; }
            into.Add(window, leads, mask, entry.RecordId);
            added++;
        }
        if (unlabelled > 0) report.Warn($"{entry.RecordId}: {unlabelled} windows skipped: mostly outside labelled class-set rhythms");
        if (nonFinite > 0) report.Skip("non-finite samples", $"{entry.RecordId}: {nonFinite} windows hold NaN or infinite samples");
        if (added > 0) report.RecordsUsed++;
        report.Windows += added;
        return added;
    }

    /// <summary>Classes whose episodes cover at least <see cref="WindowingOptions.MinEpisodeSeconds"/> of [t0, t1), and the time covered by any class.</summary>
    private static int EpisodeMask(IReadOnlyList<Episode> episodes, double t0, double t1, WindowingOptions options, out double covered)
    {
        int mask = 0;
        covered = 0;
        foreach (var e in episodes)
        {
            double overlap = Math.Min(e.EndSeconds, t1) - Math.Max(e.StartSeconds, t0);
            if (overlap <= 0) continue;
            covered += overlap;
            if (overlap >= Math.Min(options.MinEpisodeSeconds, t1 - t0) && RhythmClasses.TryParse(e.Rhythm, out var c)) mask |= 1 << (int)c;
        }
        covered = Math.Min(covered, t1 - t0);
        return mask;
    }
}
