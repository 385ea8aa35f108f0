using EcgStream.Core.Leads;
using EcgStream.Core.Rhythms;
using EcgStream.Formats;
using EcgStream.Formats.Wfdb;

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
        Length = length;
        var names = new List<SignalInfo>();
        foreach (var lead in scenario.Leads)
            names.Add(new SignalInfo { Name = Core.Leads.Leads.Name(lead), Units = "mV", AdcGain = WfdbGain, AdcResolution = 16, Format = 16 });
        Recording = new Recording
        {
            Name = "synthetic",
            SampleRate = scenario.SampleRate,
            Signals = names,
            Samples = signals,
            Comments = [$"EcgStream.Synthetic seed {scenario.Seed} patient {scenario.PatientSeed ?? scenario.Seed}"],
        };
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
    /// <summary>ADC units per mV when written as WFDB: 1 µV resolution, ±32 mV range in format 16.</summary>
    public const double WfdbGain = 1000;

    /// <summary>The record as a <see cref="Formats.Recording"/>: channels named by lead, in mV.</summary>
    public Recording Recording { get; }

    /// <summary>Millivolts, [plane][sample], planes in the order of <see cref="Leads"/> (the recording's samples).</summary>
    public float[][] Signals => Recording.Samples;
    /// <summary>Rhythm-class episodes (names of <see cref="RhythmClasses"/>) and alarms (PAUSE, ASYSTOLE, LEAD_OFF), ordered by start.</summary>
    public IReadOnlyList<Episode> Truth { get; }
    /// <summary>Sample of every QRS fiducial (the R peak of the model), in order.</summary>
    public IReadOnlyList<long> BeatSamples { get; }
    /// <summary>MIT-BIH beat code of each beat: 'N' normal (sinus, AF, flutter), 'A' premature atrial (PAC), 'S' supraventricular (SVT), 'V' ventricular (PVC, VT), '/' paced.</summary>
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

    /// <summary>
    /// Writes DIRECTORY/NAME.hea and .dat (format 16, 1000 adu/mV) and NAME.atr: a beat
    /// annotation per QRS ('N', 'A', 'V', '/', 'S') and a rhythm annotation ('+') with the MIT-BIH
    /// aux string ("(N", "(AFIB", "(AFL", "(SBR", "(SVTA", "(VT", "(VFL", "(B", "(T", "(P",
    /// "(ASYS") at each rhythm change. Returns the record path without extension.
    /// </summary>
    public string WriteWfdb(string directory, string recordName = "synthetic")
    {
        Wfdb.WriteRecord(directory, Recording, new WfdbWriteOptions { Format = 16, RecordName = recordName });
        string path = Path.Combine(directory, recordName);
        Wfdb.WriteAnnotations(path, "atr", Annotations());
        return path;
    }

    /// <summary>Beat and rhythm annotations in time order (a rhythm change before a beat at the same sample).</summary>
    public IReadOnlyList<Annotation> Annotations()
    {
        var list = new List<Annotation>(BeatSamples.Count + RhythmChanges.Count);
        int r = 0;
        for (int b = 0; b <= BeatSamples.Count; b++)
        {
            long at = b < BeatSamples.Count ? BeatSamples[b] : long.MaxValue;
            for (; r < RhythmChanges.Count && RhythmChanges[r].Sample <= at; r++)
                list.Add(new Annotation(RhythmChanges[r].Sample, AnnotationCode.Rhythm, Aux: RhythmChanges[r].Aux));
            if (b < BeatSamples.Count) list.Add(new Annotation(at, BeatCode(BeatCodes[b])));
        }
        return list;
    }

    private static AnnotationCode BeatCode(char c) => c switch
    {
        'V' => AnnotationCode.Pvc,
        '/' => AnnotationCode.Paced,
        'S' => AnnotationCode.Svpb,
        'A' => AnnotationCode.Apc,
        _ => AnnotationCode.Normal,
    };

    /// <summary>Truth episodes with label <paramref name="rhythm"/>.</summary>
    public IEnumerable<Episode> EpisodesOf(string rhythm) => Truth.Where(e => e.Rhythm == rhythm);
}
