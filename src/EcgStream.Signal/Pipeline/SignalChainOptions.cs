using EcgStream.Signal.Preprocessing;
using EcgStream.Signal.Quality;
using EcgStream.Signal.Rhythms;

namespace EcgStream.Signal.Pipeline;

/// <summary>Settings of a <see cref="SignalChain"/>.</summary>
public sealed record SignalChainOptions
{
    public static SignalChainOptions Default { get; } = new();

    public PreprocessorOptions Preprocessing { get; init; } = PreprocessorOptions.Contract;
    public QualityOptions Quality { get; init; } = QualityOptions.Default;
    public RuleOptions Rules { get; init; } = RuleOptions.Default;
    /// <summary>Window length in 250 Hz samples (contract v1: 2250 = 9 s).</summary>
    public int WindowLength { get; init; } = 2250;
    /// <summary>Samples between windows (250 = 1 s).</summary>
    public int WindowHop { get; init; } = 250;
    /// <summary>Cut model windows at all (off when only the rules run).</summary>
    public bool EmitWindows { get; init; } = true;
}
