namespace EcgStream.Formats.Wfdb;

/// <summary>The mnemonic symbol of each annotation code (WFDB's annstr table) and beat classification.</summary>
public static class AnnotationCodes
{
    /// <summary>Largest code an MIT-format annotation file can hold (WFDB's ACMAX).</summary>
    public const int MaxCode = 49;

    private static readonly string[] Symbols = BuildSymbols();
    private static readonly bool[] Beats = BuildBeats();

    /// <summary>The symbol of <paramref name="code"/>: "N", "V", "+", …; "[15]" for codes with no symbol.</summary>
    public static string Symbol(AnnotationCode code) =>
        (int)code < Symbols.Length ? Symbols[(int)code] : $"[{(int)code}]";

    /// <summary>The code written as <paramref name="symbol"/>, as in WFDB's strann.</summary>
    public static bool TryParse(string symbol, out AnnotationCode code)
    {
        for (int i = 0; i < Symbols.Length; i++)
            if (Symbols[i] == symbol) { code = (AnnotationCode)i; return true; }
        code = default;
        return false;
    }

    /// <summary>True for codes that label a QRS complex (WFDB's isqrs).</summary>
    public static bool IsBeat(AnnotationCode code) => (int)code < Beats.Length && Beats[(int)code];

    private static string[] BuildSymbols()
    {
        var s = new string[MaxCode + 1];
        for (int i = 0; i < s.Length; i++) s[i] = $"[{i}]";
        s[0] = " ";
        string[] named =
        [
            "", "N", "L", "R", "a", "V", "F", "J", "A", "S", "E", "j", "/", "Q", "~", "", "|", "", "s", "T",
            "*", "D", "\"", "=", "p", "B", "^", "t", "+", "u", "?", "!", "[", "]", "e", "n", "@", "x", "f", "(", ")", "r",
        ];
        for (int i = 1; i < named.Length; i++)
            if (named[i].Length > 0) s[i] = named[i];
        return s;
    }

    private static bool[] BuildBeats()
    {
        var b = new bool[MaxCode + 1];
        foreach (var c in (ReadOnlySpan<AnnotationCode>)
                 [
                     AnnotationCode.Normal, AnnotationCode.Lbbb, AnnotationCode.Rbbb, AnnotationCode.Aberrated,
                     AnnotationCode.Pvc, AnnotationCode.Fusion, AnnotationCode.Npc, AnnotationCode.Apc, AnnotationCode.Svpb,
                     AnnotationCode.VentricularEscape, AnnotationCode.NodalEscape, AnnotationCode.Paced, AnnotationCode.Unknown,
                     AnnotationCode.Bbb, AnnotationCode.Learn, AnnotationCode.AtrialEscape, AnnotationCode.SvEscape,
                     AnnotationCode.PacedFusion, AnnotationCode.ROnT,
                 ])
            b[(int)c] = true;
        return b;
    }
}
