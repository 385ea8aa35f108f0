using EcgStream.Ingest.Tests.Fuzzing;

namespace EcgStream.Ingest.Bench;

/// <summary>The long fuzz run over the shared vectors as corpus (IngestFuzz, also used by the test suite).</summary>
public static class IngestFuzzCommand
{
    public static int Run(long inputs, int seed)
    {
        string dir = FindVectors();
        var corpus = Directory.GetFiles(dir, "*.bin").Order().Select(File.ReadAllBytes).ToList();
        var r = IngestFuzz.Run(inputs, seed, corpus);
        Console.WriteLine($"C# ingest fuzz: {r.Inputs:N0} inputs (wire decoder, notification lines, Polar PMD; seed {seed}), " +
                          $"{r.Bytes / 1e6:F1} MB, {r.FramesFound:N0} valid frames found, no exception, " +
                          $"{r.Elapsed.TotalSeconds:F1} s, slowest input {r.SlowestInput.TotalMilliseconds:F1} ms");
        return 0;
    }

    private static string FindVectors()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var v = Path.Combine(d.FullName, "firmware-bridge", "vectors");
            if (Directory.Exists(v)) return v;
        }
        throw new DirectoryNotFoundException("firmware-bridge/vectors not found above " + AppContext.BaseDirectory);
    }
}
