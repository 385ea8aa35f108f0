using EcgStream.Core.Leads;
using EcgStream.Synthetic.Model;
using EcgStream.Synthetic.Noise;

namespace EcgStream.Synthetic.Engine;

/// <summary>
/// Renders the stream chunk by chunk: scheduled beats and continuous activity are summed into the
/// dipole, projected onto I, II, V1–V6, noise is added per electrode channel, the other limb leads
/// are derived, lead-off is applied. All buffers are allocated once; rendering allocates nothing
/// per sample (the beat list and timeline grow per beat and per segment, not per sample).
/// </summary>
internal sealed class EcgEngine
{
    public const int Chunk = 1024;
    /// <summary>Beats are scheduled this far past the chunk end: no Gaussian starts earlier than 0.6 s before its fiducial.</summary>
    private const double Lookahead = 0.6;
    /// <summary>Fade of continuous activity at the edges of its run, and ramp of noise level between segments.</summary>
    private const double Fade = 0.3, NoiseRamp = 0.5;
    public const float RailMillivolts = 5f;

    private readonly double _fs;
    private readonly LeadSet _leads;
    private readonly Lead[] _leadOrder;
    private readonly Timeline _timeline;
    private readonly BeatScheduler _scheduler;
    private readonly List<ScheduledBeat> _beats = new(64);
    private readonly List<BeatTemplate> _templates = [];
    private readonly AtrialActivity _atrial;
    private readonly LeadProjection _projection;
    private readonly NoiseGenerator? _noise;
    private readonly double[] _x = new double[Chunk], _y = new double[Chunk], _z = new double[Chunk], _gain = new double[Chunk];
    private readonly double[][] _ch = new double[LeadProjection.Channels][];
    private readonly double _noiseReference;

    public EcgEngine(long seed, long patientSeed, double sampleRate, LeadSet leads, NoiseSpec noise, ISegmentSource source)
    {
        _fs = sampleRate;
        _leads = leads;
        _leadOrder = new Lead[leads.Count];
        for (int i = 0; i < _leadOrder.Length; i++) _leadOrder[i] = leads[i];
        Patient = new Patient(patientSeed, sampleRate);
        _projection = Patient.Projection;
        for (int c = 0; c < _ch.Length; c++) _ch[c] = new double[Chunk];
        _noiseReference = NoiseReferencePower(Patient);
        bool anyNoise = noise.TotalWeight > 0;
        Truth = new TruthBook(leads);
        double lastGain = 0;
        _timeline = new Timeline(source, Patient, seed, noise, seg =>
        {
            seg.NoiseGain = double.IsNaN(seg.Snr) || !anyNoise ? 0 : Math.Sqrt(_noiseReference / Math.Pow(10, seg.Snr / 10));
            seg.PreviousNoiseGain = seg.Index == 0 ? seg.NoiseGain : lastGain;
            lastGain = seg.NoiseGain;
        });
        var hrv = new HrvProcess(Patient, patientSeed);
        _atrial = new AtrialActivity(Patient, patientSeed);
        _scheduler = new BeatScheduler(Patient, _timeline, hrv, Truth, _templates, _beats);
        if (anyNoise) _noise = new NoiseGenerator(noise, sampleRate, Patient.RespirationHz, seed);
    }

    public Patient Patient { get; }
    public TruthBook Truth { get; }
    public long Position { get; private set; }

    /// <summary>
    /// S of the NSTDB SNR definition: mean over I, II, V1–V6 of (peak-to-peak of one normal beat)² / 8.
    /// </summary>
    public static double NoiseReferencePower(Patient p)
    {
        double fs = p.SampleRate;
        int n = (int)(2 * fs);
        var x = new double[n]; var y = new double[n]; var z = new double[n];
        var beat = new ScheduledBeat(1.0, 0, p.Normal, p.QtScaleAt(1), -(p.PrAt(1) - 0.01), 1);
        BeatRenderer.Render(beat, p.Normal, 0, n, fs, x, y, z);
        double s = 0;
        for (int c = 0; c < LeadProjection.Channels; c++)
        {
            var row = p.Projection.Row(c);
            double lo = double.MaxValue, hi = double.MinValue;
            for (int i = 0; i < n; i++)
            {
                double v = row.X * x[i] + row.Y * y[i] + row.Z * z[i];
                lo = Math.Min(lo, v); hi = Math.Max(hi, v);
            }
            s += (hi - lo) * (hi - lo) / 8;
        }
        return s / LeadProjection.Channels;
    }

