using System.CommandLine;
using EcgStream.Core.Leads;
using EcgStream.Core.Rhythms;
using EcgStream.Inference;
using EcgStream.Runtime.Inference;
using EcgStream.Runtime.Pipeline;
using EcgStream.Signal.Pipeline;
using EcgStream.Signal.Preprocessing;

namespace EcgStream.Cli.Commands;

/// <summary>
/// Options every command that runs a bed pipeline shares (replay, evaluate, benchmark, bench replay, bench beds). The stream's
/// own options, --stream-id and --drop, only replay offers: the others name their streams themselves and measure the
/// pipeline on the whole record, so they would ignore them (and an option a command ignores must not be accepted).
/// </summary>
internal sealed class PipelineOptions
{
    private readonly bool _streamOptions;

    private readonly Option<int?> _notch = new("--notch") { Description = "Mains notch at 50 or 60 Hz (default: none)." };
    private readonly Option<double> _hop = new("--hop") { Description = "Seconds between model windows.", DefaultValueFactory = _ => 1.0 };
    private readonly Option<string[]> _lead = new("--lead") { Description = "Map a signal to a lead, e.g. --lead ECG=I (repeatable).", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string?> _streamId = new("--stream-id") { Description = "Stream id in events (default: the record name)." };
    private readonly Option<double> _drop = new("--drop") { Description = "Fault injection: probability of dropping each block (a gap).", DefaultValueFactory = _ => 0.0 };
    private readonly Option<double?> _minOnset = new("--min-onset") { Description = "Seconds a rhythm's evidence must persist before its onset is reported (rules and model; default: the tracker's per-source defaults)." };
    private readonly Option<double?> _minOffset = new("--min-offset") { Description = "Seconds of contrary evidence before an episode's offset is reported." };
    private readonly Option<double?> _confident = new("--fusion-model-confident") { Description = "Fused source: model evidence (0.5 = its threshold) at which the model alone carries AF if the rules are not against it (default: FusionOptions)." };
    private readonly Option<double?> _ruleConfident = new("--fusion-rule-confident") { Description = "Fused source: rule evidence at which the rules alone carry AF if the model is not against it (default: never)." };
    private readonly Option<double?> _notAgainst = new("--fusion-not-against") { Description = "Fused source: evidence at or above which a source does not veto the other's confident AF (default: FusionOptions)." };
    private readonly Option<double?> _afOnsetEvidence = new("--fusion-af-onset-evidence") { Description = "Fused source: AF evidence above 0.5, summed over the run's seconds, that an AF onset needs besides its minimum time (0: time alone; default: BedOptions.FusedTracker)." };
    private readonly Option<double?> _hold = new("--fusion-hold") { Description = "Fused source: seconds over which the model's highest evidence is held for pairing with the rules, which lag it at AF onsets (0–10)." };
    private readonly Option<string?> _model = new("--model") { Description = $"ONNX model (contract v1 or v2) to run beside the rules ('none': rules only). Default: {BundledModel.FileName} beside the tool, when present." };
    private readonly Option<string> _provider = new("--provider") { Description = "Execution provider to try first: tensorrt, cuda or cpu (falls back to CPU).", DefaultValueFactory = _ => "cpu" };
    private readonly Option<int> _threads = new("--threads") { Description = "ONNX Runtime intra-op threads.", DefaultValueFactory = _ => 1 };
    private readonly Option<string?> _ortLibrary = new("--ort-library") { Description = OrtLibraryOption.Description };
    private readonly Option<int> _maxBatch = new("--max-batch") { Description = "Most windows per model run.", DefaultValueFactory = _ => 32 };

    private PipelineOptions(bool streamOptions) => _streamOptions = streamOptions;

    /// <summary>The pipeline's options without --stream-id and --drop.</summary>
    public static PipelineOptions Create() => new(streamOptions: false);

    /// <summary>With --stream-id and --drop, for the command that plays one stream as given (replay).</summary>
    public static PipelineOptions CreateWithStreamOptions() => new(streamOptions: true);

    public void AddTo(Command cmd)
    {
        cmd.Options.Add(_notch);
        cmd.Options.Add(_hop);
        cmd.Options.Add(_lead);
        if (_streamOptions)
        {
            cmd.Options.Add(_streamId);
            cmd.Options.Add(_drop);
        }
        cmd.Options.Add(_minOnset);
        cmd.Options.Add(_minOffset);
        cmd.Options.Add(_confident);
        cmd.Options.Add(_ruleConfident);
        cmd.Options.Add(_notAgainst);
        cmd.Options.Add(_hold);
        cmd.Options.Add(_afOnsetEvidence);
        cmd.Options.Add(_model);
        cmd.Options.Add(_provider);
        cmd.Options.Add(_threads);
        cmd.Options.Add(_ortLibrary);
        cmd.Options.Add(_maxBatch);
    }

    public Settings Read(ParseResult parse)
    {
        var notch = parse.GetValue(_notch) switch
        {
            null => MainsNotch.None,
            50 => MainsNotch.Hz50,
            60 => MainsNotch.Hz60,
            var other => throw new ArgumentException($"--notch {other}: expected 50 or 60"),
        };
        double hop = parse.GetValue(_hop);
        if (!(hop >= 0.04 && hop <= 9)) throw new ArgumentException($"--hop {hop}: expected seconds between 0.04 and 9");
        var overrides = ParseLeadOverrides(parse.GetValue(_lead));
        var signal = SignalChainOptions.Default with
        {
            Preprocessing = PreprocessorOptions.Contract with { Notch = notch },
            WindowHop = (int)Math.Round(hop * PreprocessorOptions.ContractSampleRate),
        };
        var providers = parse.GetValue(_provider)!.ToLowerInvariant() switch
        {
            "cpu" => new[] { ExecutionProvider.Cpu },
            "cuda" => [ExecutionProvider.Cuda, ExecutionProvider.Cpu],
            "tensorrt" or "trt" => [ExecutionProvider.TensorRt, ExecutionProvider.Cuda, ExecutionProvider.Cpu],
            var other => throw new ArgumentException($"--provider '{other}': expected tensorrt, cuda or cpu"),
        };
        int threads = CliLimits.Threads(parse.GetValue(_threads)), maxBatch = CliLimits.Batch(parse.GetValue(_maxBatch), "--max-batch");
        string? model = BundledModel.Resolve(parse.GetValue(_model));
        var inference = new InferenceOptions { Providers = providers, IntraOpThreads = threads, MaxBatch = maxBatch, Library = OrtLibraryOption.Read(parse.GetValue(_ortLibrary)) };
        var bed = new BedOptions { Signal = signal };
        if (parse.GetValue(_minOnset) is { } on)
        {
            if (!(on is >= 0 and <= 600)) throw new ArgumentException($"--min-onset {on}: expected seconds between 0 and 600");
            bed = bed with
            {
                RuleTracker = bed.RuleTracker with { MinOnsetSeconds = on }, ModelTracker = bed.ModelTracker with { MinOnsetSeconds = on },
                FusedTracker = bed.FusedTracker with { MinOnsetSeconds = on },
            };
        }
        if (parse.GetValue(_minOffset) is { } off)
        {
            if (!(off is >= 0 and <= 600)) throw new ArgumentException($"--min-offset {off}: expected seconds between 0 and 600");
            bed = bed with
            {
                RuleTracker = bed.RuleTracker with { MinOffsetSeconds = off }, ModelTracker = bed.ModelTracker with { MinOffsetSeconds = off },
                FusedTracker = bed.FusedTracker with { MinOffsetSeconds = off },
            };
        }
        if (parse.GetValue(_confident) is { } confident)
        {
            if (!(confident is > 0.5 and <= 1)) throw new ArgumentException($"--fusion-model-confident {confident}: expected evidence above 0.5, at most 1");
            bed = bed with { Fusion = bed.Fusion with { ModelConfidentEvidence = confident } };
        }
        if (parse.GetValue(_ruleConfident) is { } ruleConfident)
        {
            if (!(ruleConfident is > 0.5 and <= 1)) throw new ArgumentException($"--fusion-rule-confident {ruleConfident}: expected evidence above 0.5, at most 1");
            bed = bed with { Fusion = bed.Fusion with { RuleConfidentEvidence = ruleConfident } };
        }
        if (parse.GetValue(_hold) is { } hold)
        {
            if (!(hold >= 0 && hold <= bed.Fusion.ModelMaxAgeSeconds)) throw new ArgumentException($"--fusion-hold {hold}: expected seconds from 0 to {bed.Fusion.ModelMaxAgeSeconds}");
            bed = bed with { Fusion = bed.Fusion with { ModelHoldSeconds = hold } };
        }
        if (parse.GetValue(_notAgainst) is { } notAgainst)
        {
            if (!(notAgainst is >= 0 and < 0.5)) throw new ArgumentException($"--fusion-not-against {notAgainst}: expected evidence from 0 up to (not including) 0.5");
            bed = bed with { Fusion = bed.Fusion with { NotAgainstEvidence = notAgainst } };
        }
        if (parse.GetValue(_afOnsetEvidence) is { } afOnset)
        {
            if (!(afOnset is >= 0 and <= 60)) throw new ArgumentException($"--fusion-af-onset-evidence {afOnset}: expected evidence-seconds from 0 to 60");
            bed = bed with { FusedTracker = bed.FusedTracker.WithMinOnsetEvidence(RhythmClass.AF, afOnset) };
        }
        string? streamId = null;
        double drop = 0;
        if (_streamOptions)
        {
            streamId = parse.GetValue(_streamId);
            if (streamId is { Length: 0 }) throw new ArgumentException("--stream-id '': expected a non-empty id");
            drop = parse.GetValue(_drop);
            // written as a negated range so NaN fails it too
            if (!(drop >= 0 && drop < 1)) throw new ArgumentException($"--drop {drop.ToString(System.Globalization.CultureInfo.InvariantCulture)}: expected a probability from 0 up to (not including) 1");
        }
        return new Settings(bed, overrides, streamId, drop, model, inference);
    }

    /// <summary>The <c>--lead SIGNAL=LEAD</c> mappings (signal names case-insensitive), as <see cref="EcgStream.Ingest.Replay.RecordingLeads"/> takes them.</summary>
    internal static Dictionary<string, Lead> ParseLeadOverrides(IEnumerable<string>? maps)
    {
        var overrides = new Dictionary<string, Lead>(StringComparer.OrdinalIgnoreCase);
        foreach (var map in maps ?? [])
        {
            var parts = map.Split('=', 2);
            if (parts.Length != 2 || parts[0].Length == 0 || !Leads.TryParse(parts[1], out var lead))
                throw new ArgumentException($"--lead '{map}': expected SIGNAL=LEAD with a signal name and LEAD one of I, II, III, aVR, aVL, aVF, V1..V6");
            overrides[parts[0]] = lead;
        }
        return overrides;
    }

    internal sealed record Settings(
        BedOptions Bed, IReadOnlyDictionary<string, Lead> LeadOverrides, string? StreamId, double DropProbability,
        string? ModelPath, InferenceOptions Inference)
    {
        /// <summary>The model stage for this run (none: the rules alone). Replay waits for the model rather than dropping windows.</summary>
        public ModelSetup BuildModel(QueueFullPolicy policy = QueueFullPolicy.Wait)
        {
            if (ModelPath is null) return new ModelSetup(null);
            var classifier = EcgStream.Inference.Contract.RhythmModel.Load(ModelPath, Inference);
            if (classifier.Session.Providers.FellBack) Console.Error.WriteLine($"note: {classifier.Session.Providers.Summary}");
            return new ModelSetup(new InferenceScheduler(classifier, new SchedulerOptions { Policy = policy }), classifier);
        }
    }

    internal sealed class ModelSetup(InferenceScheduler? scheduler, EcgStream.Core.Models.IWindowClassifier? classifier = null) : IDisposable
    {
        public InferenceScheduler? Scheduler { get; } = scheduler;
        public void Dispose()
        {
            Scheduler?.Dispose();
            classifier?.Dispose();
        }
    }
}
