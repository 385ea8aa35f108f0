using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;

namespace EcgStream.Inference;

/// <summary>
/// The one place that turns <see cref="InferenceOptions"/> into ORT <see cref="SessionOptions"/>:
/// log id and level, threads, graph optimisation, optimised-model path, and the execution-provider
/// chain. A provider the library was not built with is skipped without asking ORT; one that fails to
/// register is skipped with ORT's reason, made readable (<see cref="Explain"/>). The chain never
/// fails: ORT's CPU kernels are always there.
/// </summary>
internal static partial class SessionSetup
{
    public static (SessionOptions Options, ProviderReport Report) Build(OrtLibrary library, InferenceOptions options, string logId)
    {
        var so = new SessionOptions();
        try
        {
            so.LogId = logId;
            so.LogSeverityLevel = OrtLogging.ToOrt(options.OrtLogLevel);
            so.IntraOpNumThreads = options.IntraOpThreads;
            so.InterOpNumThreads = options.InterOpThreads;
            so.ExecutionMode = ExecutionMode.ORT_SEQUENTIAL;
            so.GraphOptimizationLevel = (GraphOptimizationLevel)(int)options.Optimization;
            if (options.OptimizedModelPath is { } optimized)
            {
                var full = Path.GetFullPath(optimized);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                so.OptimizedModelFilePath = full;
            }

            var attempts = new List<ProviderAttempt>();
            var chain = options.Providers.Contains(ExecutionProvider.Cpu) ? options.Providers : [.. options.Providers, ExecutionProvider.Cpu];
            foreach (var provider in chain.Distinct())
            {
                var error = provider == ExecutionProvider.Cpu ? null : TryAppend(so, library, provider, options);
                attempts.Add(new ProviderAttempt(provider, error is null, error));
                if (provider == ExecutionProvider.Cpu) break;   // ORT registers its CPU provider last on its own
            }
            return (so, new ProviderReport(attempts, library.AvailableProviders));
        }
        catch
        {
            so.Dispose();
            throw;
        }
    }

    /// <summary>ORT's name for a provider in <see cref="OrtLibrary.AvailableProviders"/>.</summary>
    internal static string OrtName(ExecutionProvider p) => p switch
    {
        ExecutionProvider.TensorRt => "TensorrtExecutionProvider",
        ExecutionProvider.Cuda => "CUDAExecutionProvider",
        _ => "CPUExecutionProvider",
    };

    private static string? TryAppend(SessionOptions so, OrtLibrary library, ExecutionProvider provider, InferenceOptions options)
    {
        if (!library.AvailableProviders.Contains(OrtName(provider)))
            return NotBuiltIn(provider, library);
        var device = options.DeviceId.ToString(CultureInfo.InvariantCulture);
        OnnxRuntimeException? refused = null;
        var ortLog = OrtLogging.Capture(() =>
        {
            try { Append(so, provider, options, device); }
            catch (OnnxRuntimeException e) { refused = e; }
        });
        return refused is null ? null : Explain(provider, OrtException.Parse(refused.Message).Message, ortLog);
    }

    private static void Append(SessionOptions so, ExecutionProvider provider, InferenceOptions options, string device)
    {
        if (provider == ExecutionProvider.TensorRt)
        {
            var settings = new Dictionary<string, string>
            {
                ["device_id"] = device,
                ["trt_fp16_enable"] = options.TensorRtFp16 ? "1" : "0",
                // A QDQ (int8) model needs TensorRT's int8 mode to keep its quantised layers.
                ["trt_int8_enable"] = options.TensorRtInt8 ? "1" : "0",
            };
            if (options.TensorRtEngineCachePath is { } cache)
            {
                var full = Path.GetFullPath(cache);
                Directory.CreateDirectory(full);
                settings["trt_engine_cache_enable"] = "1";
                settings["trt_engine_cache_path"] = full;
            }
            using var trt = new OrtTensorRTProviderOptions();
            trt.UpdateOptions(settings);
            so.AppendExecutionProvider_Tensorrt(trt);
        }
        else
        {
            using var cuda = new OrtCUDAProviderOptions();
            cuda.UpdateOptions(new Dictionary<string, string> { ["device_id"] = device });
            so.AppendExecutionProvider_CUDA(cuda);
        }
    }

    /// <summary>Why a provider is absent from the library: which package this is and how to get the GPU one.</summary>
    internal static string NotBuiltIn(ExecutionProvider provider, OrtLibrary library) =>
        library.Place.StartsWith("the Microsoft.ML.OnnxRuntime package", StringComparison.Ordinal)
            ? $"not in this ONNX Runtime build: Microsoft.ML.OnnxRuntime is the CPU package; build with -p:OrtPackage=Gpu for CUDA and TensorRT"
            : $"not in the ONNX Runtime library at {library.Path} (it lists {string.Join(", ", library.AvailableProviders)})";

    /// <summary>
    /// ORT's reason for refusing a provider, without its source-location prefix, and named plainly when
    /// it is a missing shared library (the usual case on a machine without CUDA or TensorRT). The reason
    /// is looked for in the exception's message and in what ORT logged while refusing.
    /// </summary>
    internal static string Explain(ExecutionProvider provider, string ortMessage, IReadOnlyList<string>? ortLog = null)
    {
        var text = Concise(ortMessage);
        var missing = MissingLibrary().Match(text);
        foreach (var line in ortLog ?? [])
            if (!missing.Success) missing = MissingLibrary().Match(line);
        if (!missing.Success) return ortLog is [.., var last] ? $"{text}: {Concise(last)}" : text;
        var lib = missing.Groups[1].Value;
        var needs = provider == ExecutionProvider.TensorRt
            ? "TensorRT 10 and the CUDA 13 runtime libraries"
            : "the CUDA 13 runtime libraries (cudart, cuBLAS, cuDNN 9)";
        return $"{lib} cannot be loaded: {needs} are not installed or not on the library path";
    }

    /// <summary>ORT's message without its source-location prefix ("…/provider_bridge_ort.cc:1988 … [ONNXRuntimeError] : 1 : FAIL : ").</summary>
    internal static string Concise(string ortMessage)
    {
        const string marker = "[ONNXRuntimeError] : ";
        var at = ortMessage.IndexOf(marker, StringComparison.Ordinal);
        var text = at < 0 ? ortMessage : ortMessage[(at + marker.Length)..];
        if (at >= 0)
        {
            // "<code> : <CODE_NAME> : message"
            var parts = text.Split(" : ", 3);
            if (parts.Length == 3 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out _)) text = parts[2];
        }
        return text.Trim();
    }

    // The library the dynamic loader could not open, from "…with error: libcublasLt.so.13: cannot open shared object file…".
    [GeneratedRegex(@"(lib[\w.+-]+\.so[\w.]*): cannot open shared object file")]
    private static partial Regex MissingLibrary();
}
