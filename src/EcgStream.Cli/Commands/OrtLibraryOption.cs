using EcgStream.Inference;

namespace EcgStream.Cli.Commands;

/// <summary>`--ort-library FILE`: the ONNX Runtime library to load (e.g. JetPack's on a Jetson); docs/inference.md has the lookup order.</summary>
internal static class OrtLibraryOption
{
    public const string Description =
        "ONNX Runtime native library to load (e.g. JetPack's libonnxruntime.so). Default: $ECGSTREAM_ORT_LIBRARY, else the one built with the tool.";

    public static OrtLibraryOptions Read(string? path) => new() { LibraryPath = path };
}
