namespace EcgStream.Formats.Wfdb;

/// <summary>
/// Where demultiplexed samples go. Implemented by structs so that the reader's loops are
/// specialised per target by the JIT (no interface calls per sample).
/// </summary>
internal interface ISampleTarget
{
    /// <summary>Writes samples[start + k × stride] to channel c at positions outOffset + k, k &lt; count.</summary>
    void Strided(int c, ReadOnlySpan<int> samples, int start, int stride, int count, int outOffset);
    /// <summary>Writes count copies of a digital value (WFDB's invalid marker) to channel c from outOffset.</summary>
    void Fill(int c, int outOffset, int count, int value);
}

/// <summary>Raw ADC values.</summary>
internal readonly struct DigitalTarget(int[][] result) : ISampleTarget
{
    public void Strided(int c, ReadOnlySpan<int> samples, int start, int stride, int count, int outOffset)
    {
        var dst = result[c].AsSpan(outOffset, count);
        if (stride == 1) { samples.Slice(start, count).CopyTo(dst); return; }
        for (int i = 0, s = start; i < dst.Length; i++, s += stride) dst[i] = samples[s];
    }

    public void Fill(int c, int outOffset, int count, int value) => result[c].AsSpan(outOffset, count).Fill(value);
}

/// <summary>
/// Physical values, (d − baseline) × scale, with WFDB's invalid marker as NaN. For one sample per
/// frame only (several per frame go through <see cref="DigitalTarget"/> and are averaged).
/// </summary>
internal readonly struct PhysicalTarget(float[][] result, double[] scale, int[] baseline, int[] invalid) : ISampleTarget
{
    public void Strided(int c, ReadOnlySpan<int> samples, int start, int stride, int count, int outOffset)
    {
        var dst = result[c].AsSpan(outOffset, count);
        double g = scale[c];
        int b = baseline[c], bad = invalid[c];
        for (int i = 0, s = start; i < dst.Length; i++, s += stride)
        {
            int d = samples[s];
            dst[i] = d == bad ? float.NaN : (float)(((long)d - b) * g);   // long: a baseline near int's limits must not wrap
        }
    }

    public void Fill(int c, int outOffset, int count, int value) => result[c].AsSpan(outOffset, count).Fill(float.NaN);
}
