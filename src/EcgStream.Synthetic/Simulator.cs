using EcgStream.Core.Leads;

namespace EcgStream.Synthetic;

/// <summary>Generates whole records from scenarios.</summary>
public static class Simulator
{
    /// <summary>Largest record <see cref="Run"/> builds: 2 GiB of float samples (e.g. 24 h of 12 leads at 500 Hz is 518 M).</summary>
    public const long MaxValuesInMemory = 1L << 29;

    /// <summary>Runs <paramref name="scenario"/> start to end (validated first; <see cref="ScenarioException"/> names a bad field).</summary>
    public static SimulatedRecord Run(Scenario scenario)
    {
        var stream = new SyntheticEcgStream(scenario);
        long total = stream.TotalSamples!.Value;
        int leads = scenario.Leads.Count;
        // A whole record lives in memory: refuse what would not fit rather than die mid-way.
        if (total > int.MaxValue || total * leads > MaxValuesInMemory)
            throw new ScenarioException($"scenario: {scenario.DurationSeconds} s × {leads} leads at {scenario.SampleRate} Hz is {total * leads:N0} samples, more than one in-memory record holds ({MaxValuesInMemory:N0}); read it block by block with SyntheticEcgStream");
        var signals = new float[leads][];
        for (int p = 0; p < leads; p++) signals[p] = new float[total];
        const int block = 8192;
        var buffer = new float[leads * block];
        var leadOff = new List<LeadOffSpan>();
        long pos = 0;
        while (true)
        {
            int n = stream.Read(buffer, block);
            if (n == 0) break;
            for (int p = 0; p < leads; p++) buffer.AsSpan(p * n, n).CopyTo(signals[p].AsSpan((int)pos, n));
            if (!stream.LastLeadOff.IsEmpty)
            {
                if (leadOff.Count > 0 && leadOff[^1].End == pos && leadOff[^1].Leads == stream.LastLeadOff)
                    leadOff[^1] = leadOff[^1] with { End = pos + n };
                else leadOff.Add(new LeadOffSpan(pos, pos + n, stream.LastLeadOff));
            }
            pos += n;
        }
        var truth = stream.Episodes.OrderBy(e => e.StartSeconds).ThenBy(e => e.Rhythm, StringComparer.Ordinal).ToArray();
        var beats = new List<long>();
        var codes = new List<char>();
        for (int i = 0; i < stream.BeatSamples.Count; i++)
        {
            if (stream.BeatSamples[i] >= total) break;
            beats.Add(stream.BeatSamples[i]);
            codes.Add(stream.BeatCodes[i]);
        }
        return new SimulatedRecord(scenario, signals, total, truth, beats, codes, leadOff, RhythmChanges(scenario));
    }

    private static List<RhythmChange> RhythmChanges(Scenario s)
    {
        var changes = new List<RhythmChange>();
        double t = 0;
        string? last = null;
        foreach (var seg in s.Segments)
        {
            SyntheticRhythms.TryParse(seg.Rhythm, out var r);
            // A pause keeps the rhythm label it interrupts (MIT-BIH has no rhythm code for it).
            if (r != SyntheticRhythm.PAUSE)
            {
                var aux = SyntheticRhythms.MitAux(r, seg.Ectopy);
                if (aux != last) changes.Add(new RhythmChange((long)Math.Ceiling(t * s.SampleRate - 1e-7), aux));
                last = aux;
            }
            t += seg.DurationSeconds;
        }
        return changes;
    }
}
