using EcgStream.Core.Leads;
using EcgStream.Core.Rhythms;
using EcgStream.Core.Samples;
using EcgStream.Synthetic.Engine;

namespace EcgStream.Synthetic;

/// <summary>
/// A synthetic ECG read block by block: a scenario's timeline (finite, or looped), or an endless
/// random one (<see cref="ScenarioLibrary"/>'s priors) for a simulated bed or a training stream.
/// Deterministic: the samples depend on the scenario only, not on how reads are sized. Ground truth
/// grows as the stream is generated. Not thread-safe; one reader.
/// </summary>
public sealed class SyntheticEcgStream
{
    private readonly EcgEngine _engine;
    private float[]? _blockBuffer;

    /// <summary>A stream over <paramref name="scenario"/>; it ends with the scenario unless <paramref name="loop"/>.</summary>
    public SyntheticEcgStream(Scenario scenario, bool loop = false)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        scenario.Validate();
        Scenario = scenario;
        SampleRate = scenario.SampleRate;
        Leads = scenario.Leads;
        _engine = new EcgEngine(scenario.Seed, scenario.PatientSeed ?? scenario.Seed, SampleRate, Leads, scenario.Noise,
            new ListSegmentSource(scenario.Segments, loop));
        Finite = !loop;
    }

    /// <summary>An endless stream of random rhythm segments (one synthetic patient per seed), with noise.</summary>
    /// <param name="nstdbDirectory">Folder of the NSTDB noise records; when given, real noise joins the mix.</param>
    /// <param name="noise">The noise to use instead of the seed's random mix (<see cref="ScenarioLibrary.RandomNoise"/>).</param>
    public SyntheticEcgStream(int seed, double sampleRate = 500, LeadSet? leads = null, string? nstdbDirectory = null, NoiseSpec? noise = null)
    {
        if (!(sampleRate >= 100 && sampleRate <= 10000))
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "sample rate must be within 100–10000 Hz");
        SampleRate = sampleRate;
        Leads = leads ?? LeadSet.All;
        if (Leads.IsEmpty) throw new ArgumentException("lead set is empty", nameof(leads));
        noise ??= ScenarioLibrary.RandomNoise(seed, nstdbDirectory);
        ScenarioValidator.Validate(new Scenario { Seed = seed, SampleRate = sampleRate, Leads = Leads, Noise = noise, Segments = [new("SR", 1)] }, source: null);
        _engine = new EcgEngine(seed, seed, sampleRate, Leads, noise, new RandomSegmentSource(seed));
    }

    /// <summary>The scenario, for scenario streams; null for endless random streams.</summary>
    public Scenario? Scenario { get; }
    public double SampleRate { get; }
    public LeadSet Leads { get; }
    public bool Finite { get; }

    /// <summary>Samples per lead produced so far.</summary>
    public long Position => _engine.Position;
    public double PositionSeconds => _engine.Position / SampleRate;

    /// <summary>Samples per lead of a finite stream; null for endless ones.</summary>
    public long? TotalSamples => Finite ? _engine.SampleAt(Scenario!.DurationSeconds) : null;

    /// <summary>Leads whose electrode was off during the samples of the last <see cref="Read"/> (a read never spans a change).</summary>
    public LeadSet LastLeadOff { get; private set; }

    /// <summary>
    /// Truth episodes generated so far (rhythm class names of <see cref="RhythmClasses"/>, or PAUSE,
    /// ASYSTOLE, LEAD_OFF), in order of creation. An episode appears once the generator has scheduled
    /// its start (at most one internal chunk of 1024 samples plus 0.6 s ahead of <see cref="Position"/>);
    /// while its rhythm goes on, its end is the end as far as the timeline is known and may still move later.
    /// </summary>
    public IReadOnlyList<Episode> Episodes => _engine.Truth.Episodes;

    /// <summary>Annotated beat positions (samples) and MIT-BIH beat codes ('N', 'A', 'V', '/', 'S'), in time order; scheduled as far ahead of <see cref="Position"/> as <see cref="Episodes"/>.</summary>
    public IReadOnlyList<long> BeatSamples => _engine.Truth.BeatSamples;
    public IReadOnlyList<char> BeatCodes => _engine.Truth.BeatCodes;

    /// <summary>
    /// Bit (1 &lt;&lt; (int)class) set for each rhythm class whose truth episodes overlap
    /// [start, end) seconds by more than <paramref name="minOverlapSeconds"/>: the multi-label
    /// target of a window (e.g. 1 s, so that a rhythm starting in the window's last samples does
    /// not yet label it).
    /// </summary>
    public int ClassMask(double startSeconds, double endSeconds, double minOverlapSeconds = 0) =>
        _engine.Truth.ClassMask(startSeconds, endSeconds, minOverlapSeconds);

    /// <summary>
    /// Writes up to <paramref name="maxSamples"/> samples per lead (mV), planar: lead plane p (the
    /// p-th member of <see cref="Leads"/>) at <c>planarOut[p*n .. (p+1)*n]</c> where n is the return
    /// value. Returns 0 at the end of a finite stream. A read stops early where the lead-off state
    /// changes, so <see cref="LastLeadOff"/> holds for all n samples. Allocates nothing.
    /// </summary>
    public int Read(Span<float> planarOut, int maxSamples)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSamples);
        if (planarOut.Length < (long)Leads.Count * maxSamples)
            throw new ArgumentException($"planarOut holds {planarOut.Length} values, {Leads.Count} leads × {maxSamples} samples need {(long)Leads.Count * maxSamples}", nameof(planarOut));
        int n = _engine.NextRun(maxSamples, out var leadOff, out bool rail);
        if (n == 0)
        {
            LastLeadOff = LeadSet.None;
            _engine.FinishTruth();
            return 0;
        }
        _engine.Render(planarOut, n, n, leadOff, rail);
        LastLeadOff = leadOff;
        if (Finite && _engine.Position >= TotalSamples) _engine.FinishTruth();
        return n;
    }

    /// <summary>
    /// The next block as a <see cref="SampleBlock"/> over an internal buffer that the next call
    /// reuses (the pipeline's ownership rule). Length 0 at the end of a finite stream.
    /// </summary>
    public SampleBlock ReadBlock(string streamId, int maxSamples)
    {
        int need = Leads.Count * maxSamples;
        if (_blockBuffer is null || _blockBuffer.Length < need) _blockBuffer = new float[need];
        long start = Position;
        int n = Read(_blockBuffer, maxSamples);
        return new SampleBlock(streamId, start, SampleRate, Leads, n, _blockBuffer.AsMemory(0, Leads.Count * n), LastLeadOff);
    }
}
