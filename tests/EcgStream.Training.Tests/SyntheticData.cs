using EcgStream.Training.Data;

namespace EcgStream.Training.Tests;

/// <summary>Small synthetic window sets shared by the tests (generated once per test run).</summary>
internal static class SyntheticData
{
    private static readonly Lazy<WindowSet> s_small = new(() => SyntheticWindows.Generate(seed: 100, count: 24, patients: 6));

    /// <summary>24 windows from 6 synthetic patients, 12 leads.</summary>
    public static WindowSet Small => s_small.Value;

    /// <summary>
    /// <paramref name="count"/> (default all) of <see cref="Small"/>'s windows, window i cut down to lead set
    /// i mod <paramref name="sets"/>.Count (the others zeroed and absent), labels and rhythm features kept.
    /// </summary>
    public static WindowSet WithLeadSets(IReadOnlyList<Core.Leads.LeadSet> sets, int? count = null)
    {
        var source = Small;
        var result = new WindowSet();
        for (int i = 0; i < (count ?? source.Count); i++)
        {
            int j = i % source.Count;
            var leads = sets[i % sets.Count];
            var ecg = source.Ecg(j);
            for (int l = 0; l < 12; l++)
                if (!leads.Contains((Core.Leads.Lead)l)) ecg.AsSpan(l * 2250, 2250).Clear();
            result.Add(ecg, leads, source.ClassMask(j), source.RecordId(j), source.KnownMask(j), source.Rhythm(j));
        }
        return result;
    }

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ecgstream-training-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
