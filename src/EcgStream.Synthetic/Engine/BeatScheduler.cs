using EcgStream.Synthetic.Model;

namespace EcgStream.Synthetic.Engine;

/// <summary>
/// Decides when every beat happens: one ventricular clock (the time of the last QRS) and one sinus
/// clock (the next sinus P wave), stepped by the rhythm of the segment being scheduled. This is
/// the beat-to-beat timing control that ECGSYN gets from its RR tachogram, extended to rhythms
/// whose ventricular timing is not sinus (AF, flutter, SVT, VT, pacing) and to atrial activity that
/// is not conducted (PVC-blocked P waves, AV dissociation in VT, dropped beats).
/// <para>
/// A segment change takes effect at the first beat the new rhythm schedules after the segment's
/// start; the ventricle's refractory period is respected across the change.
/// </para>
/// </summary>
internal sealed class BeatScheduler
{
    private const double Refractory = 0.25;

    private readonly Patient _p;
    private readonly Timeline _timeline;
    private readonly HrvProcess _hrv;
    private readonly TruthBook _truth;
    private readonly List<BeatTemplate> _templates;
    private readonly List<ScheduledBeat> _out;
    private readonly double _fs;

    private int _segIndex;
    private Segment? _entered;
    private double _lastV = double.NaN;
    private double _lastNormal = double.NaN;
    private bool _sinusRunning;
    private double _nextP;
    private bool _pvcDue;
    private bool _pacDue;
    private double _lastSinusP; // the P wave of the last conducted sinus beat
    private int _normalsSincePvc;
    private long _flutterK = -1;
    private int _lastVtTemplate = -1;

    // Template table indices of the patient's fixed morphologies.
    public const int NormalT = 0, ConductedT = 1, SvtT = 2, PWaveT = 3, PacedT = 4, PacT = 5, PacPWaveT = 6, PvcT0 = 7;

    public BeatScheduler(Patient p, Timeline timeline, HrvProcess hrv, TruthBook truth, List<BeatTemplate> templates, List<ScheduledBeat> output)
    {
        _p = p; _timeline = timeline; _hrv = hrv; _truth = truth; _templates = templates; _out = output;
        _fs = p.SampleRate;
        templates.AddRange([p.Normal, p.Conducted, p.Svt, p.PWave, p.Paced, p.Pac, p.PacPWave, .. p.PvcFoci]);
    }

    /// <summary>Every event whose fiducial time is before this is scheduled.</summary>
    public double ScheduledUntil { get; private set; } = double.NegativeInfinity;

    public bool Ended { get; private set; }

    public void ScheduleUntil(double horizon)
    {
        while (!Ended && ScheduledUntil < horizon) Step();
    }

    private void Step()
    {
        var seg = _timeline.Get(_segIndex);
        if (seg is null) { Ended = true; ScheduledUntil = double.PositiveInfinity; return; }
        if (!ReferenceEquals(seg, _entered)) Enter(seg);

        bool emitted = seg.Rhythm switch
        {
            SyntheticRhythm.AF => AfStep(seg),
            SyntheticRhythm.AFL => FlutterStep(seg),
            SyntheticRhythm.SVT => RegularStep(seg, SvtT, 'S', 0.005),
            SyntheticRhythm.PACED => RegularStep(seg, PacedT, '/', 0),
            SyntheticRhythm.VT => VtStep(seg),
            SyntheticRhythm.VF or SyntheticRhythm.PAUSE or SyntheticRhythm.ASYSTOLE => false,
            _ => SinusStep(seg),
        };
        if (!emitted)
        {
            // The segment has no more beats: emit its remaining non-conducted P waves and move on.
            if (_sinusRunning) EmitPWavesBefore(seg.End, seg);
            ScheduledUntil = Math.Max(ScheduledUntil, seg.End);
            _segIndex++;
        }
    }

