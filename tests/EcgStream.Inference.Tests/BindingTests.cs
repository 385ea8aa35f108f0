using EcgStream.Inference.Tests.Support;
using EcgStream.Onnx.Graph;
using Microsoft.Extensions.Logging;

namespace EcgStream.Inference.Tests;

/// <summary>The ORT binding itself: library lookup, API table, errors, providers, metadata, logging.</summary>
public class BindingTests
{
    [Fact]
    public void Library_is_the_pinned_onnxruntime_at_its_own_api_version()
    {
        var lib = OrtLibrary.Default;

        Assert.Equal("1.30.0", lib.Version);
        Assert.Equal(30u, lib.ApiVersion);
        Assert.Contains("CPUExecutionProvider", lib.AvailableProviders);
    }

    [Fact]
    public void Status_round_trips_through_the_first_entries_of_the_api_table()
    {
        var (code, message) = OrtLibrary.Default.EchoStatus(OrtErrorCode.InvalidGraph, "graph ü broken");

        Assert.Equal(OrtErrorCode.InvalidGraph, code);
        Assert.Equal("graph ü broken", message);
    }

    [Fact]
    public void Missing_library_message_lists_every_place_tried_in_order()
    {
        var configured = Path.Combine(Path.GetTempPath(), "no-such-dir", "libonnxruntime.so.1");
        var fromEnv = Path.Combine(Path.GetTempPath(), "also-missing", "libonnxruntime.so.1");
        var saved = Environment.GetEnvironmentVariable(OrtLibraryOptions.EnvironmentVariable);
        Environment.SetEnvironmentVariable(OrtLibraryOptions.EnvironmentVariable, fromEnv);
        try
        {
            var e = Assert.Throws<DllNotFoundException>(() => OrtLibrary.Load(new OrtLibraryOptions
            {
                LibraryPath = configured, SearchBesideExecutable = false, SearchSystemPath = false,
            }));

            var configuredAt = e.Message.IndexOf($"configured path: {configured} (no such file)", StringComparison.Ordinal);
            var envAt = e.Message.IndexOf($"$ECGSTREAM_ORT_LIBRARY: {fromEnv} (no such file)", StringComparison.Ordinal);
            Assert.True(configuredAt >= 0 && envAt > configuredAt, e.Message);
            Assert.Contains("tools/setup/ort.sh", e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(OrtLibraryOptions.EnvironmentVariable, saved);
        }
    }

    [Fact]
    public void Lookup_falls_through_a_missing_configured_path_to_the_copy_beside_the_executable()
    {
        var lib = OrtLibrary.Load(new OrtLibraryOptions { LibraryPath = "/nonexistent/libonnxruntime.so.1", SearchEnvironmentVariable = false });

        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "libonnxruntime.so.1"), lib.Path);
    }

    [Fact]
    public void A_library_without_OrtGetApiBase_is_refused_by_name()
    {
        string[] candidates = ["/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6", "/lib/aarch64-linux-gnu/libm.so.6", "/usr/lib/aarch64-linux-gnu/libm.so.6", "/lib64/libm.so.6"];
        var libm = candidates.First(File.Exists);

        var e = Assert.Throws<EntryPointNotFoundException>(() => OrtLibrary.Load(new OrtLibraryOptions { LibraryPath = libm }));

        Assert.Contains(libm, e.Message);
        Assert.Contains("OrtGetApiBase", e.Message);
    }

    [Fact]
    public void Corrupt_model_file_is_refused_with_ORT_code_and_the_file_name()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ecgstream-corrupt-{Guid.NewGuid():N}.onnx");
        var bytes = SmallModels.Linear().ToBytes();
        bytes.AsSpan(0, bytes.Length / 2).Fill(0xFF);
        File.WriteAllBytes(path, bytes);
        try
        {
            var e = Assert.Throws<OrtException>(() => InferenceSession.Load(path));

            Assert.Equal(OrtErrorCode.InvalidProtobuf, e.Code);
            Assert.Contains(path, e.Message);
            Assert.Contains("Protobuf parsing failed", e.OrtMessage);
        }
        finally { File.Delete(path); }
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
        Assert.False(string.IsNullOrWhiteSpace(cuda.Error));
        Assert.DoesNotContain("[ONNXRuntimeError]", cuda.Error);   // ORT's source-location prefix is trimmed
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
        Assert.Single(logs.At(LogLevel.Warning), w => w.Category == typeof(InferenceSession).FullName);
        Assert.Equal(3, logs.At(LogLevel.Debug).Count(d => d.Message.StartsWith("execution provider", StringComparison.Ordinal)));
    }

    [Fact]
    public void Cpu_only_request_reports_no_fallback_and_no_warning()
    {
        var logs = new CapturingLoggerFactory();
        using var session = InferenceSession.Load(SmallModels.Linear().ToBytes(), new InferenceOptions { LoggerFactory = logs });

        Assert.False(session.Providers.FellBack);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning);
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

public class ApiVersionTests
{
    [Theory]
    [InlineData("1.30.0", 30u, 30u, 30u)]     // the library supports what its version promises
    [InlineData("1.30.0", 27u, 27u, 30u)]     // an older table behind a newer string: go down until GetApi answers
    [InlineData("1.16.3", 40u, 16u, 16u)]     // never ask above the library's own version (ORT would print to stderr)
    [InlineData("weird", 20u, 13u, 13u)]      // unparseable version: start at our minimum
    public void Highest_supported_api_is_searched_from_the_library_version_down(string version, uint librarySupportsUpTo, uint expected, uint firstAsked)
    {
        var asked = new List<uint>();
        var chosen = OrtLibrary.HighestSupportedApi(version, v => { asked.Add(v); return v <= librarySupportsUpTo; });

        Assert.Equal(expected, chosen);
        Assert.Equal(firstAsked, asked[0]);
        Assert.Equal(Enumerable.Range((int)expected, (int)(firstAsked - expected + 1)).Reverse().Select(v => (uint)v), asked);
    }

    [Fact]
    public void A_library_older_than_our_minimum_gives_no_api_version()
    {
        Assert.Null(OrtLibrary.HighestSupportedApi("1.12.1", v => v <= 12));
    }
}
