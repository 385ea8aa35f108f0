using EcgStream.Core.Leads;
using EcgStream.Core.Rhythms;
using EcgStream.Signal.Qrs;
using EcgStream.Signal.Quality;
using EcgStream.Signal.Rhythms;
using EcgStream.Signal.Tests.Support;

namespace EcgStream.Signal.Tests.Rhythms;

public class RuleRhythmDetectorTests
{
    private const double Fs = 250;

    // Feeds beats at the given RR intervals (s), each decided 0.3 s after its R peak, and quality epochs
    // every second (all good unless `bad` says otherwise); decisions every second.
    // shapes: each beat's QrsBeat.Shape, in order (default NaN: no dominant shape, as before shapes existed).
    internal static ChainCapture Run(IEnumerable<double> rr, Func<long, (bool Off, bool Noisy)>? bad = null, RuleOptions? options = null, double tail = 0,
        IReadOnlyList<float>? shapes = null)
    {
        var det = new RuleRhythmDetector("bed", Fs, 0, options);
        var cap = new ChainCapture();
        var leads = LeadSet.Of(Lead.II);
        double t = 1;
        var beats = new List<long>();
        foreach (var r in rr) { beats.Add((long)Math.Round(t * Fs)); t += r; }
        long end = (long)Math.Round((t + tail) * Fs);
        int next = 0;
        for (long s = 250; s <= end; s += 250)
        {
            while (next < beats.Count && beats[next] + 75 <= s)
            {
                det.AddBeat(new QrsBeat(beats[next], beats[next] + 75, 1f, false, Shape: shapes is null ? float.NaN : shapes[next]), cap);
                next++;
            }
            var (off, noisy) = bad?.Invoke(s) ?? (false, false);
            var none = LeadSet.None;
            det.AddQuality(new QualityEpoch(s - 250, s, leads, none, none, off ? leads : none, noisy ? leads : none));
            det.Advance(s, cap);
        }
        return cap;
    }

    private static float P(ChainCapture cap, int i, RhythmClass c) => cap.Scores[i].P[(int)c];

    [Fact]
    public void Regular_sinus_rhythm_is_not_AF_and_its_rate_is_measured()
    {
        var cap = Run(SyntheticEcg.RegularRr(150, 75, 0.03, 1));
        var late = cap.Scores.Skip(60).ToList();
        Assert.All(late, s => Assert.True(s.P[(int)RhythmClass.AF] < 0.1, $"AF {s.P[(int)RhythmClass.AF]} at {s.End}"));
        Assert.All(late.Where(s => !double.IsNaN(s.Hr)), s => Assert.InRange(s.Hr, 70, 80));
        Assert.All(late, s => Assert.True(s.P[(int)RhythmClass.STACH] < 0.01 && s.P[(int)RhythmClass.SBRAD] < 0.01));
        Assert.All(cap.Scores, s => Assert.True(float.IsNaN(s.P[(int)RhythmClass.SR]) && float.IsNaN(s.P[(int)RhythmClass.VT])));
        Assert.Empty(cap.Alarms);
    }

    [Fact]
    public void Irregularly_irregular_RR_is_AF_once_enough_beats_are_in()
    {
        int yes = 0, all = 0;
        for (int seed = 1; seed <= 6; seed++)
        {
            var cap = Run(SyntheticEcg.IrregularRr(200, 100, 0.3, seed));
            // Before AfBeats/2 intervals there is no AF opinion.
            Assert.True(float.IsNaN(P(cap, 5, RhythmClass.AF)));
            var late = cap.Scores.Skip(60).ToList();
            int n = late.Count(s => s.P[(int)RhythmClass.AF] > 0.5);
            // The turning-point test is statistical: a random series leaves its 1% band now and then (over
            // overlapping windows such stretches last several seconds), so most decisions, not all, say AF.
            Assert.True(n > 0.6 * late.Count, $"seed {seed}: AF in {n} of {late.Count} decisions");
            yes += n;
            all += late.Count;
            // A fast irregular rhythm is not sinus tachycardia.
            Assert.All(late.Where(s => s.P[(int)RhythmClass.AF] >= 0.5), s => Assert.Equal(0f, s.P[(int)RhythmClass.STACH]));
        }
        Assert.True(yes > 0.85 * all, $"AF in {yes} of {all} decisions");
    }

