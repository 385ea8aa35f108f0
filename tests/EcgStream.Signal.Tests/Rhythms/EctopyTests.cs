using EcgStream.Core.Rhythms;
using EcgStream.Signal.Rhythms;
using EcgStream.Signal.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace EcgStream.Signal.Tests.Rhythms;

/// <summary>
/// Frequent ectopy is not AF (RuleOptions.AfMinLagRatio, EctopicReferenceFromPairs), on synthetic RR whose rate,
/// coupling, compensation, burden and beat-to-beat jitter vary per case. "Not AF" is judged as the tracker would
/// open an episode: three consecutive 1 s AF votes (2 s of persistence, TrackerOptions.MinOnsetSeconds) never occur.
/// </summary>
public class EctopyTests
{
    private const int Warmup = 40; // decisions before AfBeats intervals are in

    /// <summary>One case: normal RR (s), coupling (premature RR / normal), pair sum (premature + following / normal),
    /// beat-to-beat jitter (uniform ±), seed.</summary>
    private static Gen<(double Normal, double Coupling, double PairSum, double Jitter, int Seed)> Cases(double minSum, double maxSum,
        int maxCoupling = 80, int maxJitter = 6) =>
        from bpm in Gen.Choose(55, 110)
        from coupling in Gen.Choose(55, maxCoupling)
        from sum in Gen.Choose((int)(minSum * 100), (int)(maxSum * 100))
        from jitter in Gen.Choose(0, maxJitter)
        from seed in Gen.Choose(1, 100000)
        select (60.0 / bpm, coupling / 100.0, sum / 100.0, jitter / 100.0, seed);

    private static double Jittered(Random rng, double rr, double jitter) => rr * (1 + jitter * (2 * rng.NextDouble() - 1));

    /// <summary>Repeats [normal × (period − 2), premature, compensatory] (period 2: bigeminy; 3: trigeminy).</summary>
    private static double[] Periodic(int period, (double Normal, double Coupling, double PairSum, double Jitter, int Seed) c, int beats = 200)
    {
        var rng = new Random(c.Seed);
        var rr = new List<double>();
        while (rr.Count < beats)
        {
            for (int k = 0; k < period - 2; k++) rr.Add(Jittered(rng, c.Normal, c.Jitter));
            rr.Add(Jittered(rng, c.Coupling * c.Normal, c.Jitter));
            rr.Add(Jittered(rng, (c.PairSum - c.Coupling) * c.Normal, c.Jitter));
        }
        return rr.ToArray();
    }

    /// <summary>Sinus with isolated ectopics (never two in a row) at <paramref name="burden"/> of the beats.</summary>
    private static double[] Isolated(double burden, (double Normal, double Coupling, double PairSum, double Jitter, int Seed) c, int beats = 200)
    {
        var rng = new Random(c.Seed);
        var rr = new List<double>();
        // An ectopic beat takes two intervals and is followed by at least one normal, so p per normal interval gives
        // burden ≈ p / (1 + p): p = burden / (1 − burden).
        double p = burden / (1 - burden);
        while (rr.Count < beats)
        {
            rr.Add(Jittered(rng, c.Normal, c.Jitter));
            if (rng.NextDouble() < p)
            {
                rr.Add(Jittered(rng, c.Coupling * c.Normal, c.Jitter));
                rr.Add(Jittered(rng, (c.PairSum - c.Coupling) * c.Normal, c.Jitter));
            }
        }
        return rr.ToArray();
    }

    /// <summary>The detector before the ectopy checks.</summary>
    private static readonly RuleOptions Before = RuleOptions.Default with { AfMinLagRatio = 0, EctopicReferenceFromPairs = false, RemoveInterruptions = false };

    /// <summary>Share of the decisions after the warm-up that vote AF.</summary>
    private static double AfShare(double[] rr, RuleOptions? options = null)
    {
        var late = RuleRhythmDetectorTests.Run(rr, options: options).Scores.Skip(Warmup).ToList();
        return late.Count(s => s.P[(int)RhythmClass.AF] >= 0.5) / (double)late.Count;
    }

    /// <summary>The AF share of ten 220-beat irregular records (seeds <paramref name="seed"/>…+9), pooled: one record's share is too noisy to bound.</summary>
    private static double PooledAfShare(int bpm, int spread, int seed, RuleOptions? options = null) =>
        Enumerable.Range(seed, 10).Average(s => AfShare(SyntheticEcg.IrregularRr(220, bpm, spread / 100.0, s), options));

