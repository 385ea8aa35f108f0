using EcgStream.Core.Leads;
using EcgStream.Core.Rhythms;
using EcgStream.Core.Samples;
using EcgStream.Signal.Preprocessing;
using EcgStream.Signal.Qrs;
using EcgStream.Signal.Quality;
using EcgStream.Signal.Rhythms;
using EcgStream.Signal.Windowing;

namespace EcgStream.Signal.Pipeline;

/// <summary>
/// A whole record played through a <see cref="SignalChain"/> (raw quality, preprocessing, noise quality, multi-lead
/// QRS detection with the same lead choice) in 1 s blocks: the preprocessed 250 Hz planes and the beats a stream would
/// detect, each with the sample at which it was detected. The chain's output does not depend on how its input is cut,
/// so these are exactly the stream's; <see cref="RecordWindows.Cut"/> takes both from this one pass when it needs beats
/// (training and <c>classify</c> turn them into the windows' rhythm features). Sample indices are 250 Hz output samples
/// from the record's start, the same indices as <see cref="RecordWindows.Start"/>.
/// </summary>
public static class RecordBeats
{
    /// <summary>
    /// The preprocessed planes (one per lead, in lead order), the detected beats, and the stretches no lead could be read
    /// in (quality epochs with every lead off, noisy or missing; 250 Hz output samples, start inclusive, end exclusive):
    /// beats found there are the detector's guesses in noise, which the stream's rules do not read either.
    /// </summary>
    public static (float[][] Planes, List<QrsBeat> Beats, List<(long Start, long End)> Unreadable) Run(IReadOnlyList<float[]> channels, double sampleRate, LeadSet leads, PreprocessorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Count != leads.Count) throw new ArgumentException($"{channels.Count} channels given for {leads.Count} leads ({leads})", nameof(channels));
        var chain = new SignalChain("record", sampleRate, leads,
            SignalChainOptions.Default with { EmitWindows = false, Preprocessing = options ?? PreprocessorOptions.Contract });
        var sink = new Collector(leads.Count);
        int length = channels.Count == 0 ? 0 : channels[0].Length;
        int blockSize = Math.Max(1, (int)Math.Round(sampleRate));
        var block = new float[blockSize * channels.Count];
        for (int start = 0; start < length; start += blockSize)
        {
            int n = Math.Min(blockSize, length - start);
            for (int c = 0; c < channels.Count; c++) channels[c].AsSpan(start, n).CopyTo(block.AsSpan(c * n, n));
            chain.Process(new SampleBlock("record", start, sampleRate, leads, n, block.AsMemory(0, n * channels.Count)), sink);
        }
        return ([.. sink.Planes.Select(p => p.ToArray())], sink.Beats, sink.Unreadable);
    }

    /// <summary>Only the beats of <see cref="Run"/>.</summary>
    public static List<QrsBeat> Detect(IReadOnlyList<float[]> channels, double sampleRate, LeadSet leads) => Run(channels, sampleRate, leads).Beats;

    private sealed class Collector(int planes) : ISignalChainSink
    {
        public List<float>[] Planes { get; } = [.. Enumerable.Range(0, planes).Select(_ => new List<float>())];
        public List<QrsBeat> Beats { get; } = [];
        public List<(long Start, long End)> Unreadable { get; } = [];
        public void OnBeat(in QrsBeat beat) => Beats.Add(beat);
        public void OnPreprocessed(in SampleBlock block)
        {
            for (int p = 0; p < Planes.Length; p++) Planes[p].AddRange(block.Plane(p));
        }
        public void OnQuality(in QualityEpoch epoch)
        {
            if (!(epoch.AllLeadsOff || epoch.AllNoisy || epoch.AllMissing)) return;
            if (Unreadable.Count > 0 && Unreadable[^1].End >= epoch.StartSample)
                Unreadable[^1] = (Unreadable[^1].Start, Math.Max(Unreadable[^1].End, epoch.EndSample));   // one stretch, not one per epoch
            else Unreadable.Add((epoch.StartSample, epoch.EndSample));
        }
        public void OnWindow(in EcgWindow window) { }
        public void OnScores(in WindowScores scores, double heartRateBpm, in AfFeatures af) { }
        public void OnAlarm(in RuleAlarm alarm) { }
    }
}
