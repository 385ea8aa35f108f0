using System.Text.Json;
using EcgStream.Core.Leads;
using EcgStream.Formats;
using EcgStream.Formats.Wfdb;
using EcgStream.Synthetic;

namespace EcgStream.Cli.Tests;

public sealed class ReplayCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ecgstream-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A 2-lead synthetic record with an AF episode, written as WFDB (format 16).</summary>
    private string WriteAfRecord(string name = "af")
    {
        var sim = Simulator.Run(new Scenario
        {
            Seed = 5, SampleRate = 360, Leads = LeadSet.Of(Lead.I, Lead.II), Noise = new NoiseSpec { Snr = 24 },
            Segments = [new ScenarioSegment("SR", 100, HeartRate: 70), new ScenarioSegment("AF", 150, HeartRate: 110), new ScenarioSegment("SR", 80)],
        });
        return sim.WriteWfdb(_dir, name);
    }

    [Fact]
    public async Task Replay_prints_one_json_event_per_line_with_the_documented_fields()
    {
        var record = WriteAfRecord();
        var r = await CliRunner.RunAsync("replay", record, "--speed", "max", "--model", "none");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var events = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var af = events.Where(e => e.GetProperty("rhythm").GetString() == "AF" && e.GetProperty("source").GetString() == "rule").ToList();
        Assert.Equal(["onset", "offset"], af.Select(e => e.GetProperty("kind").GetString()));
        // without a model the fused source (what alarms) repeats the rules' episode, source "fused"
        var fused = events.Where(e => e.GetProperty("rhythm").GetString() == "AF" && e.GetProperty("source").GetString() == "fused").ToList();
        Assert.Equal(af.Select(e => e.GetProperty("start_s").GetDouble()), fused.Select(e => e.GetProperty("start_s").GetDouble()));
        var onset = af[0];
        Assert.Equal("rhythm", onset.GetProperty("type").GetString());
        Assert.Equal("rule", onset.GetProperty("source").GetString());
        Assert.InRange(onset.GetProperty("start_s").GetDouble(), 90, 130);
        Assert.True(onset.GetProperty("detected_s").GetDouble() >= onset.GetProperty("start_s").GetDouble());
        Assert.InRange(onset.GetProperty("confidence").GetDouble(), 0.5, 1.0);
        Assert.InRange(af[1].GetProperty("end_s").GetDouble(), 240, 290);
        Assert.Contains("\"summary\"", r.Stderr);
    }

    [Fact]
    public async Task Replay_reads_a_header_with_a_malformed_optional_field_and_prints_the_warning()
    {
        var record = WriteAfRecord("warned");
        string hea = record + ".hea";
        var lines = File.ReadAllLines(hea);
        lines[0] += " 12-Mai-2020";   // a base time that is no time (a misspelt month): ignored, the signal still plays
        File.WriteAllLines(hea, lines);
        var r = await CliRunner.RunAsync("replay", record, "--speed", "max", "--model", "none");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains($"warning: {hea}, line 1, field 'base_time': '12-Mai-2020' is neither a time of day (hh:mm:ss) nor a date (dd/mm/yyyy or dd-Mon-yyyy); ignored", r.Stderr);
        Assert.Contains("\"rhythm\":\"AF\"", r.Stdout);
    }

    [Fact]
    public async Task Replay_runs_the_bundled_model_by_default_and_none_turns_it_off()
    {
        var bundled = Path.Combine(AppContext.BaseDirectory, "models", "ecgstream.onnx");
        Assert.True(File.Exists(bundled), $"the shipped model should be copied beside the tool: {bundled}");
        var record = WriteAfRecord("bundled");
        var env = new Dictionary<string, string?> { ["ECGSTREAM_MODEL"] = null };
        var withModel = await CliRunner.RunWithEnvironmentAsync(env, "replay", record, "--speed", "max");
        Assert.True(withModel.ExitCode == 0, withModel.Stderr);
        var summary = JsonDocument.Parse(withModel.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.Contains("\"summary\""))).RootElement;
        Assert.StartsWith("ecgstream-", summary.GetProperty("model").GetString());
        Assert.True(summary.GetProperty("windows_scored").GetInt32() >= 300, withModel.Stderr);   // 330 s at a 1 s hop
        var rulesOnly = await CliRunner.RunWithEnvironmentAsync(env, "replay", record, "--speed", "max", "--model", "none");
        Assert.True(rulesOnly.ExitCode == 0, rulesOnly.Stderr);
        Assert.DoesNotContain("\"windows_scored\"", rulesOnly.Stderr);
    }

    [Fact]
    public async Task Replay_honours_the_stream_id()
    {
        var record = WriteAfRecord("named");
        var r = await CliRunner.RunAsync("replay", record, "--model", "none", "--stream-id", "bed-7");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var streams = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("stream").GetString()).ToList();
        Assert.NotEmpty(streams);
        Assert.All(streams, s => Assert.Equal("bed-7", s));
    }

    [Fact]
    public async Task Replay_writes_detected_episodes_as_a_wfdb_annotation_file()
    {
        var record = WriteAfRecord();
        var atr = Path.Combine(_dir, "out.atr");
        var r = await CliRunner.RunAsync("replay", record, "--annotations", atr, "--model", "none");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var notes = Wfdb.ReadAnnotations(Path.Combine(_dir, "out"), "atr");
        Assert.Contains(notes, a => a.Aux == "(AFIB");
        Assert.All(notes, a => Assert.Equal(AnnotationCode.Rhythm, a.Code));
    }

    [Fact]
    public async Task A_truncated_signal_file_is_an_error_naming_the_file()
    {
        var record = WriteAfRecord("trunc");
        var dat = record + ".dat";
        var bytes = File.ReadAllBytes(dat);
        File.WriteAllBytes(dat, bytes[..(bytes.Length / 2)]);
        var r = await CliRunner.RunAsync("replay", record);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: ", r.Stderr);
        Assert.Contains("trunc.dat", r.Stderr);
        Assert.Empty(r.Stdout);
    }

    [Theory]
    [InlineData("lying-length", "2 360 99999999", "length")]
    [InlineData("bad-format", "format:999", "format")]
    [InlineData("zero-rate", "2 0 ", "rate")]
    public async Task A_header_that_lies_is_an_error_naming_the_header(string name, string edit, string mentions)
    {
        var record = WriteAfRecord(name);
        var hea = record + ".hea";
        var lines = File.ReadAllLines(hea);
        var fields = lines[0].Split(' ');
        if (edit.StartsWith("format:"))
            for (int i = 1; i < lines.Length && !lines[i].StartsWith('#'); i++)
            {
                var f = lines[i].Split(' ');
                f[1] = edit["format:".Length..];
                lines[i] = string.Join(' ', f);
            }
        else if (edit.StartsWith("2 0"))
            lines[0] = $"{fields[0]} {fields[1]} 0 {string.Join(' ', fields.Skip(3))}";
        else
            lines[0] = $"{fields[0]} {fields[1]} {fields[2]} 99999999";
        File.WriteAllLines(hea, lines);
        var r = await CliRunner.RunAsync("replay", record);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{name}.hea", r.Stderr.Replace(".dat", ".hea"));
        Assert.Contains(mentions, r.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Nan_samples_are_held_and_the_replay_goes_on()
    {
        // A float record (EDF would quantise): write WFDB format 16, then mark a stretch invalid
        // (-32768 is WFDB's invalid-sample code for format 16, read back as NaN).
        var record = WriteAfRecord("nan");
        var dat = record + ".dat";
        var bytes = File.ReadAllBytes(dat);
        for (int i = 4000 * 4; i < 4400 * 4; i += 2) { bytes[i] = 0x00; bytes[i + 1] = 0x80; }
        File.WriteAllBytes(dat, bytes);
        var hea = File.ReadAllLines(record + ".hea");
        for (int i = 1; i < hea.Length && !hea[i].StartsWith('#'); i++)
        {
            var f = hea[i].Split(' ');
            f[6] = "0"; // the checksum field no longer holds: 0 = not given
            hea[i] = string.Join(' ', f);
        }
        File.WriteAllLines(record + ".hea", hea);
        var r = await CliRunner.RunAsync("replay", record, "--model", "none");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("\"AF\"", r.Stdout);
    }

    /// <summary>Signal <paramref name="signal"/>'s checksum in the header, off by one (what a corrupt .dat looks like to the reader).</summary>
    private static void CorruptChecksum(string record, int signal)
    {
        var hea = File.ReadAllLines(record + ".hea");
        var f = hea[1 + signal].Split(' ');
        f[6] = (short.Parse(f[6]) is var v && v == -1 ? 1 : (short)(v + 1)).ToString();   // never 0 ("not given")
        hea[1 + signal] = string.Join(' ', f);
        File.WriteAllLines(record + ".hea", hea);
    }

    [Fact]
    public async Task Replay_verifies_the_checksums_as_it_streams_and_refuses_a_mismatch_as_evaluate_does()
    {
        var record = WriteAfRecord("sum");
        var good = await CliRunner.RunAsync("replay", record, "--model", "none");
        Assert.True(good.ExitCode == 0, good.Stderr);
        Assert.DoesNotContain("checksum", good.Stderr);

        CorruptChecksum(record, 1);
        var evaluate = await CliRunner.RunAsync("evaluate", record, "--model", "none");
        Assert.Equal(2, evaluate.ExitCode);
        string line = evaluate.Stderr.Trim();
        Assert.Equal($"error: {record}.dat, field 'checksum': checksum mismatch for signal 1 ('II'): ", line[..line.IndexOf("the header says", StringComparison.Ordinal)]);

        // replay streams: the events before the end are out already; the end refuses the record with the same line
        string atr = Path.Combine(_dir, "out.atr");
        var r = await CliRunner.RunAsync("replay", record, "--model", "none", "--annotations", atr);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(line, r.Stderr.Trim().Split('\n')[^1]);
        Assert.DoesNotContain("\"summary\"", r.Stderr);
        Assert.False(File.Exists(atr));   // no annotations from a record that failed its check
    }

    [Fact]
    public async Task Evaluate_refuses_a_corrupt_reference_in_one_line_without_a_warning_before_it()
    {
        var record = WriteAfRecord("badatr");
        File.WriteAllBytes(record + ".atr", [0x0A, 0x04, 0x05, 0xE4, 0x00, 0x00]);   // a normal beat, then code 57 (undefined)
        var r = await CliRunner.RunAsync("evaluate", record, "--model", "none");
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith($"error: {record}.atr, byte offset 2: annotation code 57", line);
    }

    [Fact]
    public async Task Replay_with_dropped_blocks_says_it_could_not_verify_the_checksums()
    {
        var record = WriteAfRecord("drop");
        CorruptChecksum(record, 0);
        var r = await CliRunner.RunAsync("replay", record, "--model", "none", "--drop", "0.2");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains($"note: {record}.dat: checksums not verified: the replay did not read every frame of it (blocks dropped by --drop, or no lead played from it)", r.Stderr);
        Assert.Contains("\"summary\"", r.Stderr);
    }

    [Theory]
    [InlineData(250)]
    [InlineData(5)]
    public async Task A_flat_record_is_lead_off_from_its_first_second_never_before_it(int rate)
    {
        // 30 s of zeros: LEAD_OFF from the start; the filter delay once dated its onset at -0.007 s (at 5 Hz its
        // detection at -3.5 s)
        string record = Path.Combine(_dir, $"flat{rate}");
        File.WriteAllBytes(record + ".dat", new byte[2 * rate * 30]);
        File.WriteAllText(record + ".hea", $"flat{rate} 1 {rate} {rate * 30}\nflat{rate}.dat 16 200/mV 16 0 0 0 0 II\n");
        var r = await CliRunner.RunAsync("replay", record, "--model", "none", "--speed", "max");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var events = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var onset = events.Single(e => e.GetProperty("rhythm").GetString() == "LEAD_OFF" && e.GetProperty("kind").GetString() == "onset");
        Assert.Equal(0, onset.GetProperty("start_s").GetDouble());
        Assert.All(events, e => Assert.True(e.GetProperty("start_s").GetDouble() >= 0
            && e.GetProperty("detected_s").GetDouble() >= e.GetProperty("start_s").GetDouble(), e.ToString()));
    }

    [Fact]
    public async Task Missing_files_and_bad_options_are_one_line_errors()
    {
        var missing = await CliRunner.RunAsync("replay", Path.Combine(_dir, "nope"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nope", missing.Stderr);
        var record = WriteAfRecord("opts");
        var speed = await CliRunner.RunAsync("replay", record, "--speed", "fast");
        Assert.Equal(2, speed.ExitCode);
        Assert.Contains("--speed 'fast'", speed.Stderr);
        var lead = await CliRunner.RunAsync("replay", record, "--lead", "ECG=V9");
        Assert.Equal(2, lead.ExitCode);
        Assert.Contains("--lead 'ECG=V9'", lead.Stderr);
    }

    [Fact]
    public async Task Simulate_then_evaluate_round_trips_through_wfdb()
    {
        var scenario = Path.Combine(TestRepo.Root, "tools", "scenarios", "af-paroxysmal.json");
        var sim = await CliRunner.RunAsync("simulate", "--scenario", scenario, "--out", _dir);
        Assert.True(sim.ExitCode == 0, sim.Stderr);
        // As a shell glob names it: the record's .hea, .dat and .atr files stand for one record, counted once.
        var record = Path.Combine(_dir, "af-paroxysmal");
        var eval = await CliRunner.RunAsync("evaluate", record + ".hea", record + ".dat", record + ".atr", record, "--rhythm", "AF", "--model", "none");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        var lines = eval.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // the record once, then ALL; each for the rule and the fused source (no model)
        Assert.Equal(["af-paroxysmal rule", "af-paroxysmal fused", "ALL rule", "ALL fused"],
            lines.Select(l => JsonDocument.Parse(l).RootElement).Select(e => $"{e.GetProperty("record").GetString()} {e.GetProperty("source").GetString()}"));
        var all = JsonDocument.Parse(lines[2]).RootElement;
        Assert.Equal("ALL", all.GetProperty("record").GetString());
        Assert.Equal(2, all.GetProperty("reference_episodes").GetInt32());
        Assert.Equal(1.0, all.GetProperty("episode_sensitivity").GetDouble());
    }
}

internal static class TestRepo
{
    public static string Root => EcgStream.Tests.TestData.RepoRoot;
}
