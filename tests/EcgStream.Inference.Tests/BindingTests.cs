using EcgStream.Inference.Tests.Support;
using EcgStream.Onnx.Graph;
using Microsoft.Extensions.Logging;

namespace EcgStream.Inference.Tests;

/// <summary>The ORT binding itself: library lookup, API table, errors, providers, metadata, logging.</summary>
public class BindingTests
{
    [Fact]
    public void Library_is_the_packages_onnxruntime_1_32()
    {
        var lib = OrtLibrary.Default;

        Assert.Equal("1.32.0", lib.Version);
        Assert.EndsWith("/libonnxruntime.so", lib.Path);
        Assert.Contains("CPUExecutionProvider", lib.AvailableProviders);
        if (OrtLibrary.BuildPackage == "Cpu")
        {
            Assert.Equal("the Microsoft.ML.OnnxRuntime package beside the application", lib.Place);
            Assert.Equal(["CPUExecutionProvider"], lib.AvailableProviders);
        }
        else
        {
            Assert.Equal("the Microsoft.ML.OnnxRuntime.Gpu.Linux package beside the application", lib.Place);
            Assert.Equal(["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"], lib.AvailableProviders);
        }
    }

    [Fact]
    public void Asking_for_another_library_once_one_is_loaded_names_both()
    {
        var loaded = OrtLibrary.Default;

        var e = Assert.Throws<OrtLibraryException>(() => OrtLibrary.Load(new OrtLibraryOptions { LibraryPath = "/opt/jetpack/libonnxruntime.so" }));

        Assert.Equal($"ONNX Runtime is already loaded from {loaded.Path} ({loaded.Place}); " +
                     "one process holds one ONNX Runtime library, so /opt/jetpack/libonnxruntime.so (configured path) cannot be used as well", e.Message);
    }

