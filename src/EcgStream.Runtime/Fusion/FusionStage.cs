using EcgStream.Core.Events;
using EcgStream.Core.Rhythms;
using EcgStream.Runtime.Pipeline;

namespace EcgStream.Runtime.Fusion;

/// <summary>
/// Combines one stream's rule decisions (every second) with its model's window scores into fused evidence
/// per rule decision (<see cref="EventSource.Fused"/>), which a <see cref="Tracking.RhythmTracker"/> turns into
/// the events that alarm. Per class (see <see cref="FusionOptions"/>):
/// <list type="bullet">
/// <item>agreement classes (AF): min(rule, model) evidence — both above threshold — or one source confident
/// (<see cref="FusionOptions.ModelConfidentEvidence"/>; the rules' is off by default) with the other at least <see cref="FusionOptions.NotAgainstEvidence"/>;</item>
/// <item>rate classes (STACH, SBRAD): the rules' (model while the rules have none), off while fused AF is on;</item>
/// <item>every other class: the model's evidence (the rules have no opinion on it).</item>
/// </list>
/// Without a model (<c>modelThresholds</c> null) the fused evidence is the rules' own.
/// <para>Pairing is by stream time, not by arrival: model scores come later, on the scheduler's thread, so a rule
/// decision at time t waits until the model has delivered a window ending at or after t (or has ended), then takes the
/// newest model window ending at or before t. The output therefore does not depend on thread timing.</para>
/// </summary>
public sealed class FusionStage : IStage<FusionInput, WindowScores>
{
    // model windows kept for pairing: the model normally lags the rules; it can lead them only by the windows of one
    // block in flight, far fewer than this
    private const int HistoryCapacity = 16;
    private const double TimeTolerance = 1e-6;

    private readonly FusionOptions _options;
    private readonly double[]? _modelThresholds;
    private readonly Queue<Pending> _pending = new();
    private readonly Stack<Pending> _spare = new();
    private readonly float[][] _historyProbs = new float[HistoryCapacity][];
    private readonly double[] _historyEnd = new double[HistoryCapacity];
    private int _historyCount, _historyNext;  // ring: _historyNext is where the next window goes
    private double _modelNewestEnd = double.NegativeInfinity;
    private bool _modelEnded;
    private double _newestRuleEnd = double.NegativeInfinity;
    private string? _modelId;
    private readonly float[] _out = new float[RhythmClasses.Count];
    private readonly float[] _noModel = new float[RhythmClasses.Count];
    private readonly float[] _held = new float[RhythmClasses.Count];

    /// <param name="modelThresholds">The model's per-class decision thresholds; null when the bed runs no model.</param>
    public FusionStage(FusionOptions? options = null, IReadOnlyList<double>? modelThresholds = null)
    {
        _options = options ?? FusionOptions.Default;
        _options.Validate();
        if (modelThresholds is not null)
        {
            _modelThresholds = new double[RhythmClasses.Count];
            for (int c = 0; c < _modelThresholds.Length; c++) _modelThresholds[c] = c < modelThresholds.Count ? modelThresholds[c] : 0.5;
        }
        for (int i = 0; i < HistoryCapacity; i++) _historyProbs[i] = new float[RhythmClasses.Count];
        Array.Fill(_noModel, float.NaN);
    }

    public bool HasModel => _modelThresholds is not null;

    public void OnNext(in FusionInput input, IObserver<WindowScores> output)
    {
        switch (input.Kind)
        {
            case FusionInputKind.Rule:
                if (_modelThresholds is null) { Emit(input.Scores, input.Scores.Probabilities.Span, _noModel, output); return; }
                var p = _spare.Count > 0 ? _spare.Pop() : new Pending();
                p.Set(input.Scores);
                _pending.Enqueue(p);
                _newestRuleEnd = Math.Max(_newestRuleEnd, p.End);
                break;
            case FusionInputKind.Model:
                AddModel(input.Scores);
                break;
            case FusionInputKind.ModelEnd:
                _modelEnded = true;
                break;
        }
        Release(output, flush: false);
    }

    public void OnCompleted(IObserver<WindowScores> output) => Release(output, flush: true);

    private void AddModel(in WindowScores s)
    {
        var slot = _historyProbs[_historyNext];
        var src = s.Probabilities.Span;
        for (int c = 0; c < slot.Length; c++) slot[c] = c < src.Length ? src[c] : float.NaN;
        _historyEnd[_historyNext] = s.EndSeconds;
        _historyNext = (_historyNext + 1) % HistoryCapacity;
        _historyCount = Math.Min(_historyCount + 1, HistoryCapacity);
        _modelNewestEnd = Math.Max(_modelNewestEnd, s.EndSeconds);
        _modelId = s.ModelId;
    }

    /// <summary>Fuses every waiting rule decision whose model window is known (all of them on <paramref name="flush"/>).</summary>
    private void Release(IObserver<WindowScores> output, bool flush)
    {
        while (_pending.Count > 0)
        {
            var p = _pending.Peek();
            // windows arrive in end-time order: once one ends at or after t, none still to come can end before it
            bool ready = flush || _modelEnded || _modelNewestEnd >= p.End - TimeTolerance
                         || _newestRuleEnd - p.End > _options.ModelWaitSeconds;
            if (!ready) break;
            _pending.Dequeue();
            var scores = new WindowScores(p.StreamId, p.Start, p.End, EventSource.Rule, p.Probabilities);
            Emit(scores, p.Probabilities, ModelAt(p.End), output);
            _spare.Push(p);
        }
    }

