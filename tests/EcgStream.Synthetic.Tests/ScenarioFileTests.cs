using EcgStream.Core.Leads;
using EcgStream.Tests;

namespace EcgStream.Synthetic.Tests;

public class ScenarioFileTests
{
    /// <summary>Every scenario file in tools/scenarios.</summary>
    public static TheoryData<string> Examples
    {
        get
        {
            var names = new TheoryData<string>();
            foreach (var f in Directory.EnumerateFiles(Path.Combine(TestData.RepoRoot, "tools", "scenarios"), "*.json").Order(StringComparer.Ordinal))
                names.Add(Path.GetFileName(f));
            return names;
        }
    }

    [Fact]
    public void Every_example_scenario_is_tested() => Assert.True(Examples.Count >= 6, $"{Examples.Count} scenario files found in tools/scenarios");

    [Theory]
    [MemberData(nameof(Examples))]
    public void ExampleScenariosLoadAndRoundTrip(string name)
    {
        var path = Path.Combine(TestData.RepoRoot, "tools", "scenarios", name);
        var s = ScenarioFile.Load(path);
        Assert.NotEmpty(s.Segments);
        var again = ScenarioFile.Parse(ScenarioFile.ToJson(s), "round trip");
        Assert.Equal(ScenarioFile.ToJson(s), ScenarioFile.ToJson(again));
        Assert.Equal(s.Segments.Count, again.Segments.Count);
        Assert.Equal(s.Leads, again.Leads);
    }

    [Fact]
    public void MixedExampleYieldsItsRhythmsAndAlarms()
    {
        var s = ScenarioFile.Load(Path.Combine(TestData.RepoRoot, "tools", "scenarios", "mixed-12lead.json"));
        var r = Simulator.Run(s with { Segments = s.Segments.Select(g => g with { DurationSeconds = Math.Min(g.DurationSeconds, 12) }).ToArray() });
        var labels = r.Truth.Select(e => e.Rhythm).ToHashSet();
        foreach (var l in new[] { "SR", "VECT", "STACH", "SVT", "AFL", "AF", "PACE", "LEAD_OFF", "NOISE" }) Assert.Contains(l, labels);
        var off = Assert.Single(r.LeadOff);
        Assert.Equal(LeadSet.Of(Lead.V3), off.Leads);
        Assert.All(r.Lead(Lead.V3)[(int)off.Start..(int)off.End], v => Assert.Equal(5f, v));
        Assert.Contains(r.RhythmChanges, c => c.Aux == "(AFL");
        Assert.Contains(r.RhythmChanges, c => c.Aux == "(B");
        Assert.Contains(r.RhythmChanges, c => c.Aux == "(P");
    }

    [Theory]
    [InlineData("""{"seed": 1, "segments": [{"rhythm": "AFIBX", "durationSeconds": 5}]}""", "segments[0].rhythm = \"AFIBX\" is not a rhythm")]
    [InlineData("""{"seed": 1, "segments": [{"rhythm": "SR", "durationSeconds": 5}, {"rhythm": "VT", "durationSeconds": 5, "heartRate": 400}]}""", "segments[1].heartRate = 400 bpm is outside 120–250 bpm for VT")]
    [InlineData("""{"seed": 1, "segments": [{"rhythm": "SR", "durationSeconds": -1}]}""", "segments[0].durationSeconds = -1")]
    [InlineData("""{"seed": 1, "segments": []}""", "segments is empty")]
    [InlineData("""{"seed": 1, "sampleRate": 0, "segments": [{"rhythm": "SR", "durationSeconds": 1}]}""", "sampleRate = 0 Hz")]
    [InlineData("""{"seed": 1, "segments": [{"rhythm": "SR", "durationSeconds": 1, "leadOff": ["V7"]}]}""", "segments[0].leadOff[0] = \"V7\" is not a lead name")]
    [InlineData("""{"seed": 1, "segments": [{"rhythm": "SR", "durationSeconds": 1, "conduction": "2:1"}]}""", "segments[0].conduction: only AFL")]
    [InlineData("""{"seed": 1, "noise": {"snr": 10, "powerlineHz": 55}, "segments": [{"rhythm": "SR", "durationSeconds": 1}]}""", "noise.powerlineHz = 55")]
    [InlineData("""{"seed": 1, "noise": {"snr": 10, "nstdbMuscle": 1}, "segments": [{"rhythm": "SR", "durationSeconds": 1}]}""", "noise.nstdbDirectory is missing")]
    [InlineData("""{"seed": 1, "leads": ["I", "X"], "segments": [{"rhythm": "SR", "durationSeconds": 1}]}""", "unknown lead \"X\"")]
    [InlineData("""{"seed": 1, "segments": [{"rhythm": "SR", "durationSeconds": 1, "ectopy": "pacs"}]}""", "segments[0].ectopy = \"pacs\": use none, isolated, bigeminy, trigeminy or pac")]
    [InlineData("""{"seed": 1, "segments": [{"rhythm": "AF", "durationSeconds": 1, "ectopy": "pac"}]}""", "segments[0].ectopy: only sinus rhythms take an ectopy pattern")]
    [InlineData("""{"seed": 1, "segments": [{"rhythm": "PAC", "durationSeconds": 1, "ectopyRate": 0.6}]}""", "segments[0].ectopyRate = 0.6: must be within 0–0.5")]
    [InlineData("""{"seed": 1, "segments": [{"rhythm": "PAC", "durationSeconds": 1, "ectopy": "bigeminy"}]}""", "segments[0].ectopy = \"bigeminy\": rhythm PAC takes only atrial ectopy or none")]
    [InlineData("""{"seed": 1, "segments": [{"rhythm": "PVC", "durationSeconds": 1, "ectopy": "pac"}]}""", "segments[0].ectopy = \"pac\": rhythm PVC takes only ventricular ectopy or none")]
    [InlineData("""{"seed": 1, "segmnts": []}""", "segmnts")]
    [InlineData("""{"seed": "one", "segments": []}""", "$.seed")]
    public void BadScenariosAreRefusedNamingTheFileAndField(string json, string expected)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ecgstream-scenario-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        try
        {
            var e = Assert.Throws<ScenarioException>(() => ScenarioFile.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains(expected, e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void MalformedJsonNamesTheLine()
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioFile.Parse("{\n  \"seed\": 1,\n  \"segments\": [ { \"rhythm\": \"SR\" \"durationSeconds\": 1 } ]\n}", "bad.json"));
        Assert.Contains("bad.json", e.Message);
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void MissingFileIsAClearError()
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioFile.Load("/nonexistent/scenario.json"));
        Assert.Contains("/nonexistent/scenario.json", e.Message);
    }
}