    [Fact]
    public void Corrupt_model_file_is_one_line_naming_the_file_and_the_cause()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ecgstream-corrupt-{Guid.NewGuid():N}.onnx");
        var bytes = SmallModels.Linear().ToBytes();
        bytes.AsSpan(0, bytes.Length / 2).Fill(0xFF);
        File.WriteAllBytes(path, bytes);
        try
        {
            var e = Assert.Throws<OrtException>(() => InferenceSession.Load(path));

            Assert.Equal(OrtErrorCode.InvalidProtobuf, e.Code);
            Assert.Equal($"model {path} is not an ONNX model: ONNX Runtime could not parse it (protobuf parsing failed)", e.Message);
            Assert.IsAssignableFrom<InvalidOperationException>(e);   // hosts that refuse bad configuration catch it
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_text_file_given_as_model_is_refused_the_same_way()
    {
        var e = Assert.Throws<OrtException>(() => InferenceSession.Load("not a model at all"u8.ToArray(), name: "notes.txt"));

        Assert.Equal("model notes.txt is not an ONNX model: ONNX Runtime could not parse it (protobuf parsing failed)", e.Message);
    }

    [Fact]
    public void Missing_model_file_names_the_path()
    {
        var e = Assert.Throws<FileNotFoundException>(() => InferenceSession.Load("/nonexistent/model.onnx"));
        Assert.Contains("/nonexistent/model.onnx", e.Message);
    }

    [Fact]
    public void Wrong_input_shape_names_the_input_the_axis_and_the_declared_shape()
    {
        using var session = InferenceSession.Load(SmallModels.Linear().ToBytes());
        using var x = OrtTensor.Create([2, 5]);
        using var y = OrtTensor.Create([2, 3]);
        using var x3 = OrtTensor.Create([2, 4, 1]);

        var e = Assert.Throws<ArgumentException>(() => session.Run([x], [y]));
        Assert.Equal("input 'x' has shape [2,5], the model declares [N,4]: dimension 1 is 5, the model expects 4", e.Message);
        var rank = Assert.Throws<ArgumentException>(() => session.Run([x3], [y]));
        Assert.Contains("rank 3, the model expects rank 2", rank.Message);
    }

    [Fact]
    public void Output_tensor_that_does_not_fit_the_result_gives_ORT_message()
    {
        using var session = InferenceSession.Load(SmallModels.Linear().ToBytes(), name: "small-linear");
        using var x = OrtTensor.Create([2, 4]);
        using var y = OrtTensor.Create([3, 3]);   // batch 3 passes the declared [N,3] but is not what a batch of 2 produces

        var e = Assert.Throws<OrtException>(() => session.Run([x], [y]));

        Assert.StartsWith("running small-linear: ", e.Message);
        Assert.NotEqual(OrtErrorCode.Ok, e.Code);
    }

    [Fact]
    public void Run_writes_results_into_the_callers_output_tensor()
    {
        using var session = InferenceSession.Load(SmallModels.Linear().ToBytes());
        var xv = Reference.Random(8, seed: 21);
        using var x = OrtTensor.FromData(xv, [2, 4]);
        using var y = OrtTensor.Create([2, 3]);

        session.Run([x], [y]);

        Reference.AssertClose(SmallModels.LinearReference(xv, 2), y.Span);
    }

    private const string CpuPackage = "not in this ONNX Runtime build: Microsoft.ML.OnnxRuntime is the CPU package; build with -p:OrtPackage=Gpu for CUDA and TensorRT";

    /// <summary>
    /// Why a provider is skipped on this machine: the CPU package lacks it; the GPU package
    /// (-p:OrtPackage=Gpu) on a machine without CUDA cannot load the CUDA libraries ORT 1.32 asks for.
    /// </summary>
    private static string SkipReason(ExecutionProvider p) => OrtLibrary.BuildPackage == "Cpu" ? CpuPackage
        : p == ExecutionProvider.Cuda
            ? "libcublasLt.so.13 cannot be loaded: the CUDA 13 runtime libraries (cudart, cuBLAS, cuDNN 9) are not installed or not on the library path"
            : "libcublas.so.13 cannot be loaded: TensorRT 10 and the CUDA 13 runtime libraries are not installed or not on the library path";

    [Fact]
    public void Cuda_request_on_a_machine_without_cuda_falls_back_to_cpu_and_says_so_once()
    {
        var logs = new CapturingLoggerFactory();
        using var session = InferenceSession.Load(SmallModels.Linear().ToBytes(),
            new InferenceOptions { Providers = [ExecutionProvider.Cuda], LoggerFactory = logs }, "cuda-request");

        Assert.Equal(ExecutionProvider.Cpu, session.Providers.Active);
        Assert.True(session.Providers.FellBack);
        var cuda = session.Providers.Attempts[0];
        Assert.Equal(ExecutionProvider.Cuda, cuda.Provider);
        Assert.False(cuda.Succeeded);
        Assert.Equal(SkipReason(ExecutionProvider.Cuda), cuda.Error);
        var warnings = logs.At(LogLevel.Warning).Where(w => w.Category == typeof(InferenceSession).FullName).ToList();
        var warning = Assert.Single(warnings);
        Assert.Contains("requested Cuda, running on Cpu", warning.Message);
        Assert.Contains("Cuda unavailable", warning.Message);

        // And it runs, on the CPU.
        var xv = Reference.Random(4, seed: 22);
        using var x = OrtTensor.FromData(xv, [1, 4]);
        using var y = OrtTensor.Create([1, 3]);
        session.Run([x], [y]);
        Reference.AssertClose(SmallModels.LinearReference(xv, 1), y.Span);
    }

    [Fact]
    public void Gpu_first_chain_tries_tensorrt_then_cuda_then_settles_on_cpu()
    {
        var logs = new CapturingLoggerFactory();
        using var session = InferenceSession.Load(SmallModels.Linear().ToBytes(),
            new InferenceOptions { Providers = InferenceOptions.GpuFirst, TensorRtEngineCachePath = Path.Combine(Path.GetTempPath(), "ecgstream-trt-cache"), LoggerFactory = logs });

        Assert.Equal([ExecutionProvider.TensorRt, ExecutionProvider.Cuda, ExecutionProvider.Cpu], session.Providers.Attempts.Select(a => a.Provider));
        Assert.Equal([false, false, true], session.Providers.Attempts.Select(a => a.Succeeded));
        Assert.Equal(ExecutionProvider.Cpu, session.Providers.Active);
        var warning = Assert.Single(logs.At(LogLevel.Warning), w => w.Category == typeof(InferenceSession).FullName);
        Assert.Equal("(in-memory model): execution provider fallback: requested TensorRt, running on Cpu: " +
                     $"TensorRt unavailable ({SkipReason(ExecutionProvider.TensorRt)}); " +
                     $"Cuda unavailable ({SkipReason(ExecutionProvider.Cuda)}). " +
                     $"Providers this ONNX Runtime library lists: {string.Join(", ", OrtLibrary.Default.AvailableProviders)}", warning.Message);
    }

    [Fact]
    public void Cpu_only_request_reports_no_fallback_and_no_warning()
    {
        var logs = new CapturingLoggerFactory();
        using var session = InferenceSession.Load(SmallModels.Linear().ToBytes(), new InferenceOptions { Providers = [ExecutionProvider.Cpu], LoggerFactory = logs });

        Assert.False(session.Providers.FellBack);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public void Default_providers_follow_the_build_package()
    {
        IReadOnlyList<ExecutionProvider> expected = OrtLibrary.BuildPackage == "Gpu"
            ? [ExecutionProvider.TensorRt, ExecutionProvider.Cuda, ExecutionProvider.Cpu]
            : [ExecutionProvider.Cpu];

        Assert.Equal(expected, new InferenceOptions().Providers);
    }

    [Fact]
    public void Session_reports_names_types_symbolic_shapes_and_model_metadata()
    {
        var g = SmallModels.Linear();
        g.ProducerName = "ecgstream-tests";
        g.Domain = "org.ecgstream";
        g.DocString = "a linear layer";
        g.ModelVersion = 7;
        g.Metadata("colour", "blue").Metadata("ünïcode", "välue");

        using var session = InferenceSession.Load(g.ToBytes());

        var input = Assert.Single(session.Inputs);
        Assert.Equal(new TensorInfo("x", TensorElementType.Float, [-1, 4], ["N", ""]).ToString(), input.ToString());
        Assert.Equal("y: Float [N,3]", Assert.Single(session.Outputs).ToString());
        var m = session.Metadata;
        Assert.Equal(("ecgstream-tests", "small_linear", "org.ecgstream", "a linear layer", 7L), (m.ProducerName, m.GraphName, m.Domain, m.Description, m.Version));
        Assert.Equal("blue", m["colour"]);
        Assert.Equal("välue", m["ünïcode"]);
        Assert.Equal(2, m.Custom.Count);
        Assert.Null(m["absent"]);
    }

    [Fact]
    public void Ort_messages_of_a_session_reach_that_sessions_logger()
    {
        var logs = new CapturingLoggerFactory();
        using var session = InferenceSession.Load(SmallModels.Linear().ToBytes(), new InferenceOptions { OrtLogLevel = LogLevel.Trace, LoggerFactory = logs });

        var ort = logs.Entries.Where(e => e.Category == "EcgStream.Inference.OnnxRuntime").ToList();
        // Session messages carry the session's log id (environment-wide ones, if this test happened to
        // create the environment, carry "ecgstream").
        Assert.Contains(ort, e => e.Message.Contains("ecgstream-session-", StringComparison.Ordinal));
        Assert.All(ort, e => Assert.StartsWith("ORT [", e.Message));
    }

    [Fact]
    public void Optimised_model_is_written_where_asked_and_loads()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ecgstream-opt-{Guid.NewGuid():N}", "optimised.onnx");
        try
        {
            using (InferenceSession.Load(SmallModels.Linear().ToBytes(), new InferenceOptions { OptimizedModelPath = path, Optimization = GraphOptimization.Extended })) { }

            Assert.True(File.Exists(path));
            using var reloaded = InferenceSession.Load(path);
            Assert.Equal("x", reloaded.Inputs[0].Name);
        }
        finally { Directory.Delete(Path.GetDirectoryName(path)!, recursive: true); }
    }

    [Fact]
    public void Disposed_session_and_tensor_refuse_to_run()
    {
        var session = InferenceSession.Load(SmallModels.Linear().ToBytes());
        using var x = OrtTensor.Create([1, 4]);
        var y = OrtTensor.Create([1, 3]);
        y.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.Run([x], [y]));
        session.Dispose();
        using var y2 = OrtTensor.Create([1, 3]);
        Assert.Throws<ObjectDisposedException>(() => session.Run([x], [y2]));
    }
}

