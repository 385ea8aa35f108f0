using EcgStream.Tests;

namespace EcgStream.Ingest.Tests.Support;

/// <summary>The shared test vectors in firmware-bridge/vectors (committed; read by the C tests too).</summary>
public static class Vectors
{
    public static readonly string[] Names = ["basic_12lead_int16", "ads1298_int24", "single_lead_130hz", "faults", "changes"];

    public static string Dir => Path.Combine(TestData.RepoRoot, "firmware-bridge", "vectors");
    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(Dir, name + ".bin"));

    /// <summary>Expected lines without comments (the title line is the generator's own).</summary>
    public static string[] Expected(string name) =>
        File.ReadAllLines(Path.Combine(Dir, name + ".expected.csv")).Where(l => !l.StartsWith('#')).ToArray();

    public static IEnumerable<object[]> All => Names.Select(n => new object[] { n });
}
