using EcgStream.Core.Leads;
using EcgStream.Formats;

namespace EcgStream.Ingest.Replay;

/// <summary>
/// Which channels of a recording play as which standard leads. Channels named as a standard lead
/// (I, II, MLII, V1, aVR, …) map by name; <paramref name="overrides"/> (signal name → lead) name others
/// or re-map; a recording with a single channel that names no lead (PhysioNet 2017's "ECG", a handheld
/// device close to lead I) plays as lead I. Other channels (respiration, noise, unnamed) are left out.
/// </summary>
public sealed record RecordingLeads(LeadSet Leads, IReadOnlyList<float[]> Planes, IReadOnlyList<string> Notes)
{
    public static RecordingLeads Of(Recording recording, IReadOnlyDictionary<string, Lead>? overrides = null)
    {
        var (set, channels, notes) = Map(recording.Name, recording.Signals, overrides);
        var planes = new List<float[]>(set.Count);
        foreach (int ch in channels) planes.Add(recording.Samples[ch]);
        return new RecordingLeads(set, planes, notes);
    }

    /// <summary>The leads the channels play as: the lead set, the channel of each of its leads (in lead order), and notes on what was left out.</summary>
    public static (LeadSet Leads, IReadOnlyList<int> Channels, IReadOnlyList<string> Notes) Map(
        string recordName, IReadOnlyList<SignalInfo> signals, IReadOnlyDictionary<string, Lead>? overrides = null)
    {
        var notes = new List<string>();
        var byLead = new Dictionary<Lead, int>();
        for (int ch = 0; ch < signals.Count; ch++)
        {
            string name = signals[ch].Name;
            Lead lead;
            if (overrides is not null && overrides.TryGetValue(name, out var o)) lead = o;
            else if (!Core.Leads.Leads.TryParse(name, out lead)) { notes.Add($"channel {ch} '{name}' is not a standard lead: left out"); continue; }
            if (!byLead.TryAdd(lead, ch)) notes.Add($"channel {ch} '{name}' repeats lead {Core.Leads.Leads.Name(lead)}: left out");
        }
        if (byLead.Count == 0 && signals.Count == 1)
        {
            byLead[Lead.I] = 0;
            notes.Clear();
            notes.Add($"single channel '{signals[0].Name}' played as lead I");
        }
        // a mapping for a signal the record does not have is most likely a typo (MLLL for MLII): said, not silently dropped
        if (overrides is not null)
            foreach (var name in overrides.Keys)
                if (!signals.Any(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)))
                    notes.Add($"lead mapping for '{name}' unused: no such signal (signals: {string.Join(", ", signals.Select(s => s.Name))})");
        if (byLead.Count == 0)
            throw new ArgumentException(
                $"record {recordName}: no channel is a standard lead (signals: {string.Join(", ", signals.Select(s => s.Name))}); map one explicitly, e.g. --lead {(signals.Count > 0 ? signals[0].Name : "NAME")}=II");
        var set = LeadSet.None;
        foreach (var l in byLead.Keys) set = set.With(l);
        var channels = new List<int>(set.Count);
        foreach (var l in set) channels.Add(byLead[l]);
        return (set, channels, notes);
    }
}