/// <summary>The library lookup order and its failure messages, walked with stand-in loaders (the real library is loaded once per process).</summary>
public class LibraryLookupTests
{
    private static readonly Func<nint, bool> AnyIsOrt = _ => true;
    private static readonly string PackagePlace = OrtLibrary.BuildPackage == "Cpu"
        ? "the Microsoft.ML.OnnxRuntime package beside the application"
        : "the Microsoft.ML.OnnxRuntime.Gpu.Linux package beside the application";

    [Fact]
    public void Lookup_order_is_configured_path_environment_package_system()
    {
        var plan = OrtLibrary.Candidates(new OrtLibraryOptions { LibraryPath = "/jetpack/libonnxruntime.so" }, environmentValue: "/opt/ort/libonnxruntime.so");

        Assert.Equal(["configured path", "$ECGSTREAM_ORT_LIBRARY", PackagePlace, "the system library path"], plan.Select(c => c.Place));
        Assert.Equal(["/jetpack/libonnxruntime.so", "/opt/ort/libonnxruntime.so", "onnxruntime", "libonnxruntime.so.1"], plan.Select(c => c.Target));
        Assert.Equal([true, true, false, false], plan.Select(c => c.Explicit));
    }

    [Fact]
    public void A_wrong_configured_path_stops_the_lookup_with_one_line()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-dir", "libonnxruntime.so");
        var plan = OrtLibrary.Candidates(new OrtLibraryOptions { LibraryPath = missing }, environmentValue: null);
        var loaded = new List<string>();

