namespace EcgStream.Inference;

/// <summary>A model's ONNX metadata as ORT reports it, including the custom <c>metadata_props</c> map.</summary>
public sealed record ModelMetadata(
    string ProducerName,
    string GraphName,
    string Domain,
    string Description,
    long Version,
    IReadOnlyDictionary<string, string> Custom)
{
    public string? this[string key] => Custom.TryGetValue(key, out var v) ? v : null;
}
