using EcgStream.Core.Leads;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Formats;
using EcgStream.Formats.Labels;
using EcgStream.Signal.Preprocessing;
using EcgStream.Signal.Rhythms;
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

        RhythmEpisodes? labelled = null;
        if (entry.RecordMask is null)
        {
            labelled = RhythmLabels.ToEpisodes(record.Annotations, record.SampleRate, record.Length);
            if (labelled.Episodes.Count == 0 && (labelled.Other?.Count ?? 0) == 0) { report.Skip("unmappable label", $"{entry.RecordId}: no rhythm annotation"); return 0; }
        }

        var channels = byLead.Values.ToList();
        // One pass of the stream's chain gives the windows and, for the rhythm path's input, the beats the stream
        // would have detected by each window's end.
        var windows = RecordWindows.Cut(channels, record.SampleRate, leads, options.HopSeconds, options.WarmupSeconds, detectBeats: true);
        var rhythm = windows.Count > 0 ? windows.RhythmFeatures() : [];
        var window = new float[WindowSet.WindowValues];
        int added = 0, unlabelled = 0, nonFinite = 0, noLead = 0;
        for (int i = 0; i < windows.Count; i++)
        {
            if (options.MaxWindowsPerRecord > 0 && added >= options.MaxWindowsPerRecord) break;
            int mask, known;
            if (entry.RecordMask is { } fixedMask) (mask, known) = (fixedMask, entry.KnownMask ?? WindowSet.AllKnown);
            else
            {
                double t0 = windows.StartSeconds(i), t1 = t0 + (double)ModelContract.WindowSamples / ModelContract.SampleRate;
                mask = EpisodeMask(labelled!.Episodes, t0, t1, options, out double covered);
                known = WindowSet.AllKnown;
                if (mask == 0 || covered < options.MinLabelledFraction * (t1 - t0))
                {
                    // Mostly a rhythm outside the class set (nodal, idioventricular, block, …): not AF, not flutter.
                    EpisodeMask(labelled.Other ?? [], t0, t1, options, out double otherCovered);
                    if (otherCovered < options.MinLabelledFraction * (t1 - t0)) { unlabelled++; continue; }
                    (mask, known) = (0, PtbXlSource.OtherRhythmKnown);
                }
            }
            if (!windows.TryCopy(i, window, out var usable)) { nonFinite++; continue; }
            if (usable.IsEmpty) { noLead++; continue; }   // the stream gives such a window no opinion: nothing to learn
            into.Add(window, usable, mask, entry.RecordId, known, rhythm.AsSpan(i * RhythmFeatures.Count, RhythmFeatures.Count));
            added++;
        }
        if (unlabelled > 0) report.Warn($"{entry.RecordId}: {unlabelled} windows skipped: mostly outside labelled class-set rhythms");
        if (nonFinite > 0) report.Skip("invalid samples", $"{entry.RecordId}: {nonFinite} windows mostly invalid (NaN or infinite) samples");
        if (noLead > 0) report.Skip("no connected lead", $"{entry.RecordId}: {noLead} windows with every lead flat, railed or missing");
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
