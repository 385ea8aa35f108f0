using EcgStream.Core.Rhythms;

namespace EcgStream.Signal.Rhythms;

/// <summary>Receives the rule detector's output. Arguments are valid only during the call.</summary>
public interface IRuleSink
{
    /// <summary>
    /// One decision per grid point: <paramref name="scores"/> (Source = Rule; AF, STACH, SBRAD, NOISE set, NaN elsewhere),
    /// the heart rate in bpm (NaN when unknown) and the AF features behind the AF score.
    /// </summary>
    void OnScores(in WindowScores scores, double heartRateBpm, in AfFeatures af);

    void OnAlarm(in RuleAlarm alarm);
}