    private void Enter(Segment seg)
    {
        _entered = seg;
        _pvcDue = false;
        _pacDue = false;
        _normalsSincePvc = 0;
        if (!seg.ContinuesFromPrevious) _flutterK = -1;
        if (seg.Rhythm == SyntheticRhythm.VT)
        {
            // Monomorphic VT: one morphology per episode (kept across a continued segment), often
            // the patient's own PVC focus.
            if (seg.ContinuesFromPrevious && _lastVtTemplate >= 0) seg.VtTemplate = _lastVtTemplate;
            else
            {
                _templates.Add(seg.Rng.Chance(0.4) ? _p.PvcFoci[seg.PvcFocus] : _p.DrawEctopic(seg.Rng, "VT"));
                seg.VtTemplate = _templates.Count - 1;
            }
            _lastVtTemplate = seg.VtTemplate;
        }
        switch (seg.Rhythm)
        {
            case var _ when seg.IsSinus:
                if (!_sinusRunning)
                {
                    double rr = SinusRr(seg, seg.Start);
                    double r = double.IsNaN(_lastV) ? seg.Start + seg.Rng.Uniform(0, rr) : Math.Max(seg.Start, _lastV + rr);
                    _nextP = r - (_p.PrAt(rr) - 0.01);
                    _sinusRunning = true;
                }
                break;
            case SyntheticRhythm.VT:
            case SyntheticRhythm.PAUSE or SyntheticRhythm.ASYSTOLE when seg.PWaves:
                if (!_sinusRunning)
                {
                    _nextP = seg.Start + seg.Rng.Uniform(0, 60 / _p.RestingRate);
                    _sinusRunning = true;
                }
                break;
            default:
                _sinusRunning = false;
                break;
        }
        _truth.OnSegmentEntered(seg, _lastV);
    }

    private double SinusRr(Segment seg, double t) => seg.RrMean * (1 + _hrv.Modulation(t, seg.RespiratoryModulation));

    /// <summary>Rate used for P waves that run independently of the ventricles.</summary>
    private double AtrialRr(Segment seg, double t) =>
        (seg.IsSinus ? seg.RrMean : 60 / _p.RestingRate) * (1 + _hrv.Modulation(t, 0));

    private double QtScale(double rr) => _p.QtScaleAt(rr);

    private double BeatAmplitude(double t, Rng rng) => 1 + 0.05 * _hrv.Breath(t) + 0.01 * rng.Normal();

    private void EmitV(double t, int template, char code, double rr, double atrialShift, Rng rng)
    {
        var beat = new ScheduledBeat(t, template, _templates[template], QtScale(rr), atrialShift, BeatAmplitude(t, rng));
        _out.Add(beat);
        _lastV = t;
        ScheduledUntil = Math.Max(ScheduledUntil, t);
        _truth.OnBeat(t, (long)Math.Round(t * _fs), code);
    }

    private void EmitP(double t, Segment seg) => EmitP(t, PWaveT, seg.Rng);

    private void EmitP(double t, int template, Rng rng)
    {
        _out.Add(new ScheduledBeat(t, template, _templates[template], 1, 0, BeatAmplitude(t, rng)));
    }

    private void EmitPWavesBefore(double limit, Segment seg)
    {
        while (_nextP < limit)
        {
            EmitP(_nextP, seg);
            _nextP += AtrialRr(seg, _nextP);
        }
    }

    private bool SinusStep(Segment seg)
    {
        while (true)
        {
            double rr = SinusRr(seg, _nextP);
            if (_pvcDue)
            {
                double c = _lastNormal + seg.Coupling * rr * (1 + 0.02 * seg.Rng.Normal());
                if (c >= seg.End) return false;
                EmitV(c, PvcT0 + seg.PvcFocus, 'V', c - _lastNormal, 0, seg.Rng);
                // The next sinus P finds the ventricles refractory: not conducted, hence the full
                // compensatory pause (the sinus node is not reset by a ventricular ectopic).
                EmitP(_nextP, seg);
                _nextP += rr;
                _pvcDue = false;
                _normalsSincePvc = 0;
                return true;
            }
            if (_pacDue)
            {
                _pacDue = false;
                if (PacStep(seg, rr)) return true;
                continue;
            }
            double pr = _p.PrAt(rr) - 0.01;
            double r = _nextP + pr;
            if (r >= seg.End) return false;
            if (!double.IsNaN(_lastV) && r < _lastV + Refractory)
            {
                EmitP(_nextP, seg);
                _nextP += rr;
                continue;
            }
            double prevRr = double.IsNaN(_lastV) ? rr : r - _lastV;
            EmitV(r, NormalT, 'N', prevRr, -pr, seg.Rng);
            _lastNormal = r;
            _lastSinusP = _nextP;
            _nextP += rr;
            _normalsSincePvc++;
            _pvcDue = seg.Ectopy switch
            {
                "bigeminy" => true,
                "trigeminy" => _normalsSincePvc >= 2,
                "isolated" => seg.Rng.Chance(seg.EctopyRate),
                _ => false,
            };
            _pacDue = seg.Ectopy == "pac" && seg.PacRng.Chance(seg.EctopyRate);
            return true;
        }
    }

