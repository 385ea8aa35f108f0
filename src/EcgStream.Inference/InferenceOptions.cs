using Microsoft.Extensions.Logging;

namespace EcgStream.Inference;

/// <summary>How a session is created: library, threads, optimisation, execution providers, logging.</summary>
public sealed record InferenceOptions
{
    public OrtLibraryOptions Library { get; init; } = new();

    /// <summary>Threads inside one operator; 0 lets ORT choose (one per core).</summary>
    public int IntraOpThreads { get; init; } = 1;
    /// <summary>Threads across independent operators (parallel execution mode only); 0 lets ORT choose.</summary>
    public int InterOpThreads { get; init; } = 1;
    public GraphOptimization Optimization { get; init; } = GraphOptimization.All;
    /// <summary>Where ORT writes the optimised model (a cache to inspect or load later); null for none.</summary>
    public string? OptimizedModelPath { get; init; }

    /// <summary>
    /// Providers to try, in order; CPU is appended when absent, as ORT always has it. Default: CPU in
    /// the CPU build, <see cref="GpuFirst"/> in the GPU build (-p:OrtPackage=Gpu), which on a machine
    /// without CUDA falls back to CPU and says why in one line.
    /// </summary>
    public IReadOnlyList<ExecutionProvider> Providers { get; init; } = OrtLibrary.BuildPackage == "Gpu" ? GpuFirst : [ExecutionProvider.Cpu];
    public int DeviceId { get; init; }
    public bool TensorRtFp16 { get; init; } = true;
    /// <summary>TensorRT's int8 mode: needed for a QDQ-quantised model to run its int8 layers in int8.</summary>
    public bool TensorRtInt8 { get; init; }
    /// <summary>Directory for TensorRT's engine cache (building an engine takes minutes on a Jetson); null disables the cache.</summary>
    public string? TensorRtEngineCachePath { get; init; }

    public ILoggerFactory? LoggerFactory { get; init; }
    /// <summary>Lowest severity of ORT's own messages forwarded to the logger.</summary>
    public LogLevel OrtLogLevel { get; init; } = LogLevel.Warning;

    /// <summary>For <see cref="Contract.RhythmModel"/>: the largest batch its buffers hold.</summary>
    public int MaxBatch { get; init; } = 32;

    /// <summary>TensorRT → CUDA → CPU: the chain for a machine whose GPU build of ORT is unknown.</summary>
    public static IReadOnlyList<ExecutionProvider> GpuFirst { get; } = [ExecutionProvider.TensorRt, ExecutionProvider.Cuda, ExecutionProvider.Cpu];
}