    [Fact]
    public void While_the_window_fills_one_removed_ectopic_pair_does_not_read_as_ectopy()
    {
        // AF from the first beat whose RR holds one premature/compensatory-looking pair (0.4 s, 0.8 s around 0.6 s) and
        // no other (after an interval under 0.57 s the next is at most 0.63 s). Between AfBeats/2 and AfBeats
        // intervals, removing that pair must not make the rules call the stream "ectopy-dominated" (AF 0) because
        // fewer than AfBeats/2 intervals are left: that held AF back for seconds at every stream start. Each decision
        // before the window is full is no opinion or the RR features' own score.
        var options = RuleOptions.Default;
        int scored = 0;
        for (int seed = 1; seed <= 10; seed++)
        {
            var rng = new Random(seed);
            var rr = new List<double>();
            while (rr.Count < 80)
            {
                if (rr.Count == 5) { rr.Add(0.4); rr.Add(0.8); continue; }
                double v = 0.6 * (1 + 0.3 * (2 * rng.NextDouble() - 1));
                if (rr.Count > 0 && rr[^1] < 0.57 && v > 0.63) continue;
                rr.Add(v);
            }
            double full = 1 + rr.Take(options.AfBeats + 1).Sum(); // the AfBeats-th interval ends at this beat
            var early = Run(rr).Scores.Where(s => s.End < full).ToList();
            foreach (var s in early)
            {
                float p = s.P[(int)RhythmClass.AF];
                if (float.IsNaN(p)) continue;
                scored++;
                Assert.True(Math.Abs(p - s.Af.Score(options)) < 1e-6, $"seed {seed}: AF {p} at {s.End:F0} s, its RR features score {s.Af.Score(options):F2}");
            }
            // once AfBeats/2 intervals are left after the pair's removal, the rules have an opinion
            Assert.Contains(early, s => !float.IsNaN(s.P[(int)RhythmClass.AF]));
        }
        Assert.True(scored > 20, $"only {scored} decisions before the window filled");
    }

    [Fact]
    public void While_the_window_fills_regular_intervals_say_not_AF_and_irregular_ones_give_no_opinion_yet()
    {
        // A stream's first 8–15 intervals are too few for the AF features, but enough to see that a rhythm is regular.
        // Sinus at 72 bpm (2 % jitter): AF 0 from the 8th interval on, instead of no opinion until the 16th, so that a
        // model alone cannot raise AF over a regular start (FusedEctopyTests). AF (±30 %): still no opinion, never 0.
        var off = RuleOptions.Default with { EarlyRegularVeto = false };
        for (int seed = 1; seed <= 10; seed++)
        {
            var rng = new Random(seed);
            var sinus = Enumerable.Range(0, 40).Select(_ => 60.0 / 72 * (1 + 0.02 * (2 * rng.NextDouble() - 1))).ToList();
            double eighth = 1 + sinus.Take(8).Sum(), sixteenth = 1 + sinus.Take(16).Sum(); // the beats ending the 8th and 16th intervals (the first beat at 1 s)
            var run = Run(sinus);
            Assert.All(run.Scores.Where(x => x.End < eighth), x => Assert.True(float.IsNaN(x.P[(int)RhythmClass.AF]), $"seed {seed}: {x.P[(int)RhythmClass.AF]} at {x.End:F1} s, before 8 intervals"));
            var filling = run.Scores.Where(x => x.End > eighth + 0.6 && x.End < sixteenth).ToList();
            Assert.NotEmpty(filling);
            Assert.All(filling, x => Assert.True(x.P[(int)RhythmClass.AF] == 0, $"seed {seed}: AF {x.P[(int)RhythmClass.AF]} at {x.End:F1} s, {x.Af.Count} intervals kept, RMSSD {x.Af.NormalisedRmssd:F3}; 8th interval ends {eighth:F1} s"));
            Assert.All(Run(sinus, options: off).Scores.Where(x => x.End < sixteenth), x => Assert.True(float.IsNaN(x.P[(int)RhythmClass.AF]), $"seed {seed}: {x.P[(int)RhythmClass.AF]} at {x.End:F0} s without the veto"));

            var af = SyntheticEcg.IrregularRr(40, 100, 0.3, seed);
            double afSixteenth = 1 + af.Take(16).Sum();
            Assert.All(Run(af).Scores.Where(x => x.End < afSixteenth), x => Assert.True(float.IsNaN(x.P[(int)RhythmClass.AF]), $"seed {seed}: AF {x.P[(int)RhythmClass.AF]} at {x.End:F0} s"));
        }
    }

