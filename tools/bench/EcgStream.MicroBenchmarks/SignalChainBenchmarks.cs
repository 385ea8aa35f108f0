using BenchmarkDotNet.Attributes;
using EcgStream.Core.Leads;
using EcgStream.Core.Rhythms;
using EcgStream.Core.Samples;
using EcgStream.Signal.Pipeline;
using EcgStream.Signal.Qrs;
using EcgStream.Signal.Quality;
using EcgStream.Signal.Rhythms;
using EcgStream.Synthetic;

namespace EcgStream.MicroBenchmarks;

/// <summary>
/// One second of input through one stream's whole signal path (resample → band-pass → quality →
/// QRS → rules → window ring): the per-bed CPU cost of the runtime without a model.
/// </summary>
[MemoryDiagnoser]
public class SignalChainBenchmarks : ISignalChainSink
{
    [Params(1, 2, 12)] public int LeadCount;
    [Params(250, 500)] public int SampleRate;

    private SignalChain _chain = null!;
    private float[] _samples = null!;
    private LeadSet _leads;
    private long _position;
    private int _length;

    [GlobalSetup]
    public void Setup()
    {
        _leads = LeadCount switch { 1 => LeadSet.Of(Lead.II), 2 => LeadSet.Of(Lead.I, Lead.II), _ => LeadSet.All };
        var sim = Simulator.Run(new Scenario
        {
            Seed = 3, SampleRate = SampleRate, Leads = _leads, Noise = new NoiseSpec { Snr = 24 },
            Segments = [new ScenarioSegment("SR", 60), new ScenarioSegment("AF", 60)],
        });
        _length = sim.Recording.Length;
        _samples = new float[_leads.Count * _length];
        for (int p = 0; p < _leads.Count; p++) sim.Recording.Samples[sim.Recording.ChannelOf(_leads[p])].CopyTo(_samples, p * _length);
        _chain = new SignalChain("bench", SampleRate, _leads);
        _block = new float[_leads.Count * SampleRate];
    }

    private float[] _block = null!;

    /// <summary>Processes the next second of the record (wrapping around, stream time keeps increasing).</summary>
    [Benchmark]
    public void OneSecond()
    {
        int n = SampleRate;
        int at = (int)(_position % (_length - n));
        for (int p = 0; p < _leads.Count; p++) Array.Copy(_samples, p * _length + at, _block, p * n, n);
        var block = new SampleBlock("bench", _position, SampleRate, _leads, n, _block);
        _chain.Process(in block, this);
        _position += n;
    }

    public void OnPreprocessed(in SampleBlock block) { }
    public void OnQuality(in QualityEpoch epoch) { }
    public void OnBeat(in QrsBeat beat) { }
    public void OnWindow(in EcgWindow window) { }
    public void OnScores(in WindowScores scores, double heartRateBpm, in AfFeatures af) { }
    public void OnAlarm(in RuleAlarm alarm) { }
}
