using EcgStream.Core.Rhythms;

namespace EcgStream.Synthetic;

/// <summary>The rhythms the generator can produce (the <see cref="ScenarioSegment.Rhythm"/> names).</summary>
public enum SyntheticRhythm
{
    SR, SBRAD, STACH, SINUS_ARRHYTHMIA, AF, AFL, SVT, VT, VF, PACED, BIGEMINY, TRIGEMINY, PVC, PAUSE, ASYSTOLE, PAC,
}

/// <summary>Names, rate ranges and ground-truth classes of <see cref="SyntheticRhythm"/>.</summary>
public static class SyntheticRhythms
{
    /// <summary>Alarm names used in truth episodes besides the rhythm classes of <see cref="RhythmClasses"/>.</summary>
    public const string Pause = "PAUSE", Asystole = "ASYSTOLE", LeadOff = "LEAD_OFF";

    public static bool TryParse(string name, out SyntheticRhythm rhythm)
    {
        var n = name.Trim().ToUpperInvariant();
        switch (n)
        {
            case "NSR": case "N": rhythm = SyntheticRhythm.SR; return true;
            case "SBR": case "SB": rhythm = SyntheticRhythm.SBRAD; return true;
            case "ST": rhythm = SyntheticRhythm.STACH; return true;
            case "SA": rhythm = SyntheticRhythm.SINUS_ARRHYTHMIA; return true;
            case "AFIB": rhythm = SyntheticRhythm.AF; return true;
            case "FLUTTER": rhythm = SyntheticRhythm.AFL; return true;
            case "PACE": rhythm = SyntheticRhythm.PACED; return true;
            case "ASYS": rhythm = SyntheticRhythm.ASYSTOLE; return true;
        }
        return Enum.TryParse(n, ignoreCase: false, out rhythm) && Enum.IsDefined(rhythm);
    }

    /// <summary>The allowed range of <see cref="ScenarioSegment.HeartRate"/> (bpm) for a rhythm; (0, 0) where no rate applies.</summary>
    public static (double Min, double Max) RateRange(SyntheticRhythm r) => r switch
    {
        SyntheticRhythm.SR or SyntheticRhythm.BIGEMINY or SyntheticRhythm.TRIGEMINY or SyntheticRhythm.PVC or SyntheticRhythm.PAC => (60, 100),
        SyntheticRhythm.SINUS_ARRHYTHMIA => (50, 100),
        SyntheticRhythm.SBRAD => (30, 59),
        SyntheticRhythm.STACH => (101, 180),
        SyntheticRhythm.AF => (50, 180),
        SyntheticRhythm.SVT => (150, 250),
        SyntheticRhythm.VT => (120, 250),
        SyntheticRhythm.PACED => (40, 120),
        _ => (0, 0),
    };

    /// <summary>The rhythm classes a segment is labelled with (multi-label: bigeminy is SR + VECT).</summary>
    public static IReadOnlyList<RhythmClass> Classes(SyntheticRhythm r, string? ectopy, double heartRate) => r switch
    {
        SyntheticRhythm.SR or SyntheticRhythm.SINUS_ARRHYTHMIA or SyntheticRhythm.PVC or SyntheticRhythm.PAC or SyntheticRhythm.BIGEMINY or SyntheticRhythm.TRIGEMINY
            or SyntheticRhythm.SBRAD or SyntheticRhythm.STACH => SinusClasses(r, ectopy, heartRate),
        SyntheticRhythm.AF => [RhythmClass.AF],
        SyntheticRhythm.AFL => [RhythmClass.AFL],
        SyntheticRhythm.SVT => [RhythmClass.SVT],
        SyntheticRhythm.VT => [RhythmClass.VT],
        SyntheticRhythm.VF => [RhythmClass.VF],
        SyntheticRhythm.PACED => [RhythmClass.PACE],
        _ => [],
    };

    private static RhythmClass[] SinusClasses(SyntheticRhythm r, string? ectopy, double heartRate)
    {
        var sinus = r switch
        {
            SyntheticRhythm.SBRAD => RhythmClass.SBRAD,
            SyntheticRhythm.STACH => RhythmClass.STACH,
            _ => heartRate < 60 ? RhythmClass.SBRAD : heartRate > 100 ? RhythmClass.STACH : RhythmClass.SR,
        };
        return EctopyOf(r, ectopy) is "bigeminy" or "trigeminy" ? [sinus, RhythmClass.VECT] : [sinus];
    }

    /// <summary>The ectopy pattern in effect: the segment's own, or the one the rhythm name implies.</summary>
    internal static string EctopyOf(SyntheticRhythm r, string? ectopy) => r switch
    {
        SyntheticRhythm.BIGEMINY => "bigeminy",
        SyntheticRhythm.TRIGEMINY => "trigeminy",
        SyntheticRhythm.PVC => ectopy?.ToLowerInvariant() ?? "isolated",
        SyntheticRhythm.PAC => ectopy?.ToLowerInvariant() ?? "pac",
        _ => ectopy?.ToLowerInvariant() ?? "none",
    };

    /// <summary>Where an ectopy pattern arises: "ventricular" (isolated PVCs, bigeminy, trigeminy), "atrial" (pac); null for none.</summary>
    internal static string? EctopyOrigin(string ectopy) => ectopy.ToLowerInvariant() switch
    {
        "isolated" or "bigeminy" or "trigeminy" => "ventricular",
        "pac" => "atrial",
        _ => null,
    };

    /// <summary>MIT-BIH rhythm aux string for a rhythm (as in the MIT-BIH Arrhythmia Database annotations).</summary>
    public static string MitAux(SyntheticRhythm r, string? ectopy) => r switch
    {
        SyntheticRhythm.AF => "(AFIB",
        SyntheticRhythm.AFL => "(AFL",
        SyntheticRhythm.SBRAD => "(SBR",
        SyntheticRhythm.SVT => "(SVTA",
        SyntheticRhythm.VT => "(VT",
        SyntheticRhythm.VF => "(VFL",
        SyntheticRhythm.PACED => "(P",
        SyntheticRhythm.ASYSTOLE => "(ASYS",
        _ => EctopyOf(r, ectopy) switch { "bigeminy" => "(B", "trigeminy" => "(T", _ => "(N" },
    };
}
