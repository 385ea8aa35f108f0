namespace EcgStream.Formats.Tests;

/// <summary>Synthetic recordings with known digital values, for round trips.</summary>
public static class Synthetic
{
    /// <summary>
    /// Channels of sines plus noise, quantised: digital[c][i] fits <paramref name="bits"/>-bit
    /// two's complement (strictly above the invalid-sample marker), and the recording's samples are
    /// (digital − baseline) / gain.
    /// </summary>
    public static (Recording Record, int[][] Digital) Make(int channels, int length, int bits, double gain, int baseline, int seed = 1)
    {
        var rng = new Random(seed);
        int max = (1 << (bits - 1)) - 1, min = -max;
        var digital = new int[channels][];
        var samples = new float[channels][];
        var signals = new SignalInfo[channels];
        string[] names = ["I", "II", "V1", "V2", "V3", "V4", "V5", "V6", "III", "aVR", "aVL", "aVF"];
        for (int c = 0; c < channels; c++)
        {
            digital[c] = new int[length];
            samples[c] = new float[length];
            double f = 1 + c * 0.37, amp = (max - Math.Abs(baseline)) * 0.6;
            for (int i = 0; i < length; i++)
            {
                double v = baseline + amp * Math.Sin(2 * Math.PI * f * i / 250.0) + rng.Next(-50, 51);
                int d = Math.Clamp((int)Math.Round(v), min, max);
                if (i == 7) d = max;          // the extremes must survive too
                if (i == 8) d = min;
                digital[c][i] = d;
                samples[c][i] = (float)((d - baseline) / gain);
            }
            signals[c] = new SignalInfo { Name = names[c % names.Length], Units = "mV", AdcGain = gain, Baseline = baseline, AdcZero = 0, AdcResolution = bits };
        }
        var record = new Recording { Name = "synth", SampleRate = 250, Signals = signals, Samples = samples, Comments = ["synthetic test record", "Dx: 426783006"] };
        return (record, digital);
    }
}