        var e = Assert.Throws<OrtLibraryException>(() => OrtLibrary.Walk(plan, c => { loaded.Add(c.Target!); return (1, null); }, AnyIsOrt));

        Assert.Equal($"ONNX Runtime library not loaded; tried in order: configured path {missing}: no such file " +
                     "(a library set explicitly is never replaced by a later place)", e.Message);
        Assert.Empty(loaded);   // the package's copy was not tried in its place
    }

    [Fact]
    public void With_nothing_set_every_place_tried_is_listed_with_its_loader_error()
    {
        var plan = OrtLibrary.Candidates(new OrtLibraryOptions(), environmentValue: null);

        var e = Assert.Throws<OrtLibraryException>(() => OrtLibrary.Walk(plan, c => (0, $"{c.Target}: cannot open shared object file"), AnyIsOrt));

        Assert.Equal("ONNX Runtime library not loaded; tried in order: configured path: not set; $ECGSTREAM_ORT_LIBRARY: not set; " +
                     $"{PackagePlace} onnxruntime: onnxruntime: cannot open shared object file; " +
                     "the system library path libonnxruntime.so.1: libonnxruntime.so.1: cannot open shared object file", e.Message);
    }

    [Fact]
    public void A_library_that_is_not_onnx_runtime_is_refused_by_name()
    {
        string[] candidates = ["/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6", "/lib/aarch64-linux-gnu/libm.so.6", "/usr/lib/aarch64-linux-gnu/libm.so.6", "/lib64/libm.so.6"];
        var libm = candidates.First(File.Exists);
        var plan = OrtLibrary.Candidates(new OrtLibraryOptions { LibraryPath = libm }, environmentValue: null);

        var e = Assert.Throws<OrtLibraryException>(() => OrtLibrary.Walk(plan,
            c => (System.Runtime.InteropServices.NativeLibrary.Load(c.Target!), null),
            h => System.Runtime.InteropServices.NativeLibrary.TryGetExport(h, "OrtGetApiBase", out _)));

        Assert.Equal($"ONNX Runtime library not loaded; tried in order: configured path {libm}: not an ONNX Runtime library (it exports no OrtGetApiBase) " +
                     "(a library set explicitly is never replaced by a later place)", e.Message);
    }

    [Fact]
    public void Without_configuration_the_first_place_that_loads_wins()
    {
        var plan = OrtLibrary.Candidates(new OrtLibraryOptions(), environmentValue: null);

        var (handle, from) = OrtLibrary.Walk(plan, c => c.Target == "onnxruntime" ? (0, "not found") : (42, null), AnyIsOrt);

        Assert.Equal(42, handle);
        Assert.Equal("the system library path", from.Place);
    }
}

