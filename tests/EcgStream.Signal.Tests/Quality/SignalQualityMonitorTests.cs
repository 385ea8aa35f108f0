using EcgStream.Core.Leads;
using EcgStream.Core.Samples;
using EcgStream.Signal.Preprocessing;
using EcgStream.Signal.Quality;
using EcgStream.Signal.Tests.Support;
using EcgStream.Tests;

namespace EcgStream.Signal.Tests.Quality;

public class SignalQualityMonitorTests
{
    private static readonly LeadSet TwoLeads = LeadSet.Of(Lead.II, Lead.V1);

    private static List<QualityEpoch> Run(float[][] channels, double rate, LeadSet leads, Func<long, LeadSet>? leadOff = null)
    {
        var pre = new EcgPreprocessor(rate, leads);
        var q = new SignalQualityMonitor(rate, leads);
        var epochs = new List<QualityEpoch>();
        QualityHandler on = (in QualityEpoch e) => epochs.Add(e);
        int block = (int)rate / 4, n = channels[0].Length;
        for (int s = 0; s < n; s += block)
        {
            int len = Math.Min(block, n - s);
            var raw = new SampleBlock("q", s, rate, leads, len, SyntheticEcg.Planar(channels, s, len), leadOff?.Invoke(s) ?? default);
            q.ProcessRaw(raw);
            q.ProcessFiltered(pre.Process(raw), on);
        }
        return epochs;
    }

    [Fact]
    public void Clean_ECG_is_usable_on_every_lead()
    {
        var sig = SyntheticEcg.Generate(SyntheticEcg.RegularRr(60, 70, 0.05, 1), 360, seed: 1);
        var epochs = Run(sig.Channels, 360, TwoLeads);
        Assert.True(epochs.Count >= 50);
        Assert.All(epochs.Skip(6), e => Assert.Equal(TwoLeads, e.Usable));
        Assert.All(epochs, e => Assert.False(e.AllLeadsOff || e.AllNoisy));
    }

    [Fact]
    public void Flat_clipped_and_noisy_leads_are_told_apart()
    {
        var sig = SyntheticEcg.Generate(SyntheticEcg.RegularRr(60, 70, 0.05, 2), 360, seed: 2);
        int n = sig.Channels[0].Length, from = 20 * 360, to = 40 * 360;
        var rng = new Random(2);
        for (int i = from; i < to; i++)
        {
            sig.Channels[0][i] = 0.31f;                                                  // II: electrode off, flat line
            sig.Channels[1][i] = (float)(0.8 * SyntheticEcg.Gaussian(rng));             // V1: broadband noise
        }
        var epochs = Run(sig.Channels, 360, TwoLeads);
        var mid = epochs.Where(e => e.StartSample >= 27 * 250 && e.EndSample <= 39 * 250).ToList();
        Assert.NotEmpty(mid);
        Assert.All(mid, e =>
        {
            Assert.True(e.Problems(Lead.II) == LeadProblem.Flat, $"epoch {e.StartSample}: II {e.Problems(Lead.II)}");
            Assert.True(e.Problems(Lead.V1) == LeadProblem.Noisy, $"epoch {e.StartSample}: V1 {e.Problems(Lead.V1)}");
            Assert.True(e.Usable.IsEmpty);
            Assert.True(e.AllNoisy, "leads connected but unreadable: NOISE, not LEAD_OFF");
        });
        // Recovered after the noise window has passed (5 s indices).
        Assert.All(epochs.Where(e => e.StartSample >= 47 * 250), e => Assert.Equal(TwoLeads, e.Usable));
    }

    [Fact]
    public void Saturation_and_device_lead_off_bits_are_reported()
    {
        var sig = SyntheticEcg.Generate(SyntheticEcg.RegularRr(40, 70, 0.05, 3), 500, seed: 3, wanderMv: 0.8);
        // II clipped at ±0.5 mV (ADC rail) for 10 s: the wandering signal sits on the rails.
        for (int i = 10 * 500; i < 20 * 500; i++) sig.Channels[0][i] = Math.Clamp(sig.Channels[0][i] * 4, -0.5f, 0.5f);
        var epochs = Run(sig.Channels, 500, TwoLeads, s => s >= 25 * 500 && s < 30 * 500 ? TwoLeads : LeadSet.None);
        var clipped = epochs.Where(e => e.StartSample >= 12 * 250 && e.EndSample <= 20 * 250).ToList();
        // Railed for a whole second the lead is also flat; either way it is disconnected in effect.
        Assert.All(clipped, e => Assert.True(e.Disconnected.Contains(Lead.II), $"epoch {e.StartSample}: {e.Problems(Lead.II)}"));
        Assert.True(clipped.Count(e => e.Saturated.Contains(Lead.II)) >= clipped.Count / 2);
        var off = epochs.Where(e => e.StartSample >= 27 * 250 && e.EndSample <= 30 * 250).ToList();
        Assert.NotEmpty(off);
        Assert.All(off, e => { Assert.Equal(TwoLeads, e.LeadOff); Assert.True(e.AllLeadsOff); Assert.False(e.AllNoisy); });
    }

