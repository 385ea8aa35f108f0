using EcgStream.Core.Rhythms;
using EcgStream.Core.Samples;
using EcgStream.Signal.Rhythms;

namespace EcgStream.Runtime.Pipeline;

public enum SignalOutputKind : byte { RuleScores, Alarm, Window, Gap, Restart }

/// <summary>
/// What one stream's signal stage produces, as one element type so that the stream stays a single
/// ordered <see cref="IObservable{T}"/> that the bed pipeline splits with Rx. Like every block and
/// window, it is valid only during the OnNext that carries it.
/// </summary>
public readonly struct SignalOutput
{
    private SignalOutput(string streamId, SignalOutputKind kind, WindowScores scores = default, double heartRate = double.NaN,
        RuleAlarm alarm = default, EcgWindow window = default, GapReport gap = default, double restartSeconds = double.NaN)
    {
        StreamId = streamId;
        Kind = kind;
        Scores = scores;
        HeartRateBpm = heartRate;
        Alarm = alarm;
        Window = window;
        Gap = gap;
        RestartSeconds = restartSeconds;
    }

    public string StreamId { get; }
    public SignalOutputKind Kind { get; }
    public WindowScores Scores { get; }
    public double HeartRateBpm { get; }
    public RuleAlarm Alarm { get; }
    public EcgWindow Window { get; }
    public GapReport Gap { get; }
    /// <summary>Restart: stream time at which the signal chain started afresh.</summary>
    public double RestartSeconds { get; }

    public static SignalOutput ForScores(in WindowScores s, double heartRate) => new(s.StreamId, SignalOutputKind.RuleScores, scores: s, heartRate: heartRate);
    public static SignalOutput ForAlarm(string streamId, in RuleAlarm a) => new(streamId, SignalOutputKind.Alarm, alarm: a);
    public static SignalOutput ForWindow(in EcgWindow w) => new(w.StreamId, SignalOutputKind.Window, window: w);
    public static SignalOutput ForGap(in GapReport g) => new(g.StreamId, SignalOutputKind.Gap, gap: g);
    public static SignalOutput ForRestart(string streamId, double atSeconds) => new(streamId, SignalOutputKind.Restart, restartSeconds: atSeconds);
}

/// <summary>A stretch of stream time with no samples (lost frames, a dropped connection), in stream seconds.</summary>
public readonly record struct GapReport(string StreamId, double StartSeconds, double EndSeconds, long MissingSamples);
