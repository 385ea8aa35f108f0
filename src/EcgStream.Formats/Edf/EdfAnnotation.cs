namespace EcgStream.Formats.Edf;

/// <summary>An EDF+ annotation: a time-stamped annotation list entry (onset and duration in seconds from the start).</summary>
public readonly record struct EdfAnnotation(double Onset, double? Duration, string Text);