    /// <summary>First sample index at or after time t.</summary>
    public long SampleAt(double t) => (long)Math.Ceiling(t * _fs - 1e-7);

    /// <summary>Total samples of a finite scenario once known; long.MaxValue while the timeline is endless or not yet exhausted.</summary>
    public long TotalSamples => double.IsPositiveInfinity(_timeline.KnownEnd) ? long.MaxValue : SampleAt(_timeline.KnownEnd);

    /// <summary>
    /// How many samples from <see cref="Position"/> (at most <paramref name="max"/>) share one lead-off
    /// state, and that state; 0 at the end of a finite scenario.
    /// </summary>
    public int NextRun(int max, out LeadSet leadOff, out bool rail)
    {
        leadOff = LeadSet.None;
        rail = false;
        var seg = _timeline.At(Position / _fs);
        if (seg is null) return 0;
        // A segment owns the samples from SampleAt(Start) on. At a boundary the sample's time can round below the
        // boundary while the boundary's first sample is this one (71.2 + 35.1 s is 106.30000000000001 s; sample 26575
        // at 250 Hz is 106.3 s): take the segment that has begun by this sample, or the run below would be empty and
        // read as the end of the record (a 2-minute record ended at 106.3 s, its truth cut there).
        while (_timeline.Get(seg.Index + 1) is { } next && SampleAt(next.Start) <= Position) seg = next;
        leadOff = seg.LeadOff.Intersect(_leads);
        rail = seg.Rail;
        long stop = Position + max;
        for (int i = seg.Index; ; i++)
        {
            var s = _timeline.Get(i);
            if (s is null) { stop = Math.Min(stop, SampleAt(_timeline.KnownEnd)); break; }
            long first = SampleAt(s.Start);
            if (first >= stop) break;
            if (s.LeadOff.Intersect(_leads) != leadOff || (!leadOff.IsEmpty && s.Rail != rail)) { stop = Math.Max(first, Position); break; }
        }
        return (int)(stop - Position);
    }

    /// <summary>Renders <paramref name="n"/> samples into <paramref name="planar"/> (plane p at p·stride).</summary>
    public void Render(Span<float> planar, int n, int stride, LeadSet leadOff, bool rail)
    {
        for (int done = 0; done < n;)
        {
            int m = Math.Min(Chunk, n - done);
            RenderChunk(planar, done, m, stride, leadOff, rail);
            done += m;
        }
    }

    private void RenderChunk(Span<float> planar, int offset, int n, int stride, LeadSet leadOff, bool rail)
    {
        long n0 = Position;
        double t0 = n0 / _fs, t1 = (n0 + n) / _fs;
        _scheduler.ScheduleUntil(t1 + Lookahead);

        var x = _x.AsSpan(0, n); var y = _y.AsSpan(0, n); var z = _z.AsSpan(0, n);
        x.Clear(); y.Clear(); z.Clear();
        int keep = 0;
        for (int i = 0; i < _beats.Count; i++)
        {
            var b = _beats[i];
            if (b.SupportStart <= t1 && b.SupportEnd >= t0)
                BeatRenderer.Render(b, _templates[b.Template], n0, n, _fs, x, y, z);
            if (b.SupportEnd >= t1) _beats[keep++] = b; // still needed by later chunks
        }
        _beats.RemoveRange(keep, _beats.Count - keep);

        RenderContinuous(n0, n, x, y, z);
        _projection.Project(x, y, z, _ch, n);

        if (_noise is not null)
        {
            FillNoiseGain(n0, n);
            _noise.AddTo(_ch, _gain, n);
        }

        for (int p = 0; p < _leadOrder.Length; p++)
            WriteLead(_leadOrder[p], planar.Slice(p * stride + offset, n), leadOff, rail);
        Position = n0 + n;
        _timeline.ReleaseBefore(t0 - 5);
    }