/// <summary>ORT's reasons for skipping a provider, made readable.</summary>
public class ProviderMessageTests
{
    [Fact]
    public void Missing_cuda_libraries_are_named_in_one_line()
    {
        const string ort = "/onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:1862 onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() " +
                           "[ONNXRuntimeError] : 1 : FAIL : Failed to load library libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared object file: No such file or directory";

        Assert.Equal("libcublasLt.so.13 cannot be loaded: the CUDA 13 runtime libraries (cudart, cuBLAS, cuDNN 9) are not installed or not on the library path",
                     SessionSetup.Explain(ExecutionProvider.Cuda, ort));
    }

    [Fact]
    public void Missing_tensorrt_libraries_are_named_in_one_line()
    {
        const string ort = "[ONNXRuntimeError] : 1 : FAIL : Failed to load library libonnxruntime_providers_tensorrt.so with error: libnvinfer.so.10: cannot open shared object file: No such file or directory";

        Assert.Equal("libnvinfer.so.10 cannot be loaded: TensorRT 10 and the CUDA 13 runtime libraries are not installed or not on the library path",
                     SessionSetup.Explain(ExecutionProvider.TensorRt, ort));
    }

    [Fact]
    public void The_missing_library_is_found_in_what_ORT_logged_while_refusing()
    {
        // What Microsoft.ML.OnnxRuntime.Gpu.Linux 1.32.0 said on this machine (no CUDA): the exception
        // names no library, ORT's error log does.
        const string exception = "OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library";
        string[] log = ["/onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:2059 onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() " +
                        "[ONNXRuntimeError] : 1 : FAIL : Failed to load library /app/runtimes/linux-x64/native/libonnxruntime_providers_cuda.so with error: " +
                        "libcublasLt.so.13: cannot open shared object file: No such file or directory"];

        Assert.Equal("libcublasLt.so.13 cannot be loaded: the CUDA 13 runtime libraries (cudart, cuBLAS, cuDNN 9) are not installed or not on the library path",
                     SessionSetup.Explain(ExecutionProvider.Cuda, exception, log));
        Assert.Equal("OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library: CUDA failure 100: no CUDA-capable device is detected",
                     SessionSetup.Explain(ExecutionProvider.Cuda, exception, ["/src/cuda_call.cc:129 [ONNXRuntimeError] : 1 : FAIL : CUDA failure 100: no CUDA-capable device is detected"]));
    }

    [Fact]
    public void Other_provider_errors_keep_ORTs_text_without_its_source_location()
    {
        Assert.Equal("CUDA failure 100: no CUDA-capable device is detected",
                     SessionSetup.Explain(ExecutionProvider.Cuda, "/src/cuda_call.cc:129 [ONNXRuntimeError] : 1 : FAIL : CUDA failure 100: no CUDA-capable device is detected"));
    }

    [Theory]
    [InlineData("[ErrorCode:InvalidProtobuf] Load model from m.onnx failed:Protobuf parsing failed.", OrtErrorCode.InvalidProtobuf, "Load model from m.onnx failed:Protobuf parsing failed.")]
    [InlineData("[ErrorCode:ShapeInferenceNotRegistered] no shape", OrtErrorCode.Fail, "no shape")]
    [InlineData("plain text", OrtErrorCode.Fail, "plain text")]
    public void Managed_error_messages_split_into_code_and_text(string managed, OrtErrorCode code, string text)
    {
        Assert.Equal((code, text), OrtException.Parse(managed));
    }
}
