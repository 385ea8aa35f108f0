using EcgStream.Core.Leads;
using EcgStream.Synthetic.Engine;
using EcgStream.Synthetic.Model;

namespace EcgStream.Synthetic;

/// <summary>
/// Random scenarios for training and soak tests: rhythm segments drawn from a Markov chain with
/// sensible priors (sinus rhythms and AF common, VF rare and only after VT, asystole only after VF,
/// pauses inside sinus rhythm), random noise, occasional lead-off and very noisy stretches.
/// </summary>
public static class ScenarioLibrary
{
    /// <summary>A random scenario of exactly <paramref name="duration"/> (the last segment is cut).</summary>
    public static Scenario Random(int seed, TimeSpan duration, double sampleRate = 500, LeadSet? leads = null, string? nstdbDirectory = null)
    {
        double total = duration.TotalSeconds;
        if (!(total > 0)) throw new ArgumentOutOfRangeException(nameof(duration), duration, "duration must be positive");
        var source = new RandomSegmentSource(seed);
        var segments = new List<ScenarioSegment>();
        double t = 0;
        while (t < total - 1e-9)
        {
            var s = source.Next();
            double d = Math.Min(s.DurationSeconds, total - t);
            segments.Add(s with { DurationSeconds = d });
            t += d;
        }
        return new Scenario
        {
            Seed = seed,
            SampleRate = sampleRate,
            Leads = leads ?? LeadSet.All,
            Segments = segments,
            Noise = RandomNoise(seed, nstdbDirectory),
        };
    }

    /// <summary>The noise mix a random scenario of this seed uses: SNR 6–30 dB, random component weights.</summary>
    public static NoiseSpec RandomNoise(int seed, string? nstdbDirectory = null)
    {
        var rng = Rng.Derive(seed, 7);
        bool real = nstdbDirectory is not null && Directory.Exists(nstdbDirectory);
        return new NoiseSpec
        {
            Snr = rng.Uniform(6, 30),
            BaselineWander = rng.Uniform(0.1, 1),
            Muscle = rng.Uniform(0.1, 1),
            Powerline = rng.Chance(0.5) ? rng.Uniform(0, 0.3) : 0,
            ElectrodeMotion = rng.Chance(0.3) ? rng.Uniform(0, 0.5) : 0,
            NstdbBaselineWander = real ? rng.Uniform(0, 1) : 0,
            NstdbMuscle = real ? rng.Uniform(0, 1) : 0,
            PowerlineHz = rng.Chance(0.5) ? 50 : 60,
            NstdbDirectory = real ? nstdbDirectory : null,
        };
    }
}

/// <summary>The endless Markov chain of random segments behind <see cref="ScenarioLibrary"/>.</summary>
internal sealed class RandomSegmentSource(int seed) : ISegmentSource
{
    private static readonly SyntheticRhythm[] Rhythms =
    [
        SyntheticRhythm.SR, SyntheticRhythm.SBRAD, SyntheticRhythm.STACH, SyntheticRhythm.SINUS_ARRHYTHMIA,
        SyntheticRhythm.PVC, SyntheticRhythm.BIGEMINY, SyntheticRhythm.TRIGEMINY, SyntheticRhythm.AF, SyntheticRhythm.AFL,
        SyntheticRhythm.SVT, SyntheticRhythm.VT, SyntheticRhythm.VF, SyntheticRhythm.PACED, SyntheticRhythm.PAUSE, SyntheticRhythm.ASYSTOLE,
    ];
    // Prior weight of each rhythm (same order) as the next segment, before the transition rules.
    private static readonly double[] Prior = [20, 6, 6, 5, 5, 4, 3, 15, 7, 6, 5, 2, 6, 2, 1];

    private readonly Rng _rng = Rng.Derive(seed, 6);
    private SyntheticRhythm? _last;
    private ScenarioSegment? _pending;

    public ScenarioSegment Next()
    {
        if (_pending is { } p) { _pending = null; return p; }
        var r = PickNext();
        var seg = new ScenarioSegment(r.ToString(), Duration(r));
        if (r is SyntheticRhythm.PAUSE or SyntheticRhythm.ASYSTOLE) seg = seg with { PWaves = _rng.Chance(0.3) };
        if (r == SyntheticRhythm.AFL) seg = seg with { Conduction = _rng.Pick([0.4, 0.15, 0.3, 0.15]) switch { 0 => "2:1", 1 => "3:1", 2 => "4:1", _ => "variable" } };
        if (_rng.Chance(0.08)) seg = seg with { Snr = _rng.Uniform(-6, 3) };
        // Occasionally the same rhythm continues with an electrode off for a few seconds.
        if (r is not (SyntheticRhythm.PAUSE or SyntheticRhythm.ASYSTOLE) && _rng.Chance(0.06))
        {
            var lead = (Lead)_rng.Int(0, Leads.Count - 1);
            double off = _rng.Uniform(2, 10);
            seg = seg with { HeartRate = Rate(r) };
            _pending = seg with { DurationSeconds = off, LeadOff = [Leads.Name(lead)], LeadOffMode = _rng.Chance(0.5) ? "flat" : "rail", Snr = seg.Snr };
        }
        _last = r;
        return seg;
    }

    private double? Rate(SyntheticRhythm r)
    {
        var (lo, hi) = SyntheticRhythms.RateRange(r);
        return hi == 0 ? null : Math.Round(_rng.Uniform(lo + 0.1 * (hi - lo), hi - 0.1 * (hi - lo)));
    }

    private SyntheticRhythm PickNext()
    {
        Span<double> w = stackalloc double[Rhythms.Length];
        bool sinusBefore = _last is SyntheticRhythm.SR or SyntheticRhythm.SBRAD or SyntheticRhythm.STACH or SyntheticRhythm.SINUS_ARRHYTHMIA or SyntheticRhythm.PVC;
        for (int i = 0; i < w.Length; i++)
        {
            var r = Rhythms[i];
            double x = Prior[i];
            if (r == SyntheticRhythm.VF) x = _last == SyntheticRhythm.VT ? 30 : 0.3;      // VF mostly degenerates from VT
            if (r == SyntheticRhythm.ASYSTOLE) x = _last == SyntheticRhythm.VF ? 10 : 0;  // asystole only after VF
            if (r == SyntheticRhythm.PAUSE) x = sinusBefore ? 4 : 0;                      // pauses interrupt sinus rhythm
            if (_last is SyntheticRhythm.PAUSE && r is not (SyntheticRhythm.SR or SyntheticRhythm.SBRAD)) x = 0;
            if (_last is SyntheticRhythm.VF or SyntheticRhythm.ASYSTOLE && r is not (SyntheticRhythm.SR or SyntheticRhythm.PACED or SyntheticRhythm.SBRAD or SyntheticRhythm.ASYSTOLE or SyntheticRhythm.AF)) x = 0;
            if (r == _last) x = 0; // a change every segment
            w[i] = x;
        }
        return Rhythms[_rng.Pick(w)];
    }

    private double Duration(SyntheticRhythm r) => Math.Round(r switch
    {
        SyntheticRhythm.PAUSE => _rng.Uniform(2.2, 5),
        SyntheticRhythm.ASYSTOLE => _rng.Uniform(4, 20),
        SyntheticRhythm.VF => _rng.Uniform(5, 40),
        SyntheticRhythm.VT => _rng.Uniform(4, 60),
        SyntheticRhythm.SVT => _rng.Uniform(10, 90),
        SyntheticRhythm.AF => _rng.Uniform(20, 300),
        _ => _rng.Uniform(15, 180),
    }, 2);
}
