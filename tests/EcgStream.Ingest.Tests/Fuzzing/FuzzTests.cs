using EcgStream.Ingest.Tests.Support;

namespace EcgStream.Ingest.Tests.Fuzzing;

/// <summary>In-suite fuzzing (small). The million-input run: tools/bench/EcgStream.Benchmarks `fuzz 1000000`.</summary>
public class FuzzTests
{
    [Fact]
    public void Twenty_thousand_random_and_mutated_inputs_raise_nothing_and_account_for_every_byte()
    {
        var corpus = Vectors.Names.Select(Vectors.Bytes).ToList();
        var report = IngestFuzz.Run(20_000, seed: 20261120, corpus);
        Assert.Equal(20_000, report.Inputs);
        Assert.True(report.FramesFound > 1000, $"only {report.FramesFound} valid frames: mutations too destructive to exercise the decoder");
        // A hang guard, not a speed check (speed: the fuzz benchmark): an input the decoder loops on never returns;
        // a loaded 2-core CI machine can stall a healthy one for a second or two.
        Assert.True(report.SlowestInput < TimeSpan.FromSeconds(30), $"slowest input took {report.SlowestInput}");
    }
}
