namespace EcgStream.Synthetic;

/// <summary>An invalid scenario: the message names the file (when there is one) and the field.</summary>
public sealed class ScenarioException(string message, Exception? inner = null) : Exception(message, inner);
