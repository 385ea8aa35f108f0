using EcgStream.Core.Leads;
using EcgStream.Formats.Wfdb;

namespace EcgStream.Formats;

/// <summary>
/// A recording in memory, whatever file it came from: one array of physical samples per channel
/// (millivolts for voltage channels), all channels at <see cref="SampleRate"/> and of equal length.
/// </summary>
public sealed class Recording
{
    private readonly float[][] _samples = [];
    private readonly IReadOnlyList<SignalInfo> _signals = [];

    /// <summary>Record name (WFDB record name, file name without extension).</summary>
    public required string Name { get; init; }

    /// <summary>Samples per second per channel (WFDB fs). Positive and finite.</summary>
    public required double SampleRate
    {
        get;
        init => field = value > 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(SampleRate), value, "sample rate must be positive and finite");
    }

    /// <summary>Per-channel description, same order as <see cref="Samples"/>.</summary>
    public required IReadOnlyList<SignalInfo> Signals
    {
        get => _signals;
        init { _signals = value; CheckShape(); }
    }

    /// <summary>[channel][sample]; millivolts for voltage channels.</summary>
    public required float[][] Samples
    {
        get => _samples;
        init { _samples = value; CheckShape(); }
    }

    /// <summary>Annotations that came with the recording (e.g. an EDF+ annotation signal), sample-indexed.</summary>
    public IReadOnlyList<Annotation> Annotations { get; init; } = [];

    /// <summary>Free-text comments of the source header (WFDB '#' lines without the '#', EDF patient/recording fields).</summary>
    public IReadOnlyList<string> Comments { get; init; } = [];

    /// <summary>
    /// What the reader ignored to read this recording (a malformed optional header field), one line
    /// each naming the file, line and field. Empty for a clean file; callers log them.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Samples per channel.</summary>
    public int Length => _samples.Length == 0 ? 0 : _samples[0].Length;

    /// <summary>Duration in seconds.</summary>
    public double DurationSeconds => Length / SampleRate;

    /// <summary>The standard leads among the channels (by name, <see cref="Core.Leads.Leads.TryParse"/>); the first channel wins a duplicate.</summary>
    public LeadSet Leads
    {
        get
        {
            var set = LeadSet.None;
            foreach (var s in _signals)
                if (Core.Leads.Leads.TryParse(s.Name, out var lead)) set = set.With(lead);
            return set;
        }
    }

    /// <summary>Channel index of <paramref name="lead"/>, or -1 when no channel carries it.</summary>
    public int ChannelOf(Lead lead)
    {
        for (int i = 0; i < _signals.Count; i++)
            if (Core.Leads.Leads.TryParse(_signals[i].Name, out var l) && l == lead) return i;
        return -1;
    }

    /// <summary>Channel index of the signal named <paramref name="name"/> (ordinal, case-insensitive), or -1.</summary>
    public int ChannelOf(string name)
    {
        for (int i = 0; i < _signals.Count; i++)
            if (string.Equals(_signals[i].Name, name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    // Both init accessors call this; it can only judge once both are set.
    private void CheckShape()
    {
        if (_samples.Length == 0 || _signals.Count == 0) return;
        if (_samples.Length != _signals.Count)
            throw new ArgumentException($"{_samples.Length} sample arrays but {_signals.Count} signal descriptions");
        int n = _samples[0].Length;
        for (int c = 1; c < _samples.Length; c++)
            if (_samples[c].Length != n)
                throw new ArgumentException($"channel {c} has {_samples[c].Length} samples, channel 0 has {n}: channels must be of equal length");
    }
}
