using System.CommandLine;
using EcgStream.Core.Leads;
using EcgStream.Runtime.Inference;
using EcgStream.Runtime.Pipeline;
using EcgStream.Signal.Pipeline;
using EcgStream.Signal.Preprocessing;

namespace EcgStream.Cli.Commands;

/// <summary>Options every command that runs a bed pipeline shares (replay, evaluate, demo, bench replay).</summary>
internal sealed class PipelineOptions
{
    private readonly Option<int?> _notch = new("--notch") { Description = "Mains notch at 50 or 60 Hz (default: none)." };
    private readonly Option<double> _hop = new("--hop") { Description = "Seconds between model windows.", DefaultValueFactory = _ => 1.0 };
    private readonly Option<string[]> _lead = new("--lead") { Description = "Map a signal to a lead, e.g. --lead ECG=I (repeatable).", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string?> _streamId = new("--stream-id") { Description = "Stream id in events (default: the record name)." };
    private readonly Option<double> _drop = new("--drop") { Description = "Fault injection: probability of dropping each block (a gap).", DefaultValueFactory = _ => 0.0 };

    public static PipelineOptions Create() => new();

    public void AddTo(Command cmd)
    {
        cmd.Options.Add(_notch);
        cmd.Options.Add(_hop);
        cmd.Options.Add(_lead);
        cmd.Options.Add(_streamId);
        cmd.Options.Add(_drop);
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
        var overrides = new Dictionary<string, Lead>(StringComparer.OrdinalIgnoreCase);
        foreach (var map in parse.GetValue(_lead) ?? [])
        {
            var parts = map.Split('=', 2);
            if (parts.Length != 2 || !Leads.TryParse(parts[1], out var lead))
                throw new ArgumentException($"--lead '{map}': expected SIGNAL=LEAD with LEAD one of I, II, III, aVR, aVL, aVF, V1..V6");
            overrides[parts[0]] = lead;
        }
        var signal = SignalChainOptions.Default with
        {
            Preprocessing = PreprocessorOptions.Contract with { Notch = notch },
            WindowHop = (int)Math.Round(hop * PreprocessorOptions.ContractSampleRate),
        };
        return new Settings(new BedOptions { Signal = signal }, overrides, parse.GetValue(_streamId), parse.GetValue(_drop));
    }

    internal sealed record Settings(BedOptions Bed, IReadOnlyDictionary<string, Lead> LeadOverrides, string? StreamId, double DropProbability)
    {
        /// <summary>The model stage for this run (none: the rules alone).</summary>
        public ModelSetup BuildModel() => new(null);
    }

    internal sealed class ModelSetup(InferenceScheduler? scheduler) : IDisposable
    {
        public InferenceScheduler? Scheduler { get; } = scheduler;
        public void Dispose() => Scheduler?.Dispose();
    }
}
