using System.Globalization;
using System.Text.Json;
using EcgStream.Core.Models;
using EcgStream.Onnx.Proto;

namespace EcgStream.Cli.Tests;

/// <summary>`train thresholds`: validation thresholds of a trained model chosen again and written into its metadata.</summary>
public class ThresholdsCliTests
{
    private static string Bundled => Path.Combine(AppContext.BaseDirectory, "models", "ecgstream.onnx");

    [Fact]
    public async Task Thresholds_chosen_on_validation_rows_are_written_into_the_model_and_its_siblings()
    {
        var dir = Directory.CreateTempSubdirectory("ecgstream-thresholds-").FullName;
        try
        {
            var model = Path.Combine(dir, "model.onnx");
            var sibling = Path.Combine(dir, "sibling.onnx");
            File.Copy(Bundled, model);
            File.Copy(Bundled, sibling);
            var r = await CliRunner.RunAsync("train", "thresholds", "--model", model, "--run", Path.Combine(dir, "run"), "--data", "synthetic", "--windows", "256",
                "--write", "--apply-to", sibling);
            Assert.True(r.ExitCode == 0, r.Stderr);

            var chosen = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run", "thresholds.json"))).RootElement;
            var thresholds = chosen.GetProperty("thresholds").EnumerateArray().Select(t => (float)t.GetProperty("threshold").GetDouble()).ToArray();
            Assert.Equal(11, thresholds.Length);
            Assert.All(thresholds, t => Assert.InRange(t, 0.05f, 0.95f));
            // Every validation row is written, one per synthetic window (synthetic patients are annotated streams).
            int rows = File.ReadLines(Path.Combine(dir, "run", "threshold-rows.jsonl")).Count();
            Assert.Equal(chosen.GetProperty("rows").GetInt32(), rows);
            Assert.Equal(64, rows);

            foreach (var path in new[] { model, sibling })
            {
                var written = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).MetadataProps.Single(p => p.Key == ModelContract.Keys.Thresholds).Value;
                Assert.Equal(thresholds, written.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray());
            }

            // Same model, same rows: the same choice (the written thresholds do not feed back into it).
            r = await CliRunner.RunAsync("train", "thresholds", "--model", model, "--run", Path.Combine(dir, "again"), "--data", "synthetic", "--windows", "256");
            Assert.True(r.ExitCode == 0, r.Stderr);
            var again = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "again", "thresholds.json"))).RootElement;
            Assert.Equal(thresholds, again.GetProperty("thresholds").EnumerateArray().Select(t => (float)t.GetProperty("threshold").GetDouble()).ToArray());
            Assert.Equal(thresholds, again.GetProperty("before").EnumerateArray().Select(t => (float)t.GetDouble()).ToArray());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task Thresholds_refuses_apply_to_without_write_and_a_bad_data_name_in_one_line()
    {
        var r = await CliRunner.RunAsync("train", "thresholds", "--model", Bundled, "--run", "/tmp/x", "--apply-to", Bundled);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: --apply-to writes thresholds into other models: add --write", r.Stderr.Trim());

        r = await CliRunner.RunAsync("train", "thresholds", "--model", Bundled, "--run", "/tmp/x", "--data", "ptbxl");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: --data 'ptbxl': expected real, synthetic or real+synthetic", r.Stderr.Trim());

        // A sibling of another class set would take thresholds in the wrong order: refused before anything is scored.
        var other = Path.Combine(Path.GetTempPath(), $"ecgstream-other-classes-{Environment.ProcessId}.onnx");
        try
        {
            var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Bundled));
            proto.MetadataProps.Single(p => p.Key == ModelContract.Keys.Classes).Value = "AF,SR";
            File.WriteAllBytes(other, Google.Protobuf.MessageExtensions.ToByteArray(proto));
            r = await CliRunner.RunAsync("train", "thresholds", "--model", Bundled, "--run", "/tmp/x", "--write", "--apply-to", other);
            Assert.Equal(2, r.ExitCode);
            Assert.Equal($"error: {other}: classes AF,SR are not class set v1 (SR,AF,AFL,STACH,SBRAD,SVT,VT,VF,PACE,VECT,NOISE)", r.Stderr.Trim());
        }
        finally { File.Delete(other); }
    }
}
