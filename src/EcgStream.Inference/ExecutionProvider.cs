namespace EcgStream.Inference;

/// <summary>Execution providers the session builder knows how to request, best first.</summary>
public enum ExecutionProvider
{
    /// <summary>NVIDIA TensorRT (Jetson, datacentre GPUs): optional fp16 and an engine cache.</summary>
    TensorRt,
    /// <summary>NVIDIA CUDA.</summary>
    Cuda,
    /// <summary>ONNX Runtime's CPU kernels: always present, always the last resort.</summary>
    Cpu,
}

/// <summary>ORT's graph optimisation levels (<c>GraphOptimizationLevel</c>).</summary>
public enum GraphOptimization
{
    Disabled = 0,
    Basic = 1,
    Extended = 2,
    All = 99,
}
