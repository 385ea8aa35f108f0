using EcgStream.Core.Leads;
using EcgStream.Training.Data;
using EcgStream.Training.Distillation;

namespace EcgStream.Training.Tests;

/// <summary>
/// Distillation's teacher-taught copies: which windows get them, what a copy carries (no label, its window's record,
/// lead set and rhythm features), that it is a standardised contract window close to its own window, and that the copies
/// are a function of the seed.
/// </summary>
public sealed class TeacherTaughtCopiesTests
{
    private static readonly LeadSet[] Sets = [LeadSet.All, LeadSet.Of(Lead.II), LeadSet.Of(Lead.II, Lead.V1)];

    private static WindowSet Mixed() => SyntheticData.WithLeadSets(Sets, count: 12);     // windows 0, 3, 6, 9 have 12 leads

    [Fact]
    public void Only_windows_with_enough_leads_are_copied()
    {
        var set = Mixed();
        int before = set.Count;
        Assert.Equal(0, TeacherTaughtCopies.Append(set, copies: 0, minLeads: 12, seed: 1));
        Assert.Equal(before, set.Count);

        Assert.Equal(4 * 3, TeacherTaughtCopies.Append(set, copies: 3, minLeads: 12, seed: 1));
        Assert.Equal(before + 12, set.Count);
        Assert.All(Enumerable.Range(before, 12), i => Assert.Equal(LeadSet.All, set.Leads(i)));

        var twoOrMore = Mixed();
        Assert.Equal(8 * 2, TeacherTaughtCopies.Append(twoOrMore, copies: 2, minLeads: 2, seed: 1));

    }

    [Fact]
    public void A_copy_has_no_label_and_keeps_its_window_s_record_lead_set_and_rhythm_features()
    {
        var set = Mixed();
        int before = set.Count;
        TeacherTaughtCopies.Append(set, copies: 2, minLeads: 12, seed: 7);
        var twelveLead = Enumerable.Range(0, before).Where(i => set.Leads(i).Count == 12).ToArray();
        for (int k = 0; k < set.Count - before; k++)
        {
            int copy = before + k, own = twelveLead[k / 2];      // copies follow their window, two each
            Assert.Equal(0, set.ClassMask(copy));
            Assert.Equal(0, set.KnownMask(copy));
            Assert.Equal(set.RecordId(own), set.RecordId(copy));
            Assert.Equal(set.Leads(own), set.Leads(copy));
            Assert.Equal(set.Rhythm(own).ToArray(), set.Rhythm(copy).ToArray());
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void A_copy_is_a_standardised_window_close_to_its_own(int seed)
    {
        var set = SyntheticData.WithLeadSets([LeadSet.All, LeadSet.Of(Lead.I, Lead.II, Lead.V1)], count: 8);
        int before = set.Count;
        TeacherTaughtCopies.Append(set, copies: 3, minLeads: 3, seed: (ulong)seed);
        var owners = Enumerable.Range(0, before).GroupBy(i => set.Leads(i).Mask).OrderBy(g => g.Key).SelectMany(g => g).ToArray();
        for (int k = 0; k < set.Count - before; k++)
        {
            int copy = before + k, own = owners[k / 3];
            var a = set.Ecg(copy);
            var b = set.Ecg(own);
            for (int l = 0; l < 12; l++)
            {
                var lead = a.AsSpan(l * 2250, 2250);
                if (!set.Leads(copy).Contains((Lead)l)) { Assert.True(lead.ToArray().All(v => v == 0), $"absent lead {l} of copy {k} is not zero"); continue; }
                double mean = lead.ToArray().Average(), std = Math.Sqrt(lead.ToArray().Average(v => (v - mean) * (v - mean)));
                Assert.InRange(mean, -1e-4, 1e-4);
                Assert.InRange(std, 1 - 1e-3, 1 + 1e-3);
                // λ ≥ 0.7 of its own lead and noise σ ≤ 0.2 keep the correlation above 0.85 whatever the partner.
                double r = Correlation(lead, b.AsSpan(l * 2250, 2250));
                Assert.True(r > 0.85, $"copy {k} lead {l}: correlation {r:F3} with its own window");
            }
        }
    }

    [Fact]
    public void Copies_are_a_function_of_the_seed()
    {
        string Fingerprint(ulong seed)
        {
            var set = Mixed();
            TeacherTaughtCopies.Append(set, copies: 2, minLeads: 2, seed: seed);
            return set.Fingerprint();
        }
        Assert.Equal(Fingerprint(5), Fingerprint(5));
        Assert.NotEqual(Fingerprint(5), Fingerprint(6));
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        var set = Mixed();
        Assert.Throws<ArgumentOutOfRangeException>(() => TeacherTaughtCopies.Append(set, copies: -1, minLeads: 12, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TeacherTaughtCopies.Append(set, copies: 1, minLeads: 0, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TeacherTaughtCopies.Append(set, copies: 1, minLeads: 13, seed: 1));
    }

    private static double Correlation(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double mx = 0, my = 0;
        for (int i = 0; i < x.Length; i++) { mx += x[i]; my += y[i]; }
        mx /= x.Length; my /= y.Length;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++) { double dx = x[i] - mx, dy = y[i] - my; sxy += dx * dy; sxx += dx * dx; syy += dy * dy; }
        return sxy / Math.Sqrt(sxx * syy);
    }
}
