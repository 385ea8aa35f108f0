using EcgStream.Core.Leads;

namespace EcgStream.Signal.Qrs;

/// <summary>
/// Multi-lead QRS detection: one <see cref="QrsDetector"/> per lead runs all the time (so each stays adapted),
/// and beats are taken from one active lead: the first usable lead in the order II, I, V5, V2, V1, aVF, III,
/// V3, V4, V6, aVL, aVR (limb lead II shows the largest R in most people; V5 and V2 next). The active lead
/// moves to the most preferred usable lead when <see cref="SetUsable"/> says it is unusable, and back to a more
/// preferred lead once that has been usable for <see cref="ReturnEpochs"/> epochs in a row (so one clean second
/// in a noisy stretch does not flip it). A beat within 200 ms of the previous one is dropped so a hand-over
/// never reports a complex twice. Only the active lead's detector measures beat shapes (<see cref="QrsDetector.TrackShapes"/>):
/// after a hand-over the new lead's beats carry no shape until it has seen enough of them.
/// </summary>
public sealed class BeatDetector
{
    private static readonly Lead[] Preference =
        [Lead.II, Lead.I, Lead.V5, Lead.V2, Lead.V1, Lead.aVF, Lead.III, Lead.V3, Lead.V4, Lead.V6, Lead.aVL, Lead.aVR];

    /// <summary>Consecutive usable epochs a more preferred lead needs before the detector returns to it.</summary>
    public const int ReturnEpochs = 5;

    private readonly QrsDetector[] _detectors;
    private readonly int[] _usableRun = new int[Core.Leads.Leads.Count];
    private readonly List<QrsBeat> _scratch = new(16);
    private readonly long _refractory;
    private long _lastR = long.MinValue;

    public BeatDetector(LeadSet leads, double sampleRate = 250)
    {
        if (leads.IsEmpty) throw new ArgumentException("a stream needs at least one lead", nameof(leads));
        Leads = leads;
        SampleRate = sampleRate;
        _detectors = new QrsDetector[leads.Count];
        for (int p = 0; p < _detectors.Length; p++) _detectors[p] = new QrsDetector(sampleRate);
        _refractory = (long)Math.Round(0.2 * sampleRate);
        ActiveLead = Choose(leads);
    }

    public LeadSet Leads { get; }
    public double SampleRate { get; }
    /// <summary>The lead whose beats are reported.</summary>
    public Lead ActiveLead { get; private set; }

    /// <summary>Stream index from which the reported lead's detector is listening (<see cref="QrsDetector.ListeningSince"/>).</summary>
    public long ListeningSince => _detectors[Leads.IndexOf(ActiveLead)].ListeningSince;

    /// <summary>Tells the detector which leads are usable now; switches the active lead if it is not.</summary>
    public void SetUsable(LeadSet usable)
    {
        for (int l = 0; l < _usableRun.Length; l++)
            _usableRun[l] = usable.Contains((Lead)l) && Leads.Contains((Lead)l) ? _usableRun[l] + 1 : 0;
        if (!usable.Contains(ActiveLead))
        {
            var candidates = usable.Intersect(Leads);
            if (!candidates.IsEmpty) ActiveLead = Choose(candidates);
            return;
        }
        foreach (var l in Preference)
        {
            if (l == ActiveLead) return;
            if (_usableRun[(int)l] >= ReturnEpochs) { ActiveLead = l; return; }
        }
    }

    /// <summary>Processes one 250 Hz block (planar, planes in <see cref="Leads"/> order) and appends the active lead's beats.</summary>
    public void Process(in Core.Samples.SampleBlock block, List<QrsBeat> beats)
    {
        ArgumentNullException.ThrowIfNull(beats);
        if (block.Leads != Leads) throw new ArgumentException($"block {block} carries leads {block.Leads}, the detector was set up for {Leads}", nameof(block));
        int active = Leads.IndexOf(ActiveLead);
        for (int p = 0; p < _detectors.Length; p++)
        {
            // only the reported lead's beats need their shape; a lead taking over learns its shapes from then on
            _detectors[p].TrackShapes = p == active;
            _scratch.Clear();
            _detectors[p].Process(block.Plane(p), block.StartSample, _scratch, p);
            if (p != active) continue;
            foreach (var b in _scratch)
            {
                if (_lastR != long.MinValue && b.Sample - _lastR < _refractory) continue;
                _lastR = b.Sample;
                beats.Add(b);
            }
        }
    }

    private static Lead Choose(LeadSet leads)
    {
        foreach (var l in Preference) if (leads.Contains(l)) return l;
        throw new ArgumentException("no lead to choose from", nameof(leads));
    }
}
