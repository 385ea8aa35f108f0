using EcgStream.Core.Leads;
using EcgStream.Core.Rhythms;
using EcgStream.Core.Samples;
using EcgStream.Signal.Pipeline;
using EcgStream.Signal.Qrs;
using EcgStream.Signal.Quality;
using EcgStream.Signal.Rhythms;

namespace EcgStream.Signal.Tests.Support;

/// <summary>Copies everything a <see cref="SignalChain"/> emits, for comparisons.</summary>
internal sealed class ChainCapture(bool keepSamples = false) : ISignalChainSink
{
    /// <summary>Preprocessed samples per plane (kept when keepSamples).</summary>
    public readonly List<List<float>> Preprocessed = new();
    public readonly List<QualityEpoch> Quality = new();
    public readonly List<QrsBeat> Beats = new();
    public readonly List<(long End, ushort Mask, float[] Data)> Windows = new();
    /// <summary>The rhythm features attached to each window (same order as <see cref="Windows"/>).</summary>
    public readonly List<float[]> WindowRhythm = new();
    public readonly List<(double Start, double End, float[] P, double Hr, AfFeatures Af)> Scores = new();
    public readonly List<RuleAlarm> Alarms = new();

    public void OnPreprocessed(in SampleBlock block)
    {
        if (!keepSamples) return;
        while (Preprocessed.Count < block.Leads.Count) Preprocessed.Add(new List<float>());
        for (int p = 0; p < block.Leads.Count; p++) Preprocessed[p].AddRange(block.Plane(p).ToArray());
    }
    public void OnQuality(in QualityEpoch epoch) => Quality.Add(epoch);
    public void OnBeat(in QrsBeat beat) => Beats.Add(beat);
    public void OnWindow(in EcgWindow window)
    {
        Windows.Add((window.EndSample, window.Leads.Mask, keepSamples ? window.Data.ToArray() : []));
        WindowRhythm.Add(window.Rhythm.ToArray());
    }
    public void OnScores(in WindowScores scores, double heartRateBpm, in AfFeatures af) =>
        Scores.Add((scores.StartSeconds, scores.EndSeconds, scores.Probabilities.ToArray(), heartRateBpm, af));
    public void OnAlarm(in RuleAlarm alarm) => Alarms.Add(alarm);

    /// <summary>Runs channels (plane order of <paramref name="leads"/>) through a new chain in blocks of the given sizes (cycled).</summary>
    public static (SignalChain Chain, ChainCapture Capture) Run(float[][] channels, double rate, LeadSet leads, IReadOnlyList<int> blockSizes,
        SignalChainOptions? options = null, bool keepSamples = false)
    {
        var chain = new SignalChain("test", rate, leads, options);
        var cap = new ChainCapture(keepSamples);
        int n = channels[0].Length, k = 0;
        var buf = new float[channels.Length * Math.Max(1, blockSizes.Max())];
        for (int s = 0; s < n;)
        {
            int len = Math.Min(blockSizes[k++ % blockSizes.Count], n - s);
            for (int c = 0; c < channels.Length; c++) channels[c].AsSpan(s, len).CopyTo(buf.AsSpan(c * len, len));
            chain.Process(new SampleBlock("test", s, rate, leads, len, buf.AsMemory(0, channels.Length * len)), cap);
            s += len;
        }
        return (chain, cap);
    }
}
