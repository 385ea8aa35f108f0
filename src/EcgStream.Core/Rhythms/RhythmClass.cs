namespace EcgStream.Core.Rhythms;

/// <summary>Class set v1 (DESIGN.md): multi-label; the integer value is the model's output column.</summary>
public enum RhythmClass : byte
{
    /// <summary>Sinus rhythm.</summary>
    SR = 0,
    /// <summary>Atrial fibrillation.</summary>
    AF = 1,
    /// <summary>Atrial flutter.</summary>
    AFL = 2,
    /// <summary>Sinus tachycardia.</summary>
    STACH = 3,
    /// <summary>Sinus bradycardia.</summary>
    SBRAD = 4,
    /// <summary>Supraventricular tachycardia.</summary>
    SVT = 5,
    /// <summary>Ventricular tachycardia.</summary>
    VT = 6,
    /// <summary>Ventricular fibrillation.</summary>
    VF = 7,
    /// <summary>Paced rhythm.</summary>
    PACE = 8,
    /// <summary>Frequent ventricular ectopy (bigeminy, trigeminy).</summary>
    VECT = 9,
    /// <summary>Too noisy to read.</summary>
    NOISE = 10,
}

public static class RhythmClasses
{
    public const int Count = 11;

    /// <summary>Names in output-column order, as written into model metadata and events.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["SR", "AF", "AFL", "STACH", "SBRAD", "SVT", "VT", "VF", "PACE", "VECT", "NOISE"];

    public static string Name(RhythmClass c) => Names[(int)c];

    public static bool TryParse(string name, out RhythmClass c) => Enum.TryParse(name, ignoreCase: false, out c) && Enum.IsDefined(c);
}