    [Fact]
    public void A_lead_off_clipping_at_both_rails_is_railed_and_a_flat_topped_clean_lead_is_not()
    {
        // II: electrode off, mains hum (60 Hz) amplified onto both rails of ±0.3 mV: about 15 % of each second at each
        // rail, 30 % together. V1: clean signal whose peaks are held flat for a fifth of a second (as PTB-XL's leads hold
        // theirs up to 23 %): readable, not railed.
        const int rate = 360;
        var sig = SyntheticEcg.Generate(SyntheticEcg.RegularRr(40, 70, 0.05, 4), rate, seed: 4);
        for (int i = 10 * rate; i < 30 * rate; i++)
            sig.Channels[0][i] = (float)Math.Clamp(0.337 * Math.Sin(2 * Math.PI * 60 * i / rate), -0.3, 0.3);
        for (int sec = 10; sec < 30; sec++)
        {
            int from = sec * rate;
            float top = sig.Channels[1].AsSpan(from, rate).ToArray().Max();
            for (int i = from; i < from + rate / 5; i++) sig.Channels[1][i] = top;
        }
        var epochs = Run(sig.Channels, rate, TwoLeads).Where(e => e.StartSample >= 12 * 250 && e.EndSample <= 29 * 250).ToList();
        Assert.NotEmpty(epochs);
        Assert.All(epochs, e =>
        {
            Assert.True(e.Saturated.Contains(Lead.II), $"epoch {e.StartSample}: II {e.Problems(Lead.II)}");
            Assert.False(e.Disconnected.Contains(Lead.V1), $"epoch {e.StartSample}: V1 {e.Problems(Lead.V1)}");
        });
    }

    [Theory]
    [InlineData(0.5f, -0.5f, 50, 50, 360, LeadProblem.Saturated)]   // 28 % at the two rails together
    [InlineData(0.5f, -0.5f, 70, 1, 360, LeadProblem.None)]         // 20 % at one extreme: a flat-topped peak
    [InlineData(0.5f, -0.5f, 90, 0, 360, LeadProblem.Saturated)]    // a quarter at one rail
    [InlineData(0.01f, 0f, 1, 1, 360, LeadProblem.Flat)]
    [InlineData(float.NegativeInfinity, float.PositiveInfinity, 0, 0, 360, LeadProblem.Flat)]  // no finite sample
    public void The_raw_rule_judges_range_then_the_share_at_both_extremes(float max, float min, int atMax, int atMin, int epoch, LeadProblem expected) =>
        Assert.Equal(expected, new RawExtremes { Max = max, Min = min, AtMax = atMax, AtMin = atMin }.Judge(epoch, QualityOptions.Default));

    [DataFact("nstdb-noise")]
    public void Real_electrode_noise_is_flagged_and_clean_MIT_BIH_is_not()
    {
        // nstdb signals are named noise1/noise2, not leads: call them II and V1.
        var ma = EcgStream.Formats.Wfdb.Wfdb.ReadRecord(TestData.PathOf("nstdb-noise", "ma"));
        var noisy = Run(ma.Samples, ma.SampleRate, TwoLeads);
        double noisyShare = noisy.Skip(5).Count(e => e.Noisy.Contains(Lead.II)) / (double)(noisy.Count - 5);
        Assert.True(noisyShare > 0.8, $"muscle-noise record flagged noisy in {noisyShare:P1} of epochs");

        if (!TestData.Has("mitdb")) return;
        var clean = RealRecords.Load("mitdb", "118");
        var epochs = Run(clean.Planes, clean.Rate, clean.Leads);
        double flagged = epochs.Skip(5).Count(e => e.Usable != clean.Leads) / (double)(epochs.Count - 5);
        Assert.True(flagged < 0.02, $"clean record 118 flagged in {flagged:P1} of epochs");
    }
}
