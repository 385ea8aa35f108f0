using EcgStream.Core.Leads;

namespace EcgStream.Signal.Windowing;

/// <summary>
/// Per-window standardisation of contract v1 ("per-window standardisation over the present leads"):
/// each present lead is z-scored on its own over the window, x ← (x − mean) / max(std, <see cref="MinStdMillivolts"/>);
/// leads outside the mask are set to zero. Per-lead rather than global, so a lead's gain or a lead with a
/// larger QRS does not rescale the others. The floor keeps a nearly flat lead from being amplified into
/// noise (0.01 mV is a tenth of a small ECG's standard deviation). Training calls this same function.
/// </summary>
public static class WindowStandardiser
{
    public const float MinStdMillivolts = 0.01f;

    /// <summary>Standardises <paramref name="data"/>, float [12, <paramref name="length"/>] lead-major, in place.</summary>
    public static void Standardise(Span<float> data, int length, LeadSet present)
    {
        if (data.Length != Leads.Count * length)
            throw new ArgumentException($"window holds {data.Length} values, 12 × {length} expected", nameof(data));
        for (int l = 0; l < Leads.Count; l++)
        {
            var lead = data.Slice(l * length, length);
            if (!present.Contains((Lead)l)) { lead.Clear(); continue; }
            StandardiseLead(lead);
        }
    }

    /// <summary>Z-scores one lead in place (two passes in double precision).</summary>
    public static void StandardiseLead(Span<float> lead)
    {
        if (lead.IsEmpty) return;
        double sum = 0;
        foreach (var v in lead) sum += v;
        double mean = sum / lead.Length, ss = 0;
        foreach (var v in lead) { double d = v - mean; ss += d * d; }
        double std = Math.Max(Math.Sqrt(ss / lead.Length), MinStdMillivolts);
        float m = (float)mean, inv = (float)(1 / std);
        for (int i = 0; i < lead.Length; i++) lead[i] = (lead[i] - m) * inv;
    }
}
