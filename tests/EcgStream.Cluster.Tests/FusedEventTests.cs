using Xunit.Abstractions;

namespace EcgStream.Cluster.Tests;

public sealed class FusedEventTests(ITestOutputHelper output)
{
    /// <summary>
    /// The harness's workers run no model, so the fused evidence is the rules' own and every rule rate onset (STACH, SBRAD)
    /// has a fused twin with the same onset time. Both reach the events stream: the fused one is the event that alarms, and
    /// it used to share the rule event's id (and be stored as its duplicate).
    /// </summary>
    [NatsFact]
    public async Task A_fused_onset_is_stored_beside_the_rule_onset_it_repeats()
    {
        // bed007 (the generator's seed 1006) is tachycardic from the start: rule and fused STACH onsets at 0 s, detected at ≈ 7 s
        await using var h = await Harness.StartAsync(output, nodes: 1, beds: 8, workers: 1);
        await Task.Delay(TimeSpan.FromSeconds(15));
        var contents = await h.FinishAsync(TimeSpan.FromSeconds(30));

        var rule = contents.Events.Where(e => e is { Type: "rhythm", Kind: "onset", Source: "rule", Rhythm: "STACH" or "SBRAD" }).ToList();
        Assert.Contains(rule, e => e.Bed == "bed007");
        foreach (var r in rule)
            Assert.True(contents.Events.Any(e => e is { Type: "rhythm", Kind: "onset", Source: "fused" } && e.Bed == r.Bed && e.Rhythm == r.Rhythm && e.StartSeconds == r.StartSeconds),
                $"{r.Bed}: rule {r.Rhythm} onset at {r.StartSeconds} s stored, its fused twin not");
        Assert.Equal(contents.Events.Count, contents.Events.Select(e => e.Id).Distinct().Count());
    }
}
