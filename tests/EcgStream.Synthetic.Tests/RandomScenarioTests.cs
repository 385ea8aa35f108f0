using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace EcgStream.Synthetic.Tests;

public class RandomScenarioTests
{
    private static readonly HashSet<string> Silent = ["VF", "ASYSTOLE", "PAUSE"];

    // Each case simulates two minutes: 12 cases, not FsCheck's default 100.
    [Property(MaxTest = 12)]
    public Property RandomRecordsKeepTheirTruthConsistent() =>
        Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var s = ScenarioLibrary.Random(seed, TimeSpan.FromMinutes(2), sampleRate: 250);
            var r = Simulator.Run(s);
            double fs = r.SampleRate, end = r.DurationSeconds;
            // Episodes lie inside the record and are non-empty.
            if (r.Truth.Any(e => e.StartSeconds < 0 || e.EndSeconds > end + 1e-9 || e.EndSeconds <= e.StartSeconds)) return false;
            // No beat inside a segment without ventricular beats; every beat is in a truth episode of a rhythm.
            // Beats sit on whole samples and boundaries need not, so allow one sample either way.
            double tol = 1 / fs;
            double t = 0;
            foreach (var g in s.Segments)
            {
                double a = t, b = t + g.DurationSeconds;
                if (Silent.Contains(g.Rhythm) && r.BeatSamples.Any(x => x / fs > a + tol && x / fs < b - tol)) return false;
                t = b;
            }
            var rhythmEpisodes = r.Truth.Where(e => e.Rhythm is not ("PAUSE" or "ASYSTOLE" or "LEAD_OFF" or "NOISE" or "VF")).ToArray();
            if (r.BeatSamples.Any(x => !rhythmEpisodes.Any(e => x / fs >= e.StartSeconds - tol && x / fs < e.EndSeconds + tol))) return false;
            // Beats are strictly increasing and respect a 250 ms refractory period.
            for (int i = 1; i < r.BeatSamples.Count; i++) if (r.BeatSamples[i] - r.BeatSamples[i - 1] < 0.25 * fs - 1) return false;
            // Samples are finite.
            return r.Signals.All(x => x.All(float.IsFinite));
        });

    /// <summary>
    /// A segment boundary whose time sums to just above a sample (71.2 + 35.1 s = 106.30000000000001 s, sample 26575 at
    /// 250 Hz): the lead-off run that starts there is rendered, not read as the end of the record. Before, the record
    /// (and its truth) stopped at 106.3 s and the rest stayed zero (random seed 192055 of the property above).
    /// </summary>
    [Fact]
    public void A_lead_off_segment_starting_where_time_and_sample_round_apart_is_rendered_to_the_end()
    {
        var s = new Scenario
        {
            Seed = 3, SampleRate = 250, Leads = EcgStream.Core.Leads.LeadSet.Of(EcgStream.Core.Leads.Lead.I, EcgStream.Core.Leads.Lead.II),
            Segments = [new("AF", 71.2), new("SR", 35.1), new("SR", 4.22) { LeadOff = ["I"] }, new("SVT", 9.48)],
        };
        var r = Simulator.Run(s);
        Assert.Equal(120.0, r.DurationSeconds, 6);
        Assert.Contains(r.Truth, e => e.Rhythm == "SVT" && Math.Abs(e.EndSeconds - 120) < 1e-6);
        var leadOff = Assert.Single(r.Truth, e => e.Rhythm == "LEAD_OFF");
        Assert.Equal(106.3, leadOff.StartSeconds, 6);
        Assert.Equal(110.52, leadOff.EndSeconds, 6);
        Assert.Contains(r.BeatSamples, b => b / 250.0 > 115);   // the SVT is there
    }

    [Fact]
    public void OversizedRecordsAreRefusedWithAHint()
    {
        var s = Measure.Clean(1, new ScenarioSegment("SR", 3 * 86400));
        var e = Assert.Throws<ScenarioException>(() => Simulator.Run(s));
        Assert.Contains("SyntheticEcgStream", e.Message);
    }
}
