using EcgStream.Core.Leads;
using EcgStream.Core.Rhythms;

namespace EcgStream.Synthetic;

/// <summary>A stretch where some leads' electrodes were off, in samples [Start, End).</summary>
public readonly record struct LeadOffSpan(long Start, long End, LeadSet Leads);

/// <summary>A rhythm change for a WFDB annotation file: MIT-BIH aux string such as "(AFIB" at a sample.</summary>
public readonly record struct RhythmChange(long Sample, string Aux);

/// <summary>A whole synthetic record with its exact ground truth.</summary>
public sealed class SimulatedRecord
{
    internal SimulatedRecord(Scenario scenario, float[][] signals, long length, IReadOnlyList<Episode> truth,
        IReadOnlyList<long> beatSamples, IReadOnlyList<char> beatCodes, IReadOnlyList<LeadOffSpan> leadOff, IReadOnlyList<RhythmChange> rhythmChanges)
    {
        Scenario = scenario;
        Signals = signals;
        Length = length;
        Truth = truth;
        BeatSamples = beatSamples;
        BeatCodes = beatCodes;
        LeadOff = leadOff;
        RhythmChanges = rhythmChanges;
    }

    public Scenario Scenario { get; }
    public double SampleRate => Scenario.SampleRate;
    public LeadSet Leads => Scenario.Leads;
    /// <summary>Samples per lead.</summary>
    public long Length { get; }
    public double DurationSeconds => Length / SampleRate;
    /// <summary>Millivolts, [plane][sample], planes in the order of <see cref="Leads"/>.</summary>
    public float[][] Signals { get; }
    /// <summary>Rhythm-class episodes (names of <see cref="RhythmClasses"/>) and alarms (PAUSE, ASYSTOLE, LEAD_OFF), ordered by start.</summary>
    public IReadOnlyList<Episode> Truth { get; }
    /// <summary>Sample of every QRS fiducial (the R peak of the model), in order.</summary>
    public IReadOnlyList<long> BeatSamples { get; }
    /// <summary>MIT-BIH beat code of each beat: 'N' normal (sinus, AF, flutter), 'S' supraventricular (SVT), 'V' ventricular (PVC, VT), '/' paced.</summary>
    public IReadOnlyList<char> BeatCodes { get; }
    public IReadOnlyList<LeadOffSpan> LeadOff { get; }
    /// <summary>MIT-BIH rhythm aux strings at segment starts where the rhythm label changes.</summary>
    public IReadOnlyList<RhythmChange> RhythmChanges { get; }

    /// <summary>The samples of <paramref name="lead"/>.</summary>
    public float[] Lead(Lead lead)
    {
        int p = Leads.IndexOf(lead);
        if (p < 0) throw new ArgumentException($"record has leads {Leads}, not {Core.Leads.Leads.Name(lead)}", nameof(lead));
        return Signals[p];
    }

    /// <summary>Truth episodes with label <paramref name="rhythm"/>.</summary>
    public IEnumerable<Episode> EpisodesOf(string rhythm) => Truth.Where(e => e.Rhythm == rhythm);
}
