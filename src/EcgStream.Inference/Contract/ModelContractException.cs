namespace EcgStream.Inference.Contract;

/// <summary>A model that breaks contract v1; <see cref="Differences"/> lists each item that differs.</summary>
public sealed class ModelContractException(string model, IReadOnlyList<string> differences)
    : Exception($"{model} does not follow model contract v{Core.Models.ModelContract.Version}:{Environment.NewLine}  - " +
                string.Join(Environment.NewLine + "  - ", differences))
{
    public string Model { get; } = model;
    public IReadOnlyList<string> Differences { get; } = differences;
}
