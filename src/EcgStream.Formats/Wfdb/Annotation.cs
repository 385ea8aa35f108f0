namespace EcgStream.Formats.Wfdb;

/// <summary>
/// One WFDB annotation: where (<see cref="Sample"/>, counted from the start of the record at the
/// record's sampling rate), what (<see cref="Code"/>, refined by <see cref="SubType"/>), on which
/// signal (<see cref="Channel"/>), an annotator-defined <see cref="Num"/>, and an optional
/// <see cref="Aux"/> string (rhythm changes carry "(AFIB", "(N", …).
/// </summary>
public readonly record struct Annotation(
    long Sample, AnnotationCode Code, byte SubType = 0, byte Channel = 0, byte Num = 0, string? Aux = null)
{
    /// <summary>WFDB mnemonic of <see cref="Code"/> ("N", "V", "+", …).</summary>
    public string Symbol => AnnotationCodes.Symbol(Code);

    /// <summary>True when the annotation labels a QRS complex.</summary>
    public bool IsBeat => AnnotationCodes.IsBeat(Code);

    /// <summary>For rhythm annotations, the rhythm without its "(" prefix ("AFIB", "N"); else null.</summary>
    public string? Rhythm =>
        Code == AnnotationCode.Rhythm && Aux is { Length: > 1 } a && a[0] == '(' ? a[1..] : null;

    public override string ToString() =>
        Aux is null ? $"{Sample} {Symbol} sub={SubType} chn={Channel} num={Num}" : $"{Sample} {Symbol} sub={SubType} chn={Channel} num={Num} {Aux}";
}
