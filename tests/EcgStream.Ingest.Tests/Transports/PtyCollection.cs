namespace EcgStream.Ingest.Tests.Transports;

/// <summary>Tests that open pseudo-terminals share this collection, so xUnit runs them one after another.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PtyCollection
{
    public const string Name = "pseudo-terminals";
}
