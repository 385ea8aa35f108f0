namespace EcgStream.Signal.Resampling;

/// <summary>
/// The polyphase anti-aliasing filter of a rational resampler: a Kaiser-windowed sinc at the
/// up-sampled rate fin·L, split into L phases of <see cref="TapsPerPhase"/> taps. Pass band up to
/// 0.4·min(fin, fout), stop band from 0.5·min(fin, fout) (the lower Nyquist frequency), stop-band
/// attenuation <see cref="AttenuationDb"/> (Kaiser's formulas for β and length).
/// Each phase is normalised to sum to exactly 1, so DC passes with gain 1 on every output sample.
/// Immutable; one design serves every stream with the same rates.
/// </summary>
public sealed class ResamplerDesign
{
    public const double DefaultAttenuationDb = 70;

    // Phase-major, each phase reversed: output n of phase p is Σ_j Coefficients[p*K + j] · x[i0 − K + 1 + j],
    // a dot product with contiguous input (i0 = ⌊n·M/L⌋).
    private readonly float[] _coefficients;

    public ResamplerDesign(int inputRate, int outputRate, double attenuationDb = DefaultAttenuationDb)
    {
        if (inputRate <= 0) throw new ArgumentOutOfRangeException(nameof(inputRate), inputRate, "input rate must be a positive number of Hz");
        if (outputRate <= 0) throw new ArgumentOutOfRangeException(nameof(outputRate), outputRate, "output rate must be a positive number of Hz");
        if (!(attenuationDb >= 21 && attenuationDb <= 150))
            throw new ArgumentOutOfRangeException(nameof(attenuationDb), attenuationDb, "attenuation must be 21..150 dB");
        InputRate = inputRate;
        OutputRate = outputRate;
        AttenuationDb = attenuationDb;
        int g = Gcd(inputRate, outputRate);
        Up = outputRate / g;
        Down = inputRate / g;

        if (Up == 1 && Down == 1)
        {
            TapsPerPhase = 1;
            _coefficients = [1f];
            return;
        }

        double minRate = Math.Min(inputRate, outputRate);
        double passEdge = 0.4 * minRate, stopEdge = 0.5 * minRate;
        double transition = stopEdge - passEdge;
        // Kaiser: N − 1 = (A − 7.95) / (2.285 · Δω), Δω = 2π·Δf / (fin·L); N = L·K.
        int k = (int)Math.Ceiling((attenuationDb - 7.95) * inputRate / (14.36 * transition)) + 1;
        TapsPerPhase = Math.Max(k, 2);
        int n = Up * TapsPerPhase;
        double beta = attenuationDb > 50 ? 0.1102 * (attenuationDb - 8.7)
            : 0.5842 * Math.Pow(attenuationDb - 21, 0.4) + 0.07886 * (attenuationDb - 21);
        double fc = (passEdge + stopEdge) / 2 / ((double)inputRate * Up); // cycles per up-sampled sample
        double centre = (n - 1) / 2.0, i0Beta = BesselI0(beta);

        var h = new double[n];
        for (int t = 0; t < n; t++)
        {
            double x = t - centre;
            double sinc = x == 0 ? 2 * fc : Math.Sin(2 * Math.PI * fc * x) / (Math.PI * x);
            double r = 2 * t / (double)(n - 1) - 1;
            h[t] = sinc * BesselI0(beta * Math.Sqrt(Math.Max(0, 1 - r * r))) / i0Beta;
        }

        _coefficients = new float[n];
        for (int p = 0; p < Up; p++)
        {
            double sum = 0;
            for (int j = 0; j < TapsPerPhase; j++) sum += h[p + Up * j];
            for (int j = 0; j < TapsPerPhase; j++)
                _coefficients[p * TapsPerPhase + (TapsPerPhase - 1 - j)] = (float)(h[p + Up * j] / sum);
        }
        GroupDelayInputSamples = (n - 1) / 2.0 / Up;
    }

    public int InputRate { get; }
    public int OutputRate { get; }
    public double AttenuationDb { get; }
    /// <summary>Interpolation factor L = fout / gcd.</summary>
    public int Up { get; }
    /// <summary>Decimation factor M = fin / gcd.</summary>
    public int Down { get; }
    /// <summary>Taps per polyphase branch K (input samples each output sample reads).</summary>
    public int TapsPerPhase { get; }
    /// <summary>The filter is linear-phase: every frequency is delayed by this many input samples.</summary>
    public double GroupDelayInputSamples { get; }
    /// <summary>The same delay in output samples.</summary>
    public double GroupDelayOutputSamples => GroupDelayInputSamples * OutputRate / InputRate;
    /// <summary>The same delay in seconds.</summary>
    public double GroupDelaySeconds => GroupDelayInputSamples / InputRate;

    /// <summary>The K reversed coefficients of phase <paramref name="phase"/>.</summary>
    public ReadOnlySpan<float> Phase(int phase) => _coefficients.AsSpan(phase * TapsPerPhase, TapsPerPhase);

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }

    // Modified Bessel function of the first kind, order 0 (power series; converges fast for β ≤ 15).
    private static double BesselI0(double x)
    {
        double sum = 1, term = 1, q = x * x / 4;
        for (int k = 1; k < 200; k++)
        {
            term *= q / ((double)k * k);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return sum;
    }
}
