namespace EcgStream.Core.Leads;

/// <summary>The twelve standard leads, in the model contract's order (DESIGN.md, contract v1).</summary>
public enum Lead : byte
{
    I = 0, II = 1, III = 2, aVR = 3, aVL = 4, aVF = 5,
    V1 = 6, V2 = 7, V3 = 8, V4 = 9, V5 = 10, V6 = 11,
}

public static class Leads
{
    public const int Count = 12;

    private static readonly string[] Names = ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"];

    public static string Name(Lead lead) => Names[(int)lead];

    /// <summary>
    /// Maps a recording's signal name to a standard lead. Accepts the spellings found in
    /// PhysioNet headers ("MLII" is lead II for our purposes, "AVR"/"aVR", "V1"…"V6").
    /// Returns false for signals that are not one of the twelve (e.g. "V" in MIT-BIH 124? no: V-leads
    /// only by number; respiration, "ECG" without a lead name).
    /// </summary>
    public static bool TryParse(string name, out Lead lead)
    {
        var n = name.Trim();
        switch (n.ToUpperInvariant())
        {
            case "I": case "LEAD I": case "ECG1": lead = Lead.I; return true;
            case "II": case "MLII": case "LEAD II": case "ECG2": lead = Lead.II; return true;
            case "III": case "MLIII": case "LEAD III": lead = Lead.III; return true;
            case "AVR": lead = Lead.aVR; return true;
            case "AVL": lead = Lead.aVL; return true;
            case "AVF": lead = Lead.aVF; return true;
            case "V1": case "MLV1": lead = Lead.V1; return true;
            case "V2": case "MLV2": lead = Lead.V2; return true;
            case "V3": case "MLV3": lead = Lead.V3; return true;
            case "V4": case "MLV4": lead = Lead.V4; return true;
            case "V5": case "MLV5": lead = Lead.V5; return true;
            case "V6": case "MLV6": lead = Lead.V6; return true;
            default: lead = default; return false;
        }
    }
}
