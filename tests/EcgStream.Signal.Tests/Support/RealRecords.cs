using EcgStream.Core.Leads;
using EcgStream.Formats;
using EcgStream.Formats.Wfdb;
using EcgStream.Tests;

namespace EcgStream.Signal.Tests.Support;

/// <summary>Reads ../shared/data records through EcgStream.Formats into the chain's planar lead order.</summary>
internal static class RealRecords
{
    internal sealed record Loaded(string Name, double Rate, LeadSet Leads, float[][] Planes, IReadOnlyList<Annotation> Annotations)
    {
        public double Duration => Planes[0].Length / Rate;
    }

    internal static Loaded Load(string folder, string record)
    {
        var path = TestData.PathOf(folder, record);
        Recording rec = Wfdb.ReadRecord(path);
        var leads = rec.Leads;
        var planes = new float[leads.Count][];
        int p = 0;
        foreach (var lead in leads) planes[p++] = rec.Samples[rec.ChannelOf(lead)];
        return new Loaded(record, rec.SampleRate, leads, planes, Wfdb.ReadAnnotations(path, "atr"));
    }

    /// <summary>Intervals (seconds) of rhythm <paramref name="rhythm"/> ("AFIB") from the rhythm annotations.</summary>
    internal static List<(double Start, double End)> RhythmIntervals(Loaded r, string rhythm)
    {
        var result = new List<(double, double)>();
        double? on = null;
        foreach (var a in r.Annotations)
        {
            if (a.Rhythm is not string name) continue;
            double t = a.Sample / r.Rate;
            if (name == rhythm) on ??= t;
            else if (on is double o) { result.Add((o, t)); on = null; }
        }
        if (on is double open) result.Add((open, r.Duration));
        return result;
    }

    /// <summary>Ventricular flutter/fibrillation intervals ([ … ] annotations), excluded from QRS scoring as in EC57.</summary>
    internal static List<(double Start, double End)> VfIntervals(Loaded r)
    {
        var result = new List<(double, double)>();
        double? on = null;
        foreach (var a in r.Annotations)
        {
            if (a.Code == AnnotationCode.VfOnset) on = a.Sample / r.Rate;
            else if (a.Code == AnnotationCode.VfOffset && on is double o) { result.Add((o, a.Sample / r.Rate)); on = null; }
        }
        return result;
    }
}
