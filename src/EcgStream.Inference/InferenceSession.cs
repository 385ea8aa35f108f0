using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Ort = Microsoft.ML.OnnxRuntime;

namespace EcgStream.Inference;

/// <summary>
/// An ONNX Runtime session (Microsoft.ML.OnnxRuntime's managed API) over one model: its declared
/// inputs and outputs, its metadata, the execution providers it got, and runs over caller-owned
/// <see cref="OrtTensor"/>s. Runs go through <see cref="TensorBinding"/>s (ORT's IoBinding over the
/// tensors' OrtValues), so a steady-state run allocates nothing managed. Not thread-safe: one caller
/// at a time.
/// </summary>
public sealed class InferenceSession : IDisposable
{
    /// <summary>Receives one output of <see cref="RunNamed"/>: its name, values and shape.</summary>
    public delegate void OutputVisitor(string name, ReadOnlySpan<float> values, ReadOnlySpan<long> shape);

    private static long _live;

    private readonly Ort.InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly string _runContext;
    private readonly string _logId;   // routes ORT's messages about this session to its logger
    private TensorBinding? _lastBinding;   // Run(inputs, outputs) reuses it while the tensors are the same
    private bool _disposed;

    private InferenceSession(Ort.InferenceSession session, OrtLibrary library, string modelName, ProviderReport providers, string logId)
    {
        _session = session;
        _logId = logId;
        Library = library;
        ModelName = modelName;
        Providers = providers;
        _runContext = $"running {modelName}";
        _runOptions = new RunOptions();
        Inputs = ReadInfos(session.InputNames, session.InputMetadata);
        Outputs = ReadInfos(session.OutputNames, session.OutputMetadata);
        var m = session.ModelMetadata;
        Metadata = new ModelMetadata(m.ProducerName, m.GraphName, m.Domain, m.Description, m.Version,
            new Dictionary<string, string>(m.CustomMetadataMap, StringComparer.Ordinal));
        Interlocked.Increment(ref _live);
    }

    /// <summary>Sessions created and not yet disposed, process-wide (leak checks in tests).</summary>
    internal static long Live => Interlocked.Read(ref _live);

    /// <summary>The model file's path, or the name given for an in-memory model.</summary>
    public string ModelName { get; }
    public IReadOnlyList<TensorInfo> Inputs { get; }
    public IReadOnlyList<TensorInfo> Outputs { get; }
    public ModelMetadata Metadata { get; }
    public ProviderReport Providers { get; }
    public OrtLibrary Library { get; }

    public static InferenceSession Load(string modelPath, InferenceOptions? options = null)
    {
        options ??= new InferenceOptions();
        var full = Path.GetFullPath(modelPath);
        if (!File.Exists(full)) throw new FileNotFoundException($"model file {full} does not exist", full);
        return Create(options, full, so => new Ort.InferenceSession(full, so));
    }

