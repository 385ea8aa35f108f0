using EcgStream.Core.Events;

namespace EcgStream.Core.Rhythms;

/// <summary>
/// Per-window class probabilities from one decision source (the model or the rules), the rhythm
/// tracker's input. <c>Probabilities</c> has one entry per class of <see cref="RhythmClasses"/>
/// (NaN where the source has no opinion on a class). Valid only during the call that delivers it.
/// </summary>
public readonly record struct WindowScores(
    string StreamId,
    double StartSeconds,
    double EndSeconds,
    EventSource Source,
    ReadOnlyMemory<float> Probabilities,
    string? ModelId = null);
