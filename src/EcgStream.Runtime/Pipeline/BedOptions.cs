using EcgStream.Core.Rhythms;
using EcgStream.Runtime.Tracking;
using EcgStream.Signal.Pipeline;

namespace EcgStream.Runtime.Pipeline;

/// <summary>Settings of one bed's pipeline.</summary>
public sealed record BedOptions
{
    public static BedOptions Default { get; } = new();

    public SignalChainOptions Signal { get; init; } = SignalChainOptions.Default;

    /// <summary>
    /// Tracking of the rules' decisions. The rules give AF, STACH, SBRAD and NOISE; NOISE is
    /// reported as an alarm (from the quality states), so it is not tracked as a rhythm here.
    /// </summary>
    public TrackerOptions RuleTracker { get; init; } = new()
    {
        Classes = new HashSet<RhythmClass> { RhythmClass.AF, RhythmClass.STACH, RhythmClass.SBRAD },
    };

    /// <summary>
    /// Tracking of the model's window scores (per-class thresholds come from the model's metadata).
    /// Sinus rhythm is the background, not an event: it is left out unless listed here.
    /// </summary>
    public TrackerOptions ModelTracker { get; init; } = new()
    {
        Classes = Enum.GetValues<RhythmClass>().Where(c => c != RhythmClass.SR).ToHashSet(),
    };
}