    /// <summary>A session over a model held in memory (e.g. just built with the ONNX writer).</summary>
    public static InferenceSession Load(byte[] model, InferenceOptions? options = null, string name = "(in-memory model)")
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new InferenceOptions();
        return Create(options, name, so => new Ort.InferenceSession(model, so));
    }

    private static InferenceSession Create(InferenceOptions options, string name, Func<SessionOptions, Ort.InferenceSession> open)
    {
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var library = OrtLibrary.Load(options.Library, loggerFactory, options.OrtLogLevel);
        var logger = loggerFactory.CreateLogger<InferenceSession>();
        // ORT tags a session's messages with its log id; OrtLogging routes them to this factory.
        var logId = OrtLogging.RegisterSession(loggerFactory.CreateLogger(OrtLibrary.LogCategory));
        Ort.InferenceSession? session = null;
        try
        {
            var (sessionOptions, report) = SessionSetup.Build(library, options, logId);
            using (sessionOptions)
            {
                try { session = open(sessionOptions); }
                catch (OnnxRuntimeException e) { throw LoadFailure(e, name); }
            }
            // One warning per session when the provider asked for first is not the one in use.
            if (report.FellBack) logger.LogWarning("{Model}: execution provider fallback: {Summary}", name, report.Summary);
            else logger.LogInformation("{Model}: {Summary}", name, report.Summary);
            return new InferenceSession(session, library, name, report, logId);
        }
        catch
        {
            session?.Dispose();
            OrtLogging.UnregisterSession(logId);
            throw;
        }
    }

    /// <summary>One line naming the model and the cause; a file ORT cannot parse is called what it is.</summary>
    internal static OrtException LoadFailure(OnnxRuntimeException e, string name)
    {
        var (code, message) = OrtException.Parse(e.Message);
        // ORT words this differently for files and bytes ("Load model from X failed:Protobuf parsing
        // failed." / "Failed to load model because protobuf parsing failed."); the cause is the same.
        if (code == OrtErrorCode.InvalidProtobuf)
            return OrtException.Named(code, message, $"model {name} is not an ONNX model: ONNX Runtime could not parse it (protobuf parsing failed)");
        return new OrtException(code, SessionSetup.Concise(message), $"loading model {name}");
    }

    /// <summary>
    /// Binds <paramref name="inputs"/> and <paramref name="outputs"/> (in the order of <see cref="Inputs"/>
    /// and <see cref="Outputs"/>) for repeated runs. Shapes are checked now against the declared ones
    /// (a mismatch names the tensor and axis).
    /// </summary>
    public TensorBinding Bind(ReadOnlySpan<OrtTensor> inputs, ReadOnlySpan<OrtTensor> outputs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (inputs.Length != Inputs.Count || outputs.Length != Outputs.Count)
            ThrowArity(inputs.Length, outputs.Length);
        for (int i = 0; i < inputs.Length; i++) CheckShape(Inputs[i], inputs[i], "input");
        for (int i = 0; i < outputs.Length; i++) CheckShape(Outputs[i], outputs[i], "output");
        var binding = _session.CreateIoBinding();
        try
        {
            for (int i = 0; i < inputs.Length; i++) binding.BindInput(Inputs[i].Name, inputs[i].Value);
            for (int i = 0; i < outputs.Length; i++) binding.BindOutput(Outputs[i].Name, outputs[i].Value);
        }
        catch (OnnxRuntimeException e)
        {
            binding.Dispose();
            throw OrtException.From(e, $"binding tensors of {ModelName}");
        }
        return new TensorBinding(this, binding, [.. inputs, .. outputs]);
    }

    /// <summary>
    /// Runs the model: <paramref name="inputs"/> and <paramref name="outputs"/> in the order of
    /// <see cref="Inputs"/> and <see cref="Outputs"/>; ORT writes results into the output tensors.
    /// The binding of the last call is kept, so calling again with the same tensors allocates nothing;
    /// callers that alternate tensor sets keep a <see cref="Bind"/> per set instead.
    /// </summary>
    public void Run(ReadOnlySpan<OrtTensor> inputs, ReadOnlySpan<OrtTensor> outputs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_lastBinding is null || !_lastBinding.Holds(inputs, outputs))
        {
            _lastBinding?.Dispose();
            _lastBinding = null;
            _lastBinding = Bind(inputs, outputs);
        }
        _lastBinding.Run();
    }

    /// <summary>
    /// Runs the model on inputs given by name and hands each requested output, as ONNX Runtime allocated
    /// it, to <paramref name="visit"/> (valid only during the call). For tools that read many or
    /// dynamically shaped outputs — calibration, teacher soft targets — not for the streaming hot path,
    /// which uses <see cref="Bind"/>. Inputs the model does not declare are an error naming them.
    /// </summary>
    public void RunNamed(IReadOnlyList<(string Name, OrtTensor Tensor)> inputs, IReadOnlyList<string> outputs, OutputVisitor visit)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(visit);
        foreach (var (name, _) in inputs)
            if (!Inputs.Any(i => i.Name == name))
                throw new ArgumentException($"{ModelName} has no input '{name}' (inputs: {string.Join(", ", Inputs.Select(i => i.Name))})", nameof(inputs));
        foreach (var declared in Inputs)
            if (!inputs.Any(i => i.Name == declared.Name))
                throw new ArgumentException($"{ModelName} needs input '{declared.Name}' {declared.ShapeText}, which was not given", nameof(inputs));
        try
        {
            using var results = _session.Run(_runOptions, [.. inputs.Select(i => i.Name)], [.. inputs.Select(i => i.Tensor.Value)], [.. outputs]);
            int k = 0;
            foreach (var value in results)
            {
                var info = value.GetTensorTypeAndShape();
                if ((TensorElementType)(int)info.ElementDataType != TensorElementType.Float)
                    throw new InvalidOperationException($"{ModelName}: output '{outputs[k]}' is {info.ElementDataType}, only float32 outputs can be read");
                visit(outputs[k++], value.GetTensorDataAsSpan<float>(), info.Shape);
            }
        }
        catch (OnnxRuntimeException e) { throw OrtException.From(e, _runContext); }
    }

    internal void RunBound(TensorBinding binding)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try { _session.RunWithBinding(_runOptions, binding.Binding); }
        catch (OnnxRuntimeException e) { throw OrtException.From(e, _runContext); }
    }

    private static void CheckShape(TensorInfo declared, OrtTensor tensor, string role)
    {
        ObjectDisposedException.ThrowIf(tensor.IsDisposed, tensor);
        if (declared.ElementType != TensorElementType.Float) ThrowShape(declared, tensor, role, $"the model's {role} is {declared.ElementType}, only float32 tensors are supported");
        var shape = tensor.ShapeSpan;
        if (shape.Length != declared.Rank) ThrowShape(declared, tensor, role, $"rank {shape.Length}, the model expects rank {declared.Rank}");
        for (int d = 0; d < shape.Length; d++)
        {
            var want = declared.Shape[d];
            if (want >= 0 && shape[d] != want)
                ThrowShape(declared, tensor, role, $"dimension {d} is {shape[d]}, the model expects {want}");
        }
    }

    private static void ThrowShape(TensorInfo declared, OrtTensor tensor, string role, string what) =>
        throw new ArgumentException($"{role} '{declared.Name}' has shape {OrtTensor.ShapeText(tensor.ShapeSpan)}, the model declares {declared.ShapeText}: {what}");

    private void ThrowArity(int inputs, int outputs) =>
        throw new ArgumentException(
            $"{ModelName} takes {Inputs.Count} inputs ({string.Join(", ", Inputs.Select(i => i.Name))}) and {Outputs.Count} outputs " +
            $"({string.Join(", ", Outputs.Select(o => o.Name))}); got {inputs} and {outputs} tensors");

    private static TensorInfo[] ReadInfos(IReadOnlyList<string> names, IReadOnlyDictionary<string, NodeMetadata> metadata)
    {
        var list = new TensorInfo[names.Count];
        for (int i = 0; i < names.Count; i++)
        {
            var md = metadata[names[i]];
            list[i] = md.IsTensor
                ? new TensorInfo(names[i], (TensorElementType)(int)md.ElementDataType,
                                 [.. md.Dimensions.Select(d => (long)d)], [.. md.SymbolicDimensions.Select(s => s ?? "")])
                : new TensorInfo(names[i], TensorElementType.Undefined, [], []);
        }
        return list;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _lastBinding?.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
        OrtLogging.UnregisterSession(_logId);
        Interlocked.Decrement(ref _live);
    }
}
