namespace EcgStream.Inference;

/// <summary>One execution provider requested while building a session, and what came of it.</summary>
public sealed record ProviderAttempt(ExecutionProvider Provider, bool Succeeded, string? Error);

/// <summary>
/// Which execution providers a session asked for, which were registered, and which one leads.
/// <see cref="FellBack"/> is true when the first provider requested is not the one in use.
/// </summary>
public sealed record ProviderReport(IReadOnlyList<ProviderAttempt> Attempts, IReadOnlyList<string> LibraryProviders)
{
    /// <summary>The first provider that registered (CPU when nothing else did).</summary>
    public ExecutionProvider Active => Attempts.FirstOrDefault(a => a.Succeeded)?.Provider ?? ExecutionProvider.Cpu;
    public ExecutionProvider Requested => Attempts.Count > 0 ? Attempts[0].Provider : ExecutionProvider.Cpu;
    public bool FellBack => Active != Requested;

    /// <summary>One line: the provider in use and, for each one skipped, why.</summary>
    public string Summary
    {
        get
        {
            var failed = Attempts.Where(a => !a.Succeeded).Select(a => $"{a.Provider} unavailable ({a.Error})");
            var head = FellBack
                ? $"requested {Requested}, running on {Active}: {string.Join("; ", failed)}"
                : $"running on {Active}";
            return $"{head}. Providers this ONNX Runtime library lists: {string.Join(", ", LibraryProviders)}";
        }
    }

    public override string ToString() => Summary;
}
