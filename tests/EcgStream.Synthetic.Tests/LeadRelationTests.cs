using EcgStream.Core.Leads;

namespace EcgStream.Synthetic.Tests;

public class LeadRelationTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LimbLeadsFollowEinthovenAndGoldberger(bool noisy)
    {
        var scenario = Measure.Clean(3, new("SR", 10), new("AF", 10), new("VT", 5), new("VF", 5), new("PACED", 5)) with
        {
            Noise = noisy ? new NoiseSpec { Snr = 5, ElectrodeMotion = 1 } : NoiseSpec.None,
        };
        var r = Simulator.Run(scenario);
        float[] i = r.Lead(Lead.I), ii = r.Lead(Lead.II), iii = r.Lead(Lead.III), avr = r.Lead(Lead.aVR), avl = r.Lead(Lead.aVL), avf = r.Lead(Lead.aVF);
        double worst = 0, scale = 0;
        for (int n = 0; n < r.Length; n++)
        {
            scale = Math.Max(scale, Math.Max(Math.Abs(i[n]), Math.Abs(ii[n])));
            worst = Math.Max(worst, Math.Abs(iii[n] - (ii[n] - i[n])));
            worst = Math.Max(worst, Math.Abs(avr[n] + (i[n] + ii[n]) / 2));
            worst = Math.Max(worst, Math.Abs(avl[n] - (i[n] - ii[n] / 2)));
            worst = Math.Max(worst, Math.Abs(avf[n] - (ii[n] - i[n] / 2)));
        }
        // At most the float rounding of one operation on values of this size.
        Assert.True(worst <= scale * 1.2e-7, $"identity off by {worst} mV (signal scale {scale} mV)");
        Assert.True(scale > 0.3, "the limb leads carry a signal");
    }

    [Fact]
    public void PrecordialLeadsShowNormalRWaveProgression()
    {
        // Across patients, R/S grows from V1 to V6 in the normal beat: V1 mostly negative, V6 positive.
        int ok = 0;
        for (int seed = 1; seed <= 20; seed++)
        {
            var r = Simulator.Run(Measure.Clean(seed, new ScenarioSegment("SR", 5)));
            double Net(Lead l) => r.BeatSamples.Where(b => b >= 30 && b + 30 < r.Length).Sum(b => Enumerable.Range((int)b - 30, 60).Sum(k => (double)r.Lead(l)[k]));
            if (Net(Lead.V1) < 0 && Net(Lead.V6) > 0) ok++;
        }
        Assert.True(ok >= 17, $"only {ok} of 20 patients have a negative QRS in V1 and a positive one in V6");
    }
}