    [Fact]
    public void Bigeminy_and_isolated_ectopics_are_not_AF()
    {
        // Bigeminy: short–long alternation (every interval a turning point).
        var bigeminy = Enumerable.Range(0, 160).Select(i => i % 2 == 0 ? 0.55 : 1.05).ToArray();
        Assert.All(Run(bigeminy).Scores.Skip(60), s => Assert.True(s.P[(int)RhythmClass.AF] < 0.5, $"bigeminy AF {s.P[(int)RhythmClass.AF]}"));

        // Sinus with a PVC every ~7 beats: premature (0.6) then compensatory (1.4) around RR 1.0.
        var rng = new Random(4);
        var ectopic = new List<double>();
        while (ectopic.Count < 160)
        {
            for (int k = 0; k < 5 + rng.Next(4); k++) ectopic.Add(1.0 + 0.02 * (rng.NextDouble() - 0.5));
            ectopic.Add(0.6);
            ectopic.Add(1.4);
        }
        var cap = Run(ectopic);
        Assert.All(cap.Scores.Skip(70), s => Assert.True(s.P[(int)RhythmClass.AF] < 0.5, $"ectopics AF {s.P[(int)RhythmClass.AF]}"));

        var noRemoval = Run(ectopic, options: RuleOptions.Default with { RemoveEctopicPairs = false });
        Assert.Contains(noRemoval.Scores.Skip(70), s => s.Af.NormalisedRmssd > 0.1); // the pairs are what the removal takes out
    }

    [Theory]
    [InlineData(42, RhythmClass.SBRAD)]
    [InlineData(125, RhythmClass.STACH)]
    public void Sustained_slow_or_fast_rates_score_brady_or_tachycardia(double bpm, RhythmClass expected)
    {
        var cap = Run(SyntheticEcg.RegularRr((int)(bpm * 1.5), bpm, 0.02, 5));
        var late = cap.Scores.Skip(20).ToList();
        Assert.All(late, s => Assert.True(s.P[(int)expected] > 0.95, $"{expected} {s.P[(int)expected]} at HR {s.Hr:F0}"));
        var other = expected == RhythmClass.SBRAD ? RhythmClass.STACH : RhythmClass.SBRAD;
        Assert.All(late, s => Assert.True(s.P[(int)other] < 0.01));
    }

    [Fact]
    public void A_long_RR_raises_one_pause_alarm_with_its_extent()
    {
        var rr = Enumerable.Repeat(0.8, 20).Append(3.4).Concat(Enumerable.Repeat(0.8, 20));
        var cap = Run(rr);
        var pause = Assert.Single(cap.Alarms);
        Assert.Equal(AlarmKind.Pause, pause.Kind);
        Assert.Equal("PAUSE", pause.Name);
        Assert.Equal(1 + 20 * 0.8, pause.StartSeconds, 0.005);
        Assert.Equal(3.4, pause.EndSeconds - pause.StartSeconds, 0.005);
        Assert.Equal(pause.EndSeconds + 0.3, pause.DetectedSeconds, 0.005);
    }

    [Fact]
    public void Asystole_starts_after_four_silent_seconds_and_ends_with_the_next_beat()
    {
        var rr = Enumerable.Repeat(0.8, 20).Append(7.0).Concat(Enumerable.Repeat(0.8, 10));
        var cap = Run(rr);
        Assert.Equal(2, cap.Alarms.Count);
        var (on, off) = (cap.Alarms[0], cap.Alarms[1]);
        Assert.True(on.Kind == AlarmKind.Asystole && on.IsOnset && off.Kind == AlarmKind.Asystole && !off.IsOnset);
        double lastBeat = 1 + 20 * 0.8;
        Assert.Equal(lastBeat + 4, on.StartSeconds, 0.005);
        Assert.InRange(on.DetectedSeconds - lastBeat, 4.5, 5.5); // next 1 s grid point after 4 s + detection allowance
        Assert.Equal(lastBeat + 7, off.EndSeconds, 0.005);
        // The 7 s RR was reported as asystole, not again as a pause.
        Assert.DoesNotContain(cap.Alarms, a => a.Kind == AlarmKind.Pause);
    }