    /// <summary>Longest run of consecutive AF votes after the warm-up.</summary>
    private static int LongestAfRun(double[] rr, RuleOptions? options = null)
    {
        int run = 0, longest = 0;
        foreach (var s in RuleRhythmDetectorTests.Run(rr, options: options).Scores.Skip(Warmup))
        {
            run = s.P[(int)RhythmClass.AF] >= 0.5 ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        return longest;
    }

    [Fact]
    public void Bigeminy_is_not_AF_with_or_without_a_full_compensatory_pause() =>
        Prop.ForAll(Cases(1.6, 2.2).ToArbitrary(), c => LongestAfRun(Periodic(2, c)) < 3).QuickCheckThrowOnFailure();

    [Fact]
    public void Trigeminy_is_not_AF_with_or_without_a_full_compensatory_pause() =>
        Prop.ForAll(Cases(1.6, 2.2).ToArbitrary(), c => LongestAfRun(Periodic(3, c)) < 3).QuickCheckThrowOnFailure();

    [Fact]
    public void Isolated_PVCs_and_PACs_with_a_compensatory_pause_at_10_to_30_percent_burden_are_not_AF() =>
        // Known limit: isolated ectopics must be recognisably premature (coupling ≤ 75 % of the normal RR) in a
        // steady sinus rhythm (jitter ≤ 3 %). Later beats in a jittery rhythm (coupling 0.75–0.8, jitter 6 %) fail
        // the pair criteria now and then and can still read as AF: RR alone cannot tell them from AF's intervals.
        Prop.ForAll(Cases(1.8, 2.2, maxCoupling: 75, maxJitter: 3).ToArbitrary(), Gen.Choose(10, 30).ToArbitrary(),
            (c, burden) => LongestAfRun(Isolated(burden / 100.0, c)) < 3).QuickCheckThrowOnFailure();

    /// <summary>Sinus (jitter ±<paramref name="jitter"/>) with, at about <paramref name="burden"/> of the beats, an
    /// interruption: <paramref name="run"/> premature intervals at <paramref name="coupling"/> × normal (each jittered), then
    /// a return of <paramref name="ret"/> × normal — not compensatory (coupling + return &lt; 2).</summary>
    private static double[] Interrupted(double burden, int run, double coupling, double ret, double normal, double jitter, int seed, int beats = 220)
    {
        var rng = new Random(seed);
        var rr = new List<double>();
        double p = burden / (run + 1 - burden * run); // interruptions per normal interval for that share of the beats
        while (rr.Count < beats)
        {
            rr.Add(Jittered(rng, normal, jitter));
            if (rng.NextDouble() < p)
            {
                for (int k = 0; k < run; k++) rr.Add(Jittered(rng, coupling * normal, jitter));
                rr.Add(Jittered(rng, ret * normal, jitter));
            }
        }
        return rr.ToArray();
    }

    private static readonly RuleOptions NoInterruptions = RuleOptions.Default with { RemoveInterruptions = false };

    [Fact]
    public void PACs_without_a_compensatory_pause_at_10_to_30_percent_burden_are_not_AF() =>
        // A PAC resets the sinus node: premature (coupling 0.55–0.72) + return (0.95–1.15 cycles) sum to 1.5–1.9 cycles,
        // too little for the premature/compensatory pair; the normal cycle before and after marks the interruption.
        // Beat-to-beat jitter 5 % (the pair removal's own property above needs ≤ 3 %). The criterion's edge is left out
        // and measured instead (2026-12-04): at coupling 0.73–0.75 with a 25–30 % burden, the PACs pull the normal-cycle
        // estimate down until the jittered coupling nears the 0.8 "premature" limit, and 26 of 3 000 records (0.9 %; 1.3 %
        // below 70 bpm) hold three AF votes in a row (2 s: the rule tracker's onset). Below 0.73: none of 5 120. A case is
        // ten records, at most one of which may hold such a run.
        Prop.ForAll((from bpm in Gen.Choose(55, 110)
                     from coupling in Gen.Choose(55, 72)
                     from ret in Gen.Choose(95, 115)
                     from burden in Gen.Choose(10, 30)
                     from seed in Gen.Choose(1, 100000)
                     select (bpm, coupling, ret, burden, seed)).ToArbitrary(), c =>
            {
                var runs = Enumerable.Range(c.seed, 10)
                    .Select(seed => LongestAfRun(Interrupted(c.burden / 100.0, 1, c.coupling / 100.0, c.ret / 100.0, 60.0 / c.bpm, 0.05, seed)))
                    .ToList();
                return (runs.Count(r => r >= 3) <= 1).Label($"longest AF runs {string.Join(", ", runs)} at {c.bpm} bpm, coupling {c.coupling} %, return {c.ret} %, burden {c.burden} %, seeds {c.seed}…{c.seed + 9}");
            }).QuickCheckThrowOnFailure();

    [Fact]
    public void Without_interruption_removal_frequent_non_compensated_PACs_read_as_AF()
    {
        // 20 % PACs at coupling 0.7, return 1.05 cycles, 100 bpm, 5 % beat-to-beat jitter
        var rr = Interrupted(0.2, 1, 0.7, 1.05, 0.6, 0.05, 3);
        Assert.True(LongestAfRun(rr, NoInterruptions) >= 3, "without the removal this should read as AF");
        Assert.True(LongestAfRun(rr) < 3);
    }

    [Fact]
    public void Short_regular_SVTA_runs_in_sinus_rhythm_are_not_AF() =>
        // Runs of 3–8 beats at 0.45–0.7 of the sinus cycle (regular within the jitter), a return of 1.0–1.2 cycles.
        Prop.ForAll((from bpm in Gen.Choose(55, 95)
                     from run in Gen.Choose(3, 8)
                     from coupling in Gen.Choose(45, 70)
                     from ret in Gen.Choose(100, 120)
                     from seed in Gen.Choose(1, 100000)
                     select (bpm, run, coupling, ret, seed)).ToArbitrary(), c =>
            {
                var rr = Interrupted(0.3, c.run, c.coupling / 100.0, c.ret / 100.0, 60.0 / c.bpm, 0.02, c.seed);
                int longest = LongestAfRun(rr);
                return (longest < 3).Label($"{longest} AF votes in a row at {c.bpm} bpm, runs of {c.run} at {c.coupling} %, return {c.ret} %, seed {c.seed}");
            }).QuickCheckThrowOnFailure();

    [Fact]
    public void Irregularly_irregular_RR_keeps_its_AF_votes_with_interruption_removal() =>
        Prop.ForAll(Gen.Choose(70, 150).ToArbitrary(), Gen.Choose(20, 40).ToArbitrary(), Gen.Choose(1, 100000).ToArbitrary(), (bpm, spread, seed) =>
        {
            double now = PooledAfShare(bpm, spread, seed), without = PooledAfShare(bpm, spread, seed, NoInterruptions);
            // Pooled over ten records: one record's share is noisy (single records once dropped 0.16, e.g. 0.79 against
            // 0.95 at 143 bpm, spread 40 %, seed 36760, and failed a bound of 0.15 in about one CI run in seven). Pooled,
            // the worst drop over 1 500 cases was 0.033 (2026-12-04); the bound leaves room. In AF the intervals around a
            // short one are as random as the rest: few stretches look like an interruption.
            return (now >= without - 0.1)
                .Label($"pooled AF share {now:F3}, without interruption removal {without:F3}, at {bpm} bpm, spread {spread} %, seeds {seed}…{seed + 9}");
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Irregularly_irregular_RR_stays_AF_with_the_ectopy_checks_on() =>
        Prop.ForAll(Gen.Choose(70, 150).ToArbitrary(), Gen.Choose(20, 40).ToArbitrary(), Gen.Choose(1, 100000).ToArbitrary(), (bpm, spread, seed) =>
        {
            // Ten 220-beat records per case, their AF shares pooled. One record's share is a noisy statistic: the
            // turning-point test, the lag-ratio veto and the interruption removal each read a stretch of a random series
            // as non-AF now and then, and over 20 000 single records the checks cost up to 0.29 of one record's decisions
            // (0.58 against 0.87, 143 bpm, spread 21 %) — a bound on single records failed about one CI run in thirty.
            // Pooled over ten, the cost stays small: worst −0.039 and lowest pooled share 0.861 over 1 500 cases (2026-12-04);
            // the bounds leave room.
            double now = PooledAfShare(bpm, spread, seed), before = PooledAfShare(bpm, spread, seed, Before);
            return (now >= before - 0.1 && now > 0.75)
                .Label($"pooled AF share {now:F3}, before the checks {before:F3}, at {bpm} bpm, spread {spread} %, seeds {seed}…{seed + 9}");
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Without_the_checks_a_jittered_trigeminy_reads_as_AF()
    {
        // Trigeminy with an incomplete compensatory pause and 6 % beat-to-beat jitter: 2 of 3 intervals are turning
        // points (what a random series has) and the jitter spreads the RR histogram, so Dash's three criteria hold.
        var rr = Periodic(3, (0.8, 0.6, 1.7, 0.06, 7));
        Assert.True(LongestAfRun(rr, Before) >= 3, "the detector before the checks should call this AF");
        Assert.Equal(0, LongestAfRun(rr));
    }

    [Fact]
    public void The_lag_ratio_separates_periodic_from_independent_RR()
    {
        double bigeminy = AfFeatures.PeriodicLagRatio(Enumerable.Range(0, 32).Select(i => i % 2 == 0 ? 0.5 : 1.1).ToArray());
        double trigeminy = AfFeatures.PeriodicLagRatio(Enumerable.Range(0, 32).Select(i => (i % 3) switch { 0 => 0.8, 1 => 0.5, _ => 1.1 }).ToArray());
        Assert.Equal(0, bigeminy, 12);
        Assert.Equal(0, trigeminy, 12);
        // Independent intervals: every lag differs alike (expected ratio 1).
        double af = AfFeatures.PeriodicLagRatio(SyntheticEcg.IrregularRr(4000, 100, 0.3, 3));
        Assert.InRange(af, 0.9, 1.1);
        Assert.True(double.IsNaN(AfFeatures.PeriodicLagRatio([0.8, 0.8, 0.8, 0.8, 0.8])));
    }
}
