using System.Text.Json;
using EcgStream.Daemon.Demo;

namespace EcgStream.Daemon.Tests;

/// <summary>A fact that needs firmware-bridge/build/vdev (tools/setup/bridge.sh); skipped with a message without it.</summary>
public sealed class VdevFactAttribute : FactAttribute
{
    public VdevFactAttribute()
    {
        if (DemoRunner.FindVdev() is null) Skip = "firmware-bridge/build/vdev not built (run tools/setup/bridge.sh)";
    }
}

public class DemoTests
{
    private static async Task<(DemoResult Result, List<JsonElement> Lines, string Notes)> Run(bool useVdev)
    {
        var stdout = new MemoryStream();
        var notes = new StringWriter();
        var result = await DemoRunner.RunAsync(new DemoOptions
        {
            DurationSeconds = 60, Speed = 12, Port = 0, UseVdev = useVdev, Stdout = stdout, Notes = notes,
        }).WaitAsync(TimeSpan.FromSeconds(60));
        var lines = System.Text.Encoding.UTF8.GetString(stdout.ToArray())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        return (result, lines, notes.ToString());
    }

    private static void AssertAfDetected(DemoResult result, List<JsonElement> lines, string notes)
    {
        Assert.Equal(result.Events, lines.Count);
        // the default scenario: AF from 20 s to 80 s; the rules report it within the first minute
        // (their onset estimate reaches back over the analysis window, so it may precede 20 s)
        Assert.Contains(lines, l => l.GetProperty("rhythm").GetString() == "AF" && l.GetProperty("kind").GetString() == "onset"
                                    && l.GetProperty("start_s").GetDouble() is > 5 and < 40 && l.GetProperty("detected_s").GetDouble() < 60);
        Assert.All(lines, l => Assert.Equal(DemoRunner.BedId, l.GetProperty("stream").GetString()));
        Assert.Contains($"live view at {result.LiveView}", notes);
        Assert.Contains("rule-based detectors", notes);
        Assert.InRange(result.SignalSeconds, 55, 75);
    }

    [Fact]
    public async Task The_demo_runs_end_to_end_with_the_in_process_device()
    {
        var (result, lines, notes) = await Run(useVdev: false);
        Assert.StartsWith("in-process C# virtual device", result.Device);
        AssertAfDetected(result, lines, notes);
    }

    [VdevFact]
    public async Task The_demo_runs_end_to_end_with_the_C_virtual_device()
    {
        var (result, lines, notes) = await Run(useVdev: true);
        Assert.Contains("firmware-bridge/build/vdev", result.Device);
        AssertAfDetected(result, lines, notes);
    }
}
