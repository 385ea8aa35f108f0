namespace EcgStream.Signal.Qrs;

/// <summary>
/// The QRS shapes one lead has shown, to say how alike a new beat is to the lead's dominant (usually sinus-conducted)
/// beat: a PVC, a fusion beat or an aberrant beat has another shape, while AF keeps the QRS (the ventricles are
/// reached the normal way, only at random times). The rules use it to tell ventricular ectopy from AF whatever the
/// beat's timing (<see cref="Rhythms.RuleOptions.OddShapeCorrelation"/>: odd beats veto AF when the rhythm between the
/// others is regular): a late-coupled PVC is not premature enough for any timing criterion.
/// <para>Up to <see cref="Slots"/> shape classes, each the running average of the beats matched to it (Pearson
/// correlation ≥ <see cref="MatchCorrelation"/> at the best of ±<see cref="MaxLagSamples"/> samples of alignment, since
/// the R peak is the largest deflection and can jump between R and S). Each class has a weight, an exponential
/// average of "this beat matched it" over about <see cref="WeightBeats"/> beats; the dominant class is the heaviest.
/// A beat that matches no class replaces the lightest. A beat's <see cref="Correlate"/> value is its correlation with the
/// dominant class before the beat is added, so a shape cannot vouch for itself; NaN while the dominant class holds
/// fewer than <see cref="MinBeats"/> beats (the start of a stream, or just after the morphology changed).</para>
/// No allocation after construction.
/// </summary>
public sealed class QrsShapes
{
    /// <summary>Shape classes kept.</summary>
    public const int Slots = 4;
    /// <summary>Correlation at which a beat joins a class.</summary>
    public const float MatchCorrelation = 0.9f;
    /// <summary>Beats a class weight averages over.</summary>
    public const int WeightBeats = 32;
    /// <summary>Beats the dominant class needs before correlations are reported.</summary>
    public const int MinBeats = 8;
    /// <summary>Half width of the QRS snippet, ms (±100 ms: a wide PVC's QRS fits).</summary>
    public const double HalfWidthMs = 100;
    /// <summary>Alignment searched, samples each way (±12 ms at 250 Hz).</summary>
    public const int MaxLagSamples = 10;

    private readonly int _width;
    private readonly float[][] _shape = new float[Slots][];   // unit-norm, zero-mean running average
    private readonly float[][] _sum = new float[Slots][];     // running average before normalisation
    private readonly float[] _weight = new float[Slots];
    private readonly int[] _count = new int[Slots];
    private readonly float[] _unit;

    public QrsShapes(double sampleRate)
    {
        if (!(sampleRate >= 100)) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "QRS shapes need ≥ 100 Hz");
        HalfWidth = (int)Math.Round(HalfWidthMs * sampleRate / 1000);
        _width = 2 * HalfWidth + 1;
        for (int k = 0; k < Slots; k++) { _shape[k] = new float[_width]; _sum[k] = new float[_width]; }
        _unit = new float[_width];
    }

    /// <summary>Samples each side of the R peak a snippet holds.</summary>
    public int HalfWidth { get; }

    /// <summary>Samples <see cref="Correlate"/> wants: the R peak at the middle, <see cref="HalfWidth"/> + <see cref="MaxLagSamples"/> each side.</summary>
    public int SnippetLength => _width + 2 * MaxLagSamples;

    /// <summary>
    /// The correlation of the beat in <paramref name="snippet"/> (<see cref="SnippetLength"/> samples, R peak in the
    /// middle) with the dominant shape (NaN: none established yet, or a flat snippet), then adds the beat to its class.
    /// </summary>
    public float Correlate(ReadOnlySpan<float> snippet)
    {
        if (snippet.Length != SnippetLength) throw new ArgumentException($"snippet holds {snippet.Length} samples, {SnippetLength} expected", nameof(snippet));
        if (!Normalise(snippet.Slice(MaxLagSamples, _width), _unit)) return float.NaN;

        int dominant = -1, best = -1, bestLag = MaxLagSamples;
        float bestCorr = float.NegativeInfinity, dominantCorr = float.NaN;
        for (int k = 0; k < Slots; k++)
        {
            if (_count[k] == 0) continue;
            float c = BestLagCorrelation(snippet, _shape[k], out int lag);
            if (c > bestCorr) { bestCorr = c; best = k; bestLag = lag; }
            if (dominant < 0 || _weight[k] > _weight[dominant]) { dominant = k; dominantCorr = c; }
        }
        float result = dominant >= 0 && _count[dominant] >= MinBeats ? dominantCorr : float.NaN;

        const float beta = 1f / WeightBeats;
        bool matched = best >= 0 && bestCorr >= MatchCorrelation;
        int target = matched ? best : Lightest();
        if (!matched) { _count[target] = 0; _weight[target] = 0; }
        // a class averages its beats aligned on it, or it would smear with the R peak's jitter
        else if (bestLag != MaxLagSamples) Normalise(snippet.Slice(bestLag, _width), _unit);
        for (int k = 0; k < Slots; k++) _weight[k] *= 1 - beta;
        _weight[target] += beta;
        Add(target);
        return result;
    }

    private int Lightest()
    {
        int lightest = 0;
        for (int k = 0; k < Slots; k++)
        {
            if (_count[k] == 0) return k;
            if (_weight[k] < _weight[lightest]) lightest = k;
        }
        return lightest;
    }

    // The class average moves with the morphology (slow drift, lead repositioning): the first beats average evenly,
    // then each new one counts 1/16.
    private void Add(int k)
    {
        _count[k]++;
        float a = 1f / Math.Min(_count[k], 16);
        var sum = _sum[k];
        for (int i = 0; i < _width; i++) sum[i] += a * (_unit[i] - sum[i]);
        if (!Normalise(sum, _shape[k])) _shape[k].AsSpan().Clear();
    }

    private float BestLagCorrelation(ReadOnlySpan<float> snippet, float[] shape, out int bestLag)
    {
        float best = float.NegativeInfinity;
        bestLag = MaxLagSamples;
        for (int lag = 0; lag <= 2 * MaxLagSamples; lag++)
        {
            var x = snippet.Slice(lag, _width);
            float mean = 0;
            foreach (var v in x) mean += v;
            mean /= _width;
            float dot = 0, norm = 0;
            for (int i = 0; i < _width; i++)
            {
                float d = x[i] - mean;
                dot += d * shape[i];
                norm += d * d;
            }
            if (norm <= 0) continue;
            float c = dot / MathF.Sqrt(norm);
            if (c > best) { best = c; bestLag = lag; }
        }
        return best;
    }

    /// <summary>Zero mean, unit norm; false for a flat input.</summary>
    private static bool Normalise(ReadOnlySpan<float> x, Span<float> unit)
    {
        float mean = 0;
        foreach (var v in x) mean += v;
        mean /= x.Length;
        float norm = 0;
        for (int i = 0; i < x.Length; i++) { unit[i] = x[i] - mean; norm += unit[i] * unit[i]; }
        if (!(norm > 1e-12f) || !float.IsFinite(norm)) return false;
        float s = 1 / MathF.Sqrt(norm);
        for (int i = 0; i < x.Length; i++) unit[i] *= s;
        return true;
    }
}
