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
