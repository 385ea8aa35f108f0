using EcgStream.Core.Leads;

namespace EcgStream.Core.Samples;

/// <summary>
/// A block of consecutive multi-lead samples: the unit that flows between pipeline stages
/// (never single samples). Samples are in millivolts, stored lead-major ("planar"): plane p
/// (the p-th member of <see cref="Leads"/>) occupies <c>Samples[p*Length .. (p+1)*Length]</c>.
/// <para>
/// Ownership: the memory belongs to the producer and is valid only for the duration of the
/// <c>OnNext</c> call that delivers the block; producers reuse their buffers. A consumer that
/// needs the data later copies it. This is what keeps the hot path free of allocation.
/// </para>
/// </summary>
public readonly struct SampleBlock
{
    public SampleBlock(string streamId, long startSample, double sampleRate, LeadSet leads, int length,
        ReadOnlyMemory<float> samples, LeadSet leadOff = default, long sequence = -1, LeadSet unreadable = default)
    {
        if (sampleRate <= 0 || !double.IsFinite(sampleRate))
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "sample rate must be positive and finite");
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "length must be non-negative");
        if (samples.Length < leads.Count * length)
            throw new ArgumentException($"samples hold {samples.Length} values, {leads.Count} leads × {length} need {leads.Count * length}", nameof(samples));
        StreamId = streamId;
        StartSample = startSample;
        SampleRate = sampleRate;
        Leads = leads;
        Length = length;
        Samples = samples[..(leads.Count * length)];
        LeadOff = leadOff;
        Sequence = sequence;
        Unreadable = unreadable;
    }

    /// <summary>Bed or stream identifier (stable for the life of a stream).</summary>
    public string StreamId { get; }
    /// <summary>Index of the first sample since the stream began, at <see cref="SampleRate"/>. Gaps show as jumps.</summary>
    public long StartSample { get; }
    public double SampleRate { get; }
    public LeadSet Leads { get; }
    /// <summary>Samples per lead in this block.</summary>
    public int Length { get; }
    public ReadOnlyMemory<float> Samples { get; }
    /// <summary>Leads whose electrodes were reported off during this block.</summary>
    public LeadSet LeadOff { get; }
    /// <summary>Source frame sequence number, or -1 where the source has none.</summary>
    public long Sequence { get; }
    /// <summary>
    /// Leads whose samples in this block are not signal (a gap filled to keep filters settled): analysis
    /// must not read them, but they are not lead-off either (the electrodes were never reported off).
    /// </summary>
    public LeadSet Unreadable { get; }

    public long EndSample => StartSample + Length;
    public double StartSeconds => StartSample / SampleRate;
    public double EndSeconds => EndSample / SampleRate;

    /// <summary>The samples of the lead at plane <paramref name="plane"/>.</summary>
    public ReadOnlySpan<float> Plane(int plane) => Samples.Span.Slice(plane * Length, Length);

    /// <summary>The samples of <paramref name="lead"/>; empty if the block does not carry it.</summary>
    public ReadOnlySpan<float> Lead(Lead lead)
    {
        int p = Leads.IndexOf(lead);
        return p < 0 ? ReadOnlySpan<float>.Empty : Plane(p);
    }

    public override string ToString() =>
        $"{StreamId} [{StartSample}, {EndSample}) @ {SampleRate} Hz leads {Leads}";
}
