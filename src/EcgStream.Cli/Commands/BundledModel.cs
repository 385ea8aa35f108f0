namespace EcgStream.Cli.Commands;

/// <summary>
/// The model `replay`, `evaluate`, `demo` and `classify` use when none is named: <c>models/ecgstream.onnx</c>
/// beside the tool (the build copies the repository's <c>models/</c> there), or ECGSTREAM_MODEL.
/// </summary>
internal static class BundledModel
{
    public const string FileName = "models/ecgstream.onnx";

    public static string? Find()
    {
        if (Environment.GetEnvironmentVariable("ECGSTREAM_MODEL") is { Length: > 0 } env)
            return File.Exists(env) ? env : throw new FileNotFoundException($"ECGSTREAM_MODEL '{env}': no such file");
        var beside = Path.Combine(AppContext.BaseDirectory, FileName);
        return File.Exists(beside) ? beside : null;
    }

    /// <summary>
    /// What a command's <c>--model</c> value names: null (not given) → <see cref="Find"/>; "none" → no model (rules
    /// only); otherwise the file, which must exist.
    /// </summary>
    public static string? Resolve(string? option) => option switch
    {
        null => Find(),
        var m when m.Equals("none", StringComparison.OrdinalIgnoreCase) => null,
        var m => File.Exists(m) ? m : throw new FileNotFoundException($"--model '{m}': no such file"),
    };
}
