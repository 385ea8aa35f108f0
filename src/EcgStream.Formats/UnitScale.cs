namespace EcgStream.Formats;

/// <summary>Voltage unit spellings found in WFDB and EDF headers, and their factor to millivolts.</summary>
internal static class UnitScale
{
    public static bool IsVoltage(string units) => TryMillivoltsPer(units, out _);

    public static double MillivoltsPer(string units) => TryMillivoltsPer(units, out var f) ? f : 1.0;

    private static bool TryMillivoltsPer(string units, out double factor)
    {
        switch (units.Trim())
        {
            case "mV": case "mv": case "MV": factor = 1; return true;
            case "uV": case "uv": case "µV": case "μV": case "UV": factor = 1e-3; return true;
            case "nV": factor = 1e-6; return true;
            case "V": case "v": factor = 1e3; return true;
            default: factor = 1; return false;
        }
    }
}