    /// <summary>
    /// One output lead from the independent channels, plane by plane. III, aVR, aVL and aVF are
    /// computed from the float values of I and II (Einthoven, Goldberger), as an electrocardiograph
    /// does, so III = II − I and the augmented-lead identities hold to float rounding.
    /// </summary>
    private void WriteLead(Lead lead, Span<float> dst, LeadSet leadOff, bool rail)
    {
        int n = dst.Length;
        if (leadOff.Contains(lead)) { dst.Fill(rail ? RailMillivolts : 0f); return; }
        var i = _ch[0]; var ii = _ch[1];
        switch (lead)
        {
            case Lead.III: for (int k = 0; k < n; k++) dst[k] = (float)ii[k] - (float)i[k]; break;
            case Lead.aVR: for (int k = 0; k < n; k++) dst[k] = -((float)i[k] + (float)ii[k]) * 0.5f; break;
            case Lead.aVL: for (int k = 0; k < n; k++) dst[k] = (float)i[k] - (float)ii[k] * 0.5f; break;
            case Lead.aVF: for (int k = 0; k < n; k++) dst[k] = (float)ii[k] - (float)i[k] * 0.5f; break;
            default:
                var src = _ch[lead <= Lead.II ? (int)lead : 2 + (lead - Lead.V1)];
                for (int k = 0; k < n; k++) dst[k] = (float)src[k];
                break;
        }
    }

    private void RenderContinuous(long n0, int n, Span<double> x, Span<double> y, Span<double> z)
    {
        double t0 = n0 / _fs, t1 = (n0 + n) / _fs;
        for (var seg = _timeline.At(t0); seg is not null && seg.Start < t1; seg = _timeline.Get(seg.Index + 1))
        {
            if (!seg.HasContinuousActivity) continue;
            long k0 = Math.Max(n0, SampleAt(seg.Start)), k1 = Math.Min(n0 + n, SampleAt(seg.End));
            double flutterRate = seg.FlutterRate / 60;
            for (long k = k0; k < k1; k++)
            {
                double t = k / _fs;
                double w = (seg.ContinuesFromPrevious ? 1 : Ramp((t - seg.Start) / Fade)) * (seg.ContinuesIntoNext ? 1 : Ramp((seg.End - t) / Fade));
                var d = seg.Rhythm switch
                {
                    SyntheticRhythm.AF => _atrial.Fibrillation(t),
                    SyntheticRhythm.AFL => _atrial.Flutter((t - seg.RunStart) * flutterRate),
                    _ => _atrial.VentricularFibrillation(t, t - seg.RunStart),
                };
                int i = (int)(k - n0);
                x[i] += w * d.X; y[i] += w * d.Y; z[i] += w * d.Z;
            }
        }
    }

    private static double Ramp(double u) => u >= 1 ? 1 : u <= 0 ? 0 : 0.5 - 0.5 * Math.Cos(Math.PI * u);

    private void FillNoiseGain(long n0, int n)
    {
        int i = 0;
        for (var seg = _timeline.At(n0 / _fs); i < n; seg = _timeline.Get(seg.Index + 1))
        {
            long end = seg is null ? long.MaxValue : SampleAt(seg.End);
            for (; i < n && n0 + i < end; i++)
            {
                if (seg is null) { _gain[i] = 0; continue; }
                double u = ((n0 + i) / _fs - seg.Start) / NoiseRamp;
                _gain[i] = u >= 1 ? seg.NoiseGain : seg.PreviousNoiseGain + (seg.NoiseGain - seg.PreviousNoiseGain) * Math.Max(0, u);
            }
            if (seg is null) break;
        }
    }

    /// <summary>Closes the truth at the end of a finite record.</summary>
    public void FinishTruth() => Truth.Finish(Position / _fs);
}