    [Fact]
    public void Asystole_counts_silence_only_from_when_the_leads_were_readable_and_the_detector_listening()
    {
        // 10 s of lead-off after the last beat, then 6 s readable without a beat: asystole 4 s after the lead came
        // back (at 26 + 4 s), not the moment it came back.
        var rr = Enumerable.Repeat(0.8, 20).Append(16.0).Concat(Enumerable.Repeat(0.8, 5));
        double lastBeat = 1 + 20 * 0.8;   // 17 s
        var cap = Run(rr, s => (s > 17 * 250 && s <= 27 * 250, false));
        var on = Assert.Single(cap.Alarms, a => a.Kind == AlarmKind.Asystole && a.IsOnset);
        Assert.Equal(27 + 4, on.StartSeconds, 0.005);
        Assert.InRange(on.DetectedSeconds, 31.5, 32.5);
        Assert.True(lastBeat + 16 > on.DetectedSeconds);

        // A detector that is learning its levels is not listening: no onset until it listens again.
        var det = new RuleRhythmDetector("bed", Fs);
        var sink = new ChainCapture();
        var leads = LeadSet.Of(Lead.II);
        for (int k = 0; k < 10; k++) det.AddBeat(new QrsBeat(250 + k * 200, 250 + k * 200 + 75, 1f, false), sink);
        for (long s = 250; s <= 40 * 250; s += 250)
        {
            det.ListeningSince = s <= 20 * 250 ? long.MaxValue : 20 * 250;   // learning until 20 s
            det.AddQuality(new QualityEpoch(s - 250, s, leads, LeadSet.None, LeadSet.None, LeadSet.None, LeadSet.None));
            det.Advance(s, sink);
        }
        var asystole = Assert.Single(sink.Alarms, a => a.Kind == AlarmKind.Asystole);
        Assert.Equal((250 + 9 * 200) / Fs + 4, asystole.StartSeconds, 0.005);   // silence from the last beat
        Assert.InRange(asystole.DetectedSeconds, 20, 21);                      // raised once the detector listens
    }

    [Fact]
    public void Noise_and_lead_off_raise_their_alarms_and_silence_the_rhythm_rules()
    {
        var rr = SyntheticEcg.RegularRr(120, 60, 0.02, 6);
        var cap = Run(rr, s => (s > 60 * 250 && s <= 70 * 250, s > 90 * 250 && s <= 100 * 250));
        Assert.Equal(
            ["LEAD_OFF on", "LEAD_OFF off", "NOISE on", "NOISE off"],
            cap.Alarms.Select(a => $"{a.Name} {(a.IsOnset ? "on" : "off")}"));
        // Each offset carries its onset's start, and ends after it.
        foreach (var off in cap.Alarms.Where(a => !a.IsOnset))
        {
            var on = cap.Alarms.Last(a => a.IsOnset && a.Kind == off.Kind && a.DetectedSeconds <= off.DetectedSeconds);
            Assert.Equal(on.StartSeconds, off.StartSeconds);
            Assert.True(off.EndSeconds > off.StartSeconds, $"{off.Name} ends at {off.EndSeconds} before {off.StartSeconds}");
        }
        var noisy = cap.Scores.Where(s => s.End > 95 && s.End <= 100).ToList();
        Assert.All(noisy, s => { Assert.True(s.P[(int)RhythmClass.NOISE] >= 0.5); Assert.True(float.IsNaN(s.P[(int)RhythmClass.SBRAD])); });
        // No asystole during lead-off even though beats stop? (Beats continue here; see the lead-off case below.)
        var offline = Run(Enumerable.Repeat(0.8, 20).Append(12.0).Concat(Enumerable.Repeat(0.8, 5)), s => (s > 17 * 250 && s <= 31 * 250, false));
        Assert.DoesNotContain(offline.Alarms, a => a.Kind == AlarmKind.Asystole);
        var unreadable = Run(Enumerable.Repeat(0.8, 20).Append(12.0).Concat(Enumerable.Repeat(0.8, 5)), s => (false, s > 17 * 250 && s <= 31 * 250));
        Assert.DoesNotContain(unreadable.Alarms, a => a.Kind == AlarmKind.Asystole);
        Assert.Contains(unreadable.Alarms, a => a.Kind == AlarmKind.Noise && a.IsOnset);
    }