    /// <summary>
    /// The model's evidence for a rule decision at <paramref name="t"/>: the newest window ending at or before t
    /// (within the age limit), per class the highest over the windows ending in [t − hold, t]; NaNs if none.
    /// </summary>
    private float[] ModelAt(double t)
    {
        int best = -1;
        double bestEnd = double.NegativeInfinity;
        for (int k = 0; k < _historyCount; k++)
        {
            int i = (_historyNext - 1 - k + HistoryCapacity) % HistoryCapacity;
            double end = _historyEnd[i];
            if (end <= t + TimeTolerance && end > bestEnd) { best = i; bestEnd = end; }
        }
        if (best < 0 || t - bestEnd > _options.ModelMaxAgeSeconds + TimeTolerance) return _noModel;
        if (_options.ModelHoldSeconds <= 0) return _historyProbs[best];
        _held.AsSpan().Fill(float.NaN);
        for (int k = 0; k < _historyCount; k++)
        {
            int i = (_historyNext - 1 - k + HistoryCapacity) % HistoryCapacity;
            double end = _historyEnd[i];
            if (end > t + TimeTolerance || end < t - _options.ModelHoldSeconds - TimeTolerance) continue;
            var p = _historyProbs[i];
            for (int c = 0; c < _held.Length; c++)
                if (!float.IsNaN(p[c]) && !(p[c] <= _held[c])) _held[c] = p[c]; // NaN-aware max
        }
        return _held;
    }

    private void Emit(in WindowScores rule, ReadOnlySpan<float> r, ReadOnlySpan<float> m, IObserver<WindowScores> output)
    {
        Combine(r, m, _out);
        output.OnNext(new WindowScores(rule.StreamId, rule.StartSeconds, rule.EndSeconds, EventSource.Fused, _out, _modelThresholds is null ? null : _modelId));
    }

    /// <summary>
    /// The fused evidence of every class from the rules' probabilities <paramref name="rule"/> and the model's
    /// <paramref name="model"/> (NaN: no opinion). Public for tests and for offline use on stored scores.
    /// </summary>
    public void Combine(ReadOnlySpan<float> rule, ReadOnlySpan<float> model, Span<float> fused)
    {
        int n = RhythmClasses.Count;
        for (int c = 0; c < n; c++)
        {
            double er = Evidence(c < rule.Length ? rule[c] : float.NaN, _options.RuleThreshold);
            if (_modelThresholds is null) { fused[c] = (float)er; continue; }
            double em = Evidence(c < model.Length ? model[c] : float.NaN, _modelThresholds[c]);
            var cls = (RhythmClass)c;
            fused[c] = (float)(_options.AgreementClasses.Contains(cls) ? Agree(er, em)
                : _options.RateClasses.Contains(cls) ? (double.IsNaN(er) ? em : er)
                : cls == RhythmClass.NOISE ? er   // signal quality is the rules' measurement
                : em);
        }
        if (_modelThresholds is null) return;
        // a rhythm voted AF is not a sinus brady- or tachycardia
        if (fused[(int)RhythmClass.AF] >= 0.5)
            foreach (var c in _options.RateClasses) fused[(int)c] = Math.Min(fused[(int)c], 0f);
    }

    /// <summary>Agreement of two sources' evidence: both above 0.5, or one confident and the other not against.</summary>
    private double Agree(double er, double em)
    {
        if (double.IsNaN(er) && double.IsNaN(em)) return double.NaN;
        double na = _options.NotAgainstEvidence;
        // no opinion neither agrees nor vetoes
        if (double.IsNaN(er)) er = na;
        if (double.IsNaN(em)) em = na;
        double fused = Math.Min(er, em);
        // a confident source alone: its evidence shifted so that exactly its confidence level maps to 0.5
        double mc = _options.ModelConfidentEvidence, rc = _options.RuleConfidentEvidence;
        if (em >= mc && er >= na) fused = Math.Max(fused, em - mc + 0.5);
        if (er >= rc && em >= na) fused = Math.Max(fused, er - rc + 0.5);
        return fused;
    }

    /// <summary>A probability on the common scale: 0.5 at the source's threshold, linear on either side.</summary>
    public static double Evidence(double p, double threshold)
    {
        if (double.IsNaN(p)) return double.NaN;
        p = Math.Clamp(p, 0, 1);
        return p < threshold ? 0.5 * p / threshold : 0.5 + 0.5 * (p - threshold) / (1 - threshold);
    }

    /// <summary>A rule decision waiting for its model window (its own copy of the scores).</summary>
    private sealed class Pending
    {
        public string StreamId = "";
        public double Start, End;
        public readonly float[] Probabilities = new float[RhythmClasses.Count];

        public void Set(in WindowScores s)
        {
            (StreamId, Start, End) = (s.StreamId, s.StartSeconds, s.EndSeconds);
            var src = s.Probabilities.Span;
            for (int c = 0; c < Probabilities.Length; c++) Probabilities[c] = c < src.Length ? src[c] : float.NaN;
        }
    }
}
