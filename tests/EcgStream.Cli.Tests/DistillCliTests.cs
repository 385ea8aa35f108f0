namespace EcgStream.Cli.Tests;

/// <summary>`train distill` refuses bad settings in one line, before it starts libtorch or reads any data.</summary>
public class DistillCliTests
{
    private static string Teacher => Path.Combine(AppContext.BaseDirectory, "models", "ecgstream-teacher.onnx");

    [Theory]
    [InlineData("--teacher-copies", "-1", "error: --teacher-copies -1: must be 0 or more")]
    [InlineData("--teacher-copies-min-leads", "0", "error: --teacher-copies-min-leads 0: must be within 1…12")]
    [InlineData("--teacher-copies-min-leads", "13", "error: --teacher-copies-min-leads 13: must be within 1…12")]
    [InlineData("--data", "synthetic", "error: --data 'synthetic': expected real or real+synthetic (the student is scored on real test records)")]
    public async Task Bad_settings_are_refused_in_one_line(string option, string value, string message)
    {
        var dir = Directory.CreateTempSubdirectory("ecgstream-distill-").FullName;
        try
        {
            var r = await CliRunner.RunAsync("train", "distill", "--teacher", Teacher, "--out", Path.Combine(dir, "run"), option, value, "--data-root", Path.Combine(dir, "no-data"));
            Assert.Equal(2, r.ExitCode);
            Assert.Equal(message, r.Stderr.Trim());
            Assert.False(Directory.Exists(Path.Combine(dir, "run")), "a refused run left a run folder");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
