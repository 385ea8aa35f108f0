using System.Runtime.InteropServices;
using EcgStream.Inference.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EcgStream.Inference;

/// <summary>
/// An ONNX Runtime session over one model: its declared inputs and outputs, its metadata, the
/// execution providers it got, and <see cref="Run"/> over caller-owned <see cref="OrtTensor"/>s.
/// A run passes pre-made OrtValues and pre-marshalled names, so it allocates nothing managed.
/// <see cref="Run"/> may be called from one thread at a time per set of output tensors.
/// </summary>
public sealed unsafe class InferenceSession : IDisposable
{
    private readonly OrtLibrary _lib;
    private readonly OrtSessionHandle _session;
    private readonly Utf8String[] _nameStrings;
    private readonly byte** _inputNames;
    private readonly byte** _outputNames;
    private readonly string _runContext;
    private readonly string _logId;   // routes ORT's messages about this session to its logger
    private bool _disposed;

    private InferenceSession(OrtLibrary lib, OrtSessionHandle session, string modelName, ProviderReport providers, string logId)
    {
        _logId = logId;
        _lib = lib;
        _session = session;
        ModelName = modelName;
        Providers = providers;
        _runContext = $"running {modelName}";
        Inputs = ReadInfos(isInput: true);
        Outputs = ReadInfos(isInput: false);
        Metadata = ReadMetadata();
        _nameStrings = [.. Inputs.Select(i => new Utf8String(i.Name)), .. Outputs.Select(o => new Utf8String(o.Name))];
        _inputNames = (byte**)NativeMemory.Alloc((nuint)Math.Max(1, Inputs.Count), (nuint)sizeof(byte*));
        _outputNames = (byte**)NativeMemory.Alloc((nuint)Math.Max(1, Outputs.Count), (nuint)sizeof(byte*));
        for (int i = 0; i < Inputs.Count; i++) _inputNames[i] = _nameStrings[i].Pointer;
        for (int i = 0; i < Outputs.Count; i++) _outputNames[i] = _nameStrings[Inputs.Count + i].Pointer;
    }

    /// <summary>The model file's path, or the name given for an in-memory model.</summary>
    public string ModelName { get; }
    public IReadOnlyList<TensorInfo> Inputs { get; }
    public IReadOnlyList<TensorInfo> Outputs { get; }
    public ModelMetadata Metadata { get; }
    public ProviderReport Providers { get; }
    public OrtLibrary Library => _lib;

    public static InferenceSession Load(string modelPath, InferenceOptions? options = null)
    {
        options ??= new InferenceOptions();
        var full = Path.GetFullPath(modelPath);
        if (!File.Exists(full)) throw new FileNotFoundException($"model file {full} does not exist", full);
        return Create(options, full, (lib, env, so) =>
        {
            using var path = new Utf8String(full);
            nint session;
            lib.Check(lib.Api->CreateSession(env, path.Pointer, so, &session), $"loading model {full}");
            return session;
        });
    }

