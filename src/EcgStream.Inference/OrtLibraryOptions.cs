namespace EcgStream.Inference;

/// <summary>
/// Which ONNX Runtime native library the managed API (Microsoft.ML.OnnxRuntime) loads. Lookup order:
/// <see cref="LibraryPath"/> (the CLI's <c>--ort-library</c>, configuration), the
/// <c>ECGSTREAM_ORT_LIBRARY</c> environment variable, the library of the ONNX Runtime package this
/// build references (beside the application), the system library path. A library set explicitly
/// (the first two places) that fails to load is an error: it is never silently replaced by a later
/// place. One process loads one ONNX Runtime library; see <see cref="OrtLibrary.Load"/>.
/// </summary>
public sealed record OrtLibraryOptions
{
    public const string EnvironmentVariable = "ECGSTREAM_ORT_LIBRARY";
    /// <summary>The soname looked up on the system library path (JetPack and distribution packages install it).</summary>
    public const string LibraryFileName = "libonnxruntime.so.1";

    /// <summary>An explicit library file (e.g. JetPack's libonnxruntime.so on a Jetson); tried first.</summary>
    public string? LibraryPath { get; init; }
    public bool SearchEnvironmentVariable { get; init; } = true;
    public bool SearchPackage { get; init; } = true;
    public bool SearchSystemPath { get; init; } = true;
}
