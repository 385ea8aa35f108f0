namespace EcgStream.Signal.Filters;

/// <summary>
/// Running state of an <see cref="SosDesign"/> for <c>channels</c> independent channels
/// (transposed direct form II, double-precision state). Filtering is sample-recursive, so a
/// stream cut into blocks of any size yields bit-identical output. Allocates only at construction.
/// </summary>
public sealed class SosFilter
{
    private readonly Biquad[] _sections;
    // _state[(channel * sections + section) * 2 + {0,1}]: the two delay registers of that section.
    private readonly double[] _state;

    public SosFilter(SosDesign design, int channels)
    {
        ArgumentNullException.ThrowIfNull(design);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        Design = design;
        Channels = channels;
        _sections = design.Sections.ToArray();
        _state = new double[channels * _sections.Length * 2];
    }

    public SosDesign Design { get; }
    public int Channels { get; }

    /// <summary>Filters <paramref name="samples"/> of <paramref name="channel"/> in place.</summary>
    public void Process(int channel, Span<float> samples)
    {
        if ((uint)channel >= (uint)Channels)
            throw new ArgumentOutOfRangeException(nameof(channel), channel, $"filter has {Channels} channels");
        var st = _state.AsSpan(channel * _sections.Length * 2, _sections.Length * 2);
        for (int s = 0; s < _sections.Length; s++)
        {
            var q = _sections[s];
            double z1 = st[2 * s], z2 = st[2 * s + 1];
            for (int i = 0; i < samples.Length; i++)
            {
                double x = samples[i];
                double y = q.B0 * x + z1;
                z1 = q.B1 * x - q.A1 * y + z2;
                z2 = q.B2 * x - q.A2 * y;
                samples[i] = (float)y;
            }
            st[2 * s] = z1;
            st[2 * s + 1] = z2;
        }
    }

    /// <summary>Filters <paramref name="input"/> of <paramref name="channel"/> into <paramref name="output"/> (same length).</summary>
    public void Process(int channel, ReadOnlySpan<float> input, Span<float> output)
    {
        if (output.Length < input.Length)
            throw new ArgumentException($"output holds {output.Length} samples, input {input.Length}", nameof(output));
        input.CopyTo(output);
        Process(channel, output[..input.Length]);
    }

    /// <summary>
    /// Sets <paramref name="channel"/>'s state to the steady state for a constant input <paramref name="dc"/>,
    /// as if that value had always been applied: a stream that starts far from zero starts without a step transient.
    /// </summary>
    public void Prime(int channel, double dc)
    {
        if ((uint)channel >= (uint)Channels)
            throw new ArgumentOutOfRangeException(nameof(channel), channel, $"filter has {Channels} channels");
        var st = _state.AsSpan(channel * _sections.Length * 2, _sections.Length * 2);
        double x = dc;
        for (int s = 0; s < _sections.Length; s++)
        {
            var q = _sections[s];
            double y = x * (q.B0 + q.B1 + q.B2) / (1 + q.A1 + q.A2); // the section's DC gain
            st[2 * s + 1] = q.B2 * x - q.A2 * y;                     // z2 from z2 = b2·x − a2·y
            st[2 * s] = y - q.B0 * x;                                  // z1 from y = b0·x + z1
            x = y;
        }
    }

    /// <summary>Clears every channel's state (as at construction).</summary>
    public void Reset() => Array.Clear(_state);
}