    [Fact]
    public void Bad_options_and_arguments_are_refused_with_the_reason()
    {
        Assert.Contains("AfBeats", Assert.Throws<ArgumentOutOfRangeException>(() => new RuleRhythmDetector("b", 250, 0, RuleOptions.Default with { AfBeats = 4 })).Message);
        Assert.Contains("DecisionSeconds", Assert.Throws<ArgumentOutOfRangeException>(() => new RuleRhythmDetector("b", 250, 0, RuleOptions.Default with { DecisionSeconds = 0 })).Message);
        Assert.Contains("sample rate", Assert.Throws<ArgumentOutOfRangeException>(() => new RuleRhythmDetector("b", 0)).Message);
        Assert.Contains("InterruptionPremature", Assert.Throws<ArgumentOutOfRangeException>(() => new RuleRhythmDetector("b", 250, 0, RuleOptions.Default with { InterruptionPremature = 1 })).Message);
        Assert.Contains("InterruptionFrame", Assert.Throws<ArgumentOutOfRangeException>(() => new RuleRhythmDetector("b", 250, 0, RuleOptions.Default with { InterruptionFrame = 0 })).Message);
        var det = new RuleRhythmDetector("b");
        Assert.Throws<ArgumentNullException>(() => det.Advance(250, null!));
    }

    [Fact]
    public void AF_features_match_hand_computed_values()
    {
        var scratch = new double[64];
        var constant = AfFeatures.Compute(Enumerable.Repeat(0.8, 32).ToArray(), scratch);
        Assert.Equal(0, constant.NormalisedRmssd);
        Assert.Equal(0, constant.ShannonEntropy);
        Assert.Equal(0, constant.TurningPoints);

        // Alternating 0.6/1.0 (n = 32, trim 2 from each end leaves both values): RMSSD 0.4, mean 0.8.
        var alt = AfFeatures.Compute(Enumerable.Range(0, 32).Select(i => i % 2 == 0 ? 0.6 : 1.0).ToArray(), scratch);
        Assert.Equal(0.4 / 0.8, alt.NormalisedRmssd, 1e-12);
        Assert.Equal(30, alt.TurningPoints);
        Assert.Equal((30 - (2.0 * 32 - 4) / 3) / Math.Sqrt((16.0 * 32 - 29) / 90), alt.TurningPointZ, 1e-12);
        Assert.Equal(Math.Log(2) / Math.Log(16), alt.ShannonEntropy, 1e-12); // two equally full bins of 16

        Assert.True(double.IsNaN(AfFeatures.Compute([0.8, 0.8, 0.8], scratch).NormalisedRmssd));
    }

    [Theory]
    [InlineData(RhythmClass.STACH, 100, 0.5)]
    [InlineData(RhythmClass.STACH, 104, 0.8807970779778823)]     // 1 / (1 + e^-2)
    [InlineData(RhythmClass.STACH, 90, 0.0066928509242848554)]
    [InlineData(RhythmClass.SBRAD, 50, 0.5)]
    [InlineData(RhythmClass.SBRAD, 44, 0.9525741268224334)]      // 1 / (1 + e^-3)
    [InlineData(RhythmClass.SBRAD, 75, 3.726639284186561E-06)]
    public void Rate_classes_score_half_at_their_limit_and_logistic_around_it(RhythmClass c, double bpm, double expected)
    {
        Assert.Equal(expected, RuleRhythmDetector.RateScore(c, bpm, sinusPossible: true, new RuleOptions()), 12);
        Assert.Equal(0, RuleRhythmDetector.RateScore(c, bpm, sinusPossible: false, new RuleOptions()));
    }

    [Fact]
    public void Rate_score_follows_the_options_limits_and_refuses_other_classes()
    {
        var options = new RuleOptions { TachycardiaBpm = 110, BradycardiaBpm = 55 };
        Assert.Equal(0.5, RuleRhythmDetector.RateScore(RhythmClass.STACH, 110, true, options));
        Assert.Equal(0.5, RuleRhythmDetector.RateScore(RhythmClass.SBRAD, 55, true, options));
        Assert.Throws<ArgumentOutOfRangeException>(() => RuleRhythmDetector.RateScore(RhythmClass.AF, 80, true, options));
    }
}
