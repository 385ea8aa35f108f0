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

/// <summary>An error reported by ONNX Runtime: its error code and message, prefixed by what we were doing.</summary>
public sealed class OrtException : Exception
{
    public OrtException(OrtErrorCode code, string ortMessage, string? context = null)
        : base(context is null ? $"ONNX Runtime error {code}: {ortMessage}" : $"{context}: {ortMessage} (ONNX Runtime error {code})")
    {
        Code = code;
        OrtMessage = ortMessage;
    }

    public OrtErrorCode Code { get; }
    /// <summary>The message exactly as ONNX Runtime wrote it.</summary>
    public string OrtMessage { get; }
}
