using Microsoft.Extensions.Logging;

namespace EcgStream.Inference.Native;

/// <summary>
/// Turns <see cref="InferenceOptions"/> into an OrtSessionOptions: threads, optimisation level,
/// optimised-model path, and the execution-provider chain. Each provider is tried in order and the
/// outcome logged at Debug; the chain never fails — ORT's CPU kernels are always there.
/// </summary>
internal static unsafe class SessionOptionsBuilder
{
    public static (OrtSessionOptionsHandle Options, ProviderReport Report) Build(OrtLibrary lib, InferenceOptions options, ILogger logger, string logId)
    {
        var api = lib.Api;
        nint raw;
        lib.Check(api->CreateSessionOptions(&raw), "creating session options");
        var handle = new OrtSessionOptionsHandle(lib, raw);
        try
        {
            using (var id = new Utf8String(logId))
                lib.Check(api->SetSessionLogId(raw, id.Pointer), "setting the session log id");
            lib.Check(api->SetSessionLogSeverityLevel(raw, OrtEnvironment.ToOrtLevel(options.OrtLogLevel)), $"setting session log level {options.OrtLogLevel}");
            lib.Check(api->SetIntraOpNumThreads(raw, options.IntraOpThreads), $"setting {options.IntraOpThreads} intra-op threads");
            lib.Check(api->SetInterOpNumThreads(raw, options.InterOpThreads), $"setting {options.InterOpThreads} inter-op threads");
            lib.Check(api->SetSessionGraphOptimizationLevel(raw, (int)options.Optimization), $"setting graph optimisation {options.Optimization}");
            if (options.OptimizedModelPath is { } optimized)
            {
                var full = Path.GetFullPath(optimized);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                using var path = new Utf8String(full);
                lib.Check(api->SetOptimizedModelFilePath(raw, path.Pointer), $"setting the optimised model path {full}");
            }

            var attempts = new List<ProviderAttempt>();
            var chain = options.Providers.Contains(ExecutionProvider.Cpu) ? options.Providers : [.. options.Providers, ExecutionProvider.Cpu];
            foreach (var provider in chain.Distinct())
            {
                string? error = null;
                try
                {
                    switch (provider)
                    {
                        case ExecutionProvider.TensorRt: AppendTensorRt(lib, raw, options); break;
                        case ExecutionProvider.Cuda: AppendCuda(lib, raw, options); break;
                        case ExecutionProvider.Cpu: break; // ORT registers its CPU provider last on its own.
                    }
                }
                catch (OrtException e)
                {
                    error = Concise(e.OrtMessage);
                }
                attempts.Add(new ProviderAttempt(provider, error is null, error));
                if (error is null) logger.LogDebug("execution provider {Provider} registered", provider);
                else logger.LogDebug("execution provider {Provider} not available: {Error}", provider, error);
                if (provider == ExecutionProvider.Cpu) break;
            }
            return (handle, new ProviderReport(attempts, lib.AvailableProviders));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
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
            if (parts.Length == 3 && int.TryParse(parts[0], out _)) text = parts[2];
        }
        return text.Trim();
    }

    private static void AppendTensorRt(OrtLibrary lib, nint sessionOptions, InferenceOptions options)
    {
        var api = lib.Api;
        nint raw;
        lib.Check(api->CreateTensorRTProviderOptions(&raw), "creating TensorRT provider options");
        using var trt = new OrtTensorRtOptionsHandle(lib, raw);
        var settings = new List<(string, string)>
        {
            ("device_id", options.DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("trt_fp16_enable", options.TensorRtFp16 ? "1" : "0"),
        };
        if (options.TensorRtEngineCachePath is { } cache)
        {
            Directory.CreateDirectory(cache);
            settings.Add(("trt_engine_cache_enable", "1"));
            settings.Add(("trt_engine_cache_path", Path.GetFullPath(cache)));
        }
        using (var kv = new Utf8KeyValues(settings))
            lib.Check(api->UpdateTensorRTProviderOptions(raw, kv.Keys, kv.Values, kv.Count), "configuring TensorRT");
        lib.Check(api->SessionOptionsAppendExecutionProvider_TensorRT_V2(sessionOptions, raw), "adding the TensorRT execution provider");
    }

    private static void AppendCuda(OrtLibrary lib, nint sessionOptions, InferenceOptions options)
    {
        var api = lib.Api;
        nint raw;
        lib.Check(api->CreateCUDAProviderOptions(&raw), "creating CUDA provider options");
        using var cuda = new OrtCudaOptionsHandle(lib, raw);
        using (var kv = new Utf8KeyValues([("device_id", options.DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture))]))
            lib.Check(api->UpdateCUDAProviderOptions(raw, kv.Keys, kv.Values, kv.Count), "configuring CUDA");
        lib.Check(api->SessionOptionsAppendExecutionProvider_CUDA_V2(sessionOptions, raw), "adding the CUDA execution provider");
    }
}
