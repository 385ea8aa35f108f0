using Microsoft.ML.OnnxRuntime;

namespace EcgStream.Inference;

/// <summary>ONNX Runtime's <c>OrtErrorCode</c>; values past <see cref="EpFail"/> come from newer libraries and keep their number.</summary>
public enum OrtErrorCode
{
    Ok = 0,
    Fail = 1,
    InvalidArgument = 2,
    NoSuchFile = 3,
    NoModel = 4,
    EngineError = 5,
    RuntimeException = 6,
    InvalidProtobuf = 7,
    ModelLoaded = 8,
    NotImplemented = 9,
    InvalidGraph = 10,
    EpFail = 11,
}

/// <summary>
/// An error reported by ONNX Runtime: its error code and message, prefixed by what we were doing.
/// An <see cref="InvalidOperationException"/>, so hosts that refuse bad configuration (the daemon's
/// start-up) report it as one line instead of crashing.
/// </summary>
public sealed class OrtException : InvalidOperationException
{
    public OrtException(OrtErrorCode code, string ortMessage, string? context = null)
        : base(context is null ? $"ONNX Runtime error {code}: {ortMessage}" : $"{context}: {ortMessage} (ONNX Runtime error {code})")
    {
        Code = code;
        OrtMessage = ortMessage;
    }

    private OrtException(OrtErrorCode code, string ortMessage, string message, bool _) : base(message)
    {
        Code = code;
        OrtMessage = ortMessage;
    }

    public OrtErrorCode Code { get; }
    /// <summary>ONNX Runtime's message without the managed API's "[ErrorCode:…]" prefix.</summary>
    public string OrtMessage { get; }

    /// <summary>An exception whose message is exactly <paramref name="message"/> (for causes we can name better than ORT).</summary>
    internal static OrtException Named(OrtErrorCode code, string ortMessage, string message) => new(code, ortMessage, message, true);

    /// <summary>
    /// Splits the managed API's message ("[ErrorCode:InvalidProtobuf] Load model from … failed:…")
    /// into our code and ORT's own text; a message without the prefix is <see cref="OrtErrorCode.Fail"/>.
    /// </summary>
    internal static (OrtErrorCode Code, string Message) Parse(string managedMessage)
    {
        const string prefix = "[ErrorCode:";
        if (!managedMessage.StartsWith(prefix, StringComparison.Ordinal)) return (OrtErrorCode.Fail, managedMessage.Trim());
        int close = managedMessage.IndexOf(']', prefix.Length);
        if (close < 0) return (OrtErrorCode.Fail, managedMessage.Trim());
        var name = managedMessage[prefix.Length..close];
        // Codes the managed enum knows and ours does not (e.g. ShapeInferenceNotRegistered) count as Fail.
        var code = Enum.TryParse<OrtErrorCode>(name, out var c) ? c : OrtErrorCode.Fail;
        return (code, managedMessage[(close + 1)..].Trim());
    }

    internal static OrtException From(OnnxRuntimeException e, string context)
    {
        var (code, message) = Parse(e.Message);
        return new OrtException(code, message, context);
    }
}
