using EcgStream.Core.Leads;
using EcgStream.Training.Data;

namespace EcgStream.Training.Tests;

/// <summary>
/// Distillation caches the teacher's outputs keyed by the windows' fingerprint: it must change with any input a model
/// reads and with the windows' order, and not with labels or record ids (which the teacher never sees).
/// </summary>
public sealed class WindowFingerprintTests
{
    private static WindowSet Copy(WindowSet source, Func<int, float[], float[]>? edit = null, int[]? order = null, Func<int, LeadSet>? leads = null, Func<int, string>? record = null)
    {
        var result = new WindowSet();
        foreach (int i in order ?? Enumerable.Range(0, source.Count).ToArray())
        {
            var ecg = source.Ecg(i);
            if (edit is not null) ecg = edit(i, ecg);
            result.Add(ecg, leads?.Invoke(i) ?? source.Leads(i), source.ClassMask(i), record?.Invoke(i) ?? source.RecordId(i), source.KnownMask(i), source.Rhythm(i));
        }
        return result;
    }

    [Fact]
    public void The_fingerprint_follows_the_inputs_not_the_labels()
    {
        var source = SyntheticData.Small;
        string f = source.Fingerprint();
        Assert.Equal(64, f.Length);
        Assert.Equal(f, Copy(source).Fingerprint());
        Assert.Equal(f, Copy(source, record: i => $"other-{i}").Fingerprint());
        Assert.NotEqual(f, Copy(source, edit: (i, e) => { if (i == source.Count - 1) e[1234] += 1e-3f; return e; }).Fingerprint());
        var swapped = Enumerable.Range(0, source.Count).ToArray();
        (swapped[0], swapped[1]) = (swapped[1], swapped[0]);
        Assert.NotEqual(f, Copy(source, order: swapped).Fingerprint());
        Assert.NotEqual(f, Copy(source, leads: i => i == 0 ? LeadSet.Of(Lead.II) : source.Leads(i)).Fingerprint());
    }
}