    /// <summary>
    /// A premature atrial beat after the last sinus beat: an ectopic P wave at <see cref="Segment.PacCoupling"/> of
    /// the sinus cycle (jittered with s.d. 0.03, kept within 0.45–0.8) after the last sinus P, conducted with a slightly
    /// longer PR to a normal QRS. It resets the sinus node, so the next sinus P comes 1.0–1.1 cycles after the ectopic
    /// one: the pause is less than compensatory (the two intervals around the PAC sum to less than two sinus cycles),
    /// unlike a PVC's. A P whose QRS would come within <see cref="BlockedWithin"/> of the last one meets refractory
    /// ventricles and is blocked: the ectopic P alone, and a pause (at fast sinus rates, e.g. 150/min, many are).
    /// False, and no PAC, when it would fall past the segment's end (the sinus rhythm goes on there) or when the ectopic
    /// P would come before the last QRS (only at sinus rates near 200/min, above STACH's range).
    /// </summary>
    private bool PacStep(Segment seg, double rr)
    {
        var rng = seg.PacRng;   // a PAC is only due right after a sinus beat of this segment, so _lastSinusP is its P
        double p = _lastSinusP + rr * Math.Clamp(seg.PacCoupling + 0.03 * rng.Normal(), 0.45, 0.8);
        double r = p + _p.PrAt(rr) - 0.01 + _p.PacPrExtra;
        if (r >= seg.End || p <= _lastV) return false;
        if (r < _lastV + BlockedWithin) EmitP(p, PacPWaveT, rng);
        else EmitV(r, PacT, 'A', r - _lastV, p - r, rng);
        _nextP = p + rr * rng.Uniform(1.0, 1.1);
        return true;
    }

    /// <summary>A PAC whose QRS would follow the last one within this (s) is blocked: the ventricles' refractory period and a margin for the AV node.</summary>
    private const double BlockedWithin = Refractory + 0.05;

    private double FirstOrNext(Segment seg, double rr) =>
        double.IsNaN(_lastV) ? seg.Start + seg.Rng.Uniform(0, rr) : Math.Max(seg.Start, _lastV + Math.Max(rr, Refractory));

    private bool AfStep(Segment seg)
    {
        // Irregularly irregular RR: log-normal around the mean with the patient's CV, bounded by
        // AV-node refractoriness below and a 1.8 s ceiling (longer gaps are pauses, not AF).
        double sigma = Math.Sqrt(Math.Log(1 + _p.AfRrCv * _p.AfRrCv));
        double rr = Math.Clamp(seg.RrMean * Math.Exp(sigma * seg.Rng.Normal() - sigma * sigma / 2), 0.28, 1.8);
        double c = FirstOrNext(seg, rr);
        if (c >= seg.End) return false;
        EmitV(c, ConductedT, 'N', double.IsNaN(_lastV) ? rr : c - _lastV, 0, seg.Rng);
        return true;
    }

    private bool FlutterStep(Segment seg)
    {
        double tf = 60 / seg.FlutterRate;
        long k;
        if (_flutterK < 0)
        {
            double earliest = double.IsNaN(_lastV) ? seg.Start : Math.Max(seg.Start, _lastV + 0.3);
            k = (long)Math.Ceiling((earliest - seg.AvDelay - seg.RunStart) / tf);
            if (k < 0) k = 0;
        }
        else
        {
            int ratio = seg.Conduction switch
            {
                "2:1" => 2, "3:1" => 3, "4:1" => 4,
                _ => 2 + seg.Rng.Pick([0.45, 0.15, 0.4]),
            };
            k = _flutterK + ratio;
        }
        double c = seg.RunStart + k * tf + seg.AvDelay;
        if (c >= seg.End) return false;
        _flutterK = k;
        EmitV(c, ConductedT, 'N', double.IsNaN(_lastV) ? 2 * tf : c - _lastV, 0, seg.Rng);
        return true;
    }

    private bool RegularStep(Segment seg, int template, char code, double jitter)
    {
        double rr = seg.RrMean * (1 + jitter * seg.Rng.Normal());
        double c = FirstOrNext(seg, rr);
        if (c >= seg.End) return false;
        EmitV(c, template, code, rr, 0, seg.Rng);
        return true;
    }

    private bool VtStep(Segment seg)
    {
        double rr = seg.RrMean * (1 + 0.015 * seg.Rng.Normal());
        double c = FirstOrNext(seg, rr);
        if (c >= seg.End) return false;
        // AV dissociation: the sinus node keeps its own rate, its P waves march through the VT.
        EmitPWavesBefore(c, seg);
        EmitV(c, seg.VtTemplate, 'V', rr, 0, seg.Rng);
        return true;
    }
}
