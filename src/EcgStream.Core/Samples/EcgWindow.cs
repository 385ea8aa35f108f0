using EcgStream.Core.Leads;

namespace EcgStream.Core.Samples;

/// <summary>
/// One model input window in contract-v1 layout: <c>Data</c> is float32 [12, <see cref="Length"/>]
/// lead-major in <see cref="Lead"/> order at 250 Hz, already preprocessed (band-passed,
/// standardised over the present leads); absent leads are zero and absent from <see cref="Leads"/>.
/// Same ownership rule as <see cref="SampleBlock"/>: valid only during the call that delivers it.
/// </summary>
public readonly struct EcgWindow
{
    public EcgWindow(string streamId, long endSample, double sampleRate, int length, LeadSet leads, ReadOnlyMemory<float> data,
        ReadOnlyMemory<float> rhythm = default)
    {
        if (data.Length != Core.Leads.Leads.Count * length)
            throw new ArgumentException($"window data holds {data.Length} values, 12 × {length} expected", nameof(data));
        StreamId = streamId;
        EndSample = endSample;
        SampleRate = sampleRate;
        Length = length;
        Leads = leads;
        Data = data;
        Rhythm = rhythm;
    }

    public string StreamId { get; }
    /// <summary>Stream sample index (at <see cref="SampleRate"/>) one past the window's last sample.</summary>
    public long EndSample { get; }
    public double SampleRate { get; }
    /// <summary>Samples per lead (2250 in contract v1).</summary>
    public int Length { get; }
    /// <summary>Leads present (lead mask 1); the others are zero.</summary>
    public LeadSet Leads { get; }
    public ReadOnlyMemory<float> Data { get; }
    /// <summary>
    /// The rhythm path's input for contract-v2 models: RR-interval features of the stream's last 60 s of beats at the
    /// window's end (EcgStream.Signal's RhythmFeatures); empty when the producer computes none.
    /// </summary>
    public ReadOnlyMemory<float> Rhythm { get; }

    /// <summary>The same window with <paramref name="rhythm"/> attached.</summary>
    public EcgWindow WithRhythm(ReadOnlyMemory<float> rhythm) => new(StreamId, EndSample, SampleRate, Length, Leads, Data, rhythm);

    public long StartSample => EndSample - Length;
    public double EndSeconds => EndSample / SampleRate;
    public double StartSeconds => StartSample / SampleRate;
    public ReadOnlySpan<float> LeadSamples(Lead lead) => Data.Span.Slice((int)lead * Length, Length);
}
