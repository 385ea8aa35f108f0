namespace EcgStream.Inference;

/// <summary>
/// Where to look for <c>libonnxruntime.so.1</c>, in this order: <see cref="LibraryPath"/>, the
/// <c>ECGSTREAM_ORT_LIBRARY</c> environment variable, beside the executable, the system library
/// path. Each place can be switched off (tests do, to prove the failure message).
/// </summary>
public sealed record OrtLibraryOptions
{
    public const string EnvironmentVariable = "ECGSTREAM_ORT_LIBRARY";
    public const string LibraryFileName = "libonnxruntime.so.1";

    /// <summary>An explicit library file (configuration); tried first.</summary>
    public string? LibraryPath { get; init; }
    public bool SearchEnvironmentVariable { get; init; } = true;
    public bool SearchBesideExecutable { get; init; } = true;
    public bool SearchSystemPath { get; init; } = true;
}
