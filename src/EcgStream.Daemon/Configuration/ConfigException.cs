namespace EcgStream.Daemon.Configuration;

/// <summary>A configuration the daemon refuses: names the origin (file), the field path and what is wrong.</summary>
public sealed class ConfigException(string origin, string field, string problem)
    : Exception($"configuration error in {origin}: {field}: {problem}")
{
    public string Origin { get; } = origin;
    /// <summary>The field path as written in the file, e.g. <c>beds[1].source.port</c>.</summary>
    public string Field { get; } = field;
    public string Problem { get; } = problem;
}
