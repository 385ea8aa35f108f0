namespace EcgStream.Inference.Contract;

/// <summary>
/// A model that breaks the model contract (v1, or v2 where it declares version 2); <see cref="Differences"/> lists each item that differs. An
/// <see cref="InvalidOperationException"/>, so the daemon refuses such a model at start with one line.
/// </summary>
public sealed class ModelContractException(string model, IReadOnlyList<string> differences, int version = 1)
    : InvalidOperationException($"{model} does not follow model contract v{version}:{Environment.NewLine}  - " +
                string.Join(Environment.NewLine + "  - ", differences))
{
    public string Model { get; } = model;
    public IReadOnlyList<string> Differences { get; } = differences;
}