    /// <summary>A session over a model held in memory (e.g. just built with the ONNX writer).</summary>
    public static InferenceSession Load(byte[] model, InferenceOptions? options = null, string name = "(in-memory model)")
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new InferenceOptions();
        return Create(options, name, (lib, env, so) =>
        {
            nint session;
            fixed (byte* p = model)
                lib.Check(lib.Api->CreateSessionFromArray(env, p, (nuint)model.Length, so, &session), $"loading model {name}");
            return session;
        });
    }

    private static InferenceSession Create(InferenceOptions options, string name, Func<OrtLibrary, nint, nint, nint> open)
    {
        var lib = OrtLibrary.Load(options.Library);
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<InferenceSession>();
        var env = OrtEnvironment.Get(lib, loggerFactory, options.OrtLogLevel);
        // ORT tags a session's messages with its log id; the environment routes them to this factory.
        var logId = OrtEnvironment.RegisterSession(loggerFactory.CreateLogger("EcgStream.Inference.OnnxRuntime"));
        OrtSessionHandle? handle = null;
        try
        {
            var (sessionOptions, report) = SessionOptionsBuilder.Build(lib, options, logger, logId);
            using (sessionOptions)
                handle = new OrtSessionHandle(lib, open(lib, env.Handle.DangerousGetHandle(), sessionOptions.DangerousGetHandle()));
            // One warning per session when the provider asked for first is not the one in use.
            if (report.FellBack) logger.LogWarning("{Model}: execution provider fallback: {Summary}", name, report.Summary);
            else logger.LogInformation("{Model}: {Summary}", name, report.Summary);
            return new InferenceSession(lib, handle, name, report, logId);
        }
        catch
        {
            handle?.Dispose();
            OrtEnvironment.UnregisterSession(logId);
            throw;
        }
    }

    /// <summary>
    /// Runs the model: <paramref name="inputs"/> and <paramref name="outputs"/> in the order of
    /// <see cref="Inputs"/> and <see cref="Outputs"/>; ORT writes results into the output tensors.
    /// Shapes are checked against the declared ones first (a mismatch names the tensor and axis).
    /// </summary>
    public void Run(ReadOnlySpan<OrtTensor> inputs, ReadOnlySpan<OrtTensor> outputs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (inputs.Length != Inputs.Count || outputs.Length != Outputs.Count)
            ThrowArity(inputs.Length, outputs.Length);
        var inValues = stackalloc nint[Math.Max(1, inputs.Length)];
        var outValues = stackalloc nint[Math.Max(1, outputs.Length)];
        for (int i = 0; i < inputs.Length; i++)
        {
            CheckShape(Inputs[i], inputs[i], "input");
            inValues[i] = inputs[i].Value;
        }
        for (int i = 0; i < outputs.Length; i++)
        {
            CheckShape(Outputs[i], outputs[i], "output");
            outValues[i] = outputs[i].Value;
        }
        _lib.Check(_lib.Api->Run(_session.DangerousGetHandle(), 0, _inputNames, inValues, (nuint)inputs.Length,
                                 _outputNames, (nuint)outputs.Length, outValues), _runContext);
    }

    private static void CheckShape(TensorInfo declared, OrtTensor tensor, string role)
    {
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

    private IReadOnlyList<TensorInfo> ReadInfos(bool isInput)
    {
        var api = _lib.Api;
        var s = _session.DangerousGetHandle();
        nuint count;
        _lib.Check(isInput ? api->SessionGetInputCount(s, &count) : api->SessionGetOutputCount(s, &count), "counting model inputs/outputs");
        var allocator = _lib.DefaultAllocator;
        var list = new TensorInfo[(int)count];
        for (nuint i = 0; i < count; i++)
        {
            byte* rawName;
            _lib.Check(isInput ? api->SessionGetInputName(s, i, allocator, &rawName) : api->SessionGetOutputName(s, i, allocator, &rawName), "reading a name");
            string name;
            using (var owned = new OrtAllocatedHandle(_lib, allocator, (nint)rawName)) name = owned.ReadUtf8() ?? "";

            nint typeInfo;
            _lib.Check(isInput ? api->SessionGetInputTypeInfo(s, i, &typeInfo) : api->SessionGetOutputTypeInfo(s, i, &typeInfo), $"reading the type of '{name}'");
            using var typeHandle = new OrtTypeInfoHandle(_lib, typeInfo);
            int onnxType;
            _lib.Check(api->GetOnnxTypeFromTypeInfo(typeInfo, &onnxType), $"reading the type of '{name}'");
            if (onnxType != 1 /* ONNX_TYPE_TENSOR */)
            {
                list[(int)i] = new TensorInfo(name, TensorElementType.Undefined, [], []);
                continue;
            }
            nint tensorInfo; // borrowed from typeInfo
            _lib.Check(api->CastTypeInfoToTensorInfo(typeInfo, &tensorInfo), $"reading the tensor type of '{name}'");
            int elem;
            nuint rank;
            _lib.Check(api->GetTensorElementType(tensorInfo, &elem), $"reading the element type of '{name}'");
            _lib.Check(api->GetDimensionsCount(tensorInfo, &rank), $"reading the rank of '{name}'");
            var dims = new long[(int)rank];
            var symbols = new string[(int)rank];
            var symbolPtrs = new nint[(int)rank];
            fixed (long* d = dims)
            fixed (nint* sp = symbolPtrs)
            {
                _lib.Check(api->GetDimensions(tensorInfo, d, rank), $"reading the shape of '{name}'");
                _lib.Check(api->GetSymbolicDimensions(tensorInfo, (byte**)sp, rank), $"reading the symbolic shape of '{name}'");
            }
            for (int k = 0; k < symbols.Length; k++) symbols[k] = Marshal.PtrToStringUTF8(symbolPtrs[k]) ?? "";
            list[(int)i] = new TensorInfo(name, (TensorElementType)elem, dims, symbols);
        }
        return list;
    }

    private ModelMetadata ReadMetadata()
    {
        var api = _lib.Api;
        nint rawMeta;
        _lib.Check(api->SessionGetModelMetadata(_session.DangerousGetHandle(), &rawMeta), "reading model metadata");
        using var meta = new OrtModelMetadataHandle(_lib, rawMeta);
        var raw = rawMeta;
        var allocator = _lib.DefaultAllocator;

        string Str(delegate* unmanaged[Cdecl]<nint, nint, byte**, nint> getter, string what)
        {
            byte* value;
            _lib.Check(getter(raw, allocator, &value), $"reading model {what}");
            using var owned = new OrtAllocatedHandle(_lib, allocator, (nint)value);
            return owned.ReadUtf8() ?? "";
        }

        var producer = Str(api->ModelMetadataGetProducerName, "producer name");
        var graph = Str(api->ModelMetadataGetGraphName, "graph name");
        var domain = Str(api->ModelMetadataGetDomain, "domain");
        var description = Str(api->ModelMetadataGetDescription, "description");
        long version;
        _lib.Check(api->ModelMetadataGetVersion(raw, &version), "reading model version");

        byte** keys;
        long keyCount;
        _lib.Check(api->ModelMetadataGetCustomMetadataMapKeys(raw, allocator, &keys, &keyCount), "listing custom metadata");
        var custom = new Dictionary<string, string>(StringComparer.Ordinal);
        using (new OrtAllocatedHandle(_lib, allocator, (nint)keys))
        {
            var owned = new List<OrtAllocatedHandle>();
            try
            {
                for (long k = 0; k < keyCount; k++) owned.Add(new OrtAllocatedHandle(_lib, allocator, (nint)keys[k]));
                foreach (var keyHandle in owned)
                {
                    var key = keyHandle.ReadUtf8() ?? "";
                    byte* value;
                    _lib.Check(api->ModelMetadataLookupCustomMetadataMap(raw, allocator, (byte*)keyHandle.DangerousGetHandle(), &value), $"reading metadata '{key}'");
                    using var v = new OrtAllocatedHandle(_lib, allocator, (nint)value);
                    custom[key] = v.ReadUtf8() ?? "";
                }
            }
            finally
            {
                foreach (var h in owned) h.Dispose();
            }
        }
        return new ModelMetadata(producer, graph, domain, description, version, custom);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _session.Dispose();
        OrtEnvironment.UnregisterSession(_logId);
        foreach (var s in _nameStrings) s.Dispose();
        NativeMemory.Free(_inputNames);
        NativeMemory.Free(_outputNames);
    }
}
