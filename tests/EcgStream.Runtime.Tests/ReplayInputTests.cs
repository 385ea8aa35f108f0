using EcgStream.Core.Leads;
using EcgStream.Formats;
using EcgStream.Ingest.Replay;
using EcgStream.Runtime.Replay;

namespace EcgStream.Runtime.Tests;

/// <summary>A header's sample rate is refused in one line before anything is sized from it.</summary>
public class ReplayInputTests
{
    private static Recording At(double fs) => new()
    {
        Name = "huge-fs", SampleRate = fs, Samples = [new float[100]], Signals = [new SignalInfo { Name = "II" }],
    };

    [Theory]
    [InlineData(1e12, "record huge-fs: sample rate 1000000000000 Hz is not a whole number of Hz in 1..100000")]
    [InlineData(360.5, "record huge-fs: sample rate 360.5 Hz is not a whole number of Hz in 1..100000")]
    public async Task Replay_of_a_rate_the_pipeline_cannot_take_is_one_clear_line(double fs, string message)
    {
        // `ecgstream replay` prints InvalidDataException as "error: MESSAGE" and exits with 2 (CliErrors.Guard)
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ReplayRunner.RunAsync(At(fs), _ => { }));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Playing_blocks_at_a_rate_no_block_can_hold_is_refused_rather_than_allocated()
    {
        var e = Assert.Throws<InvalidDataException>(() => RecordingSource.Play(1e12, LeadSet.Of(Lead.II), [new float[100]], new ReplayOptions { BlockSeconds = 0.04 }));
        Assert.Equal("sample rate 1000000000000 Hz: a 0.04 s block of 1 lead(s) would exceed 4194304 samples", e.Message);
    }
}
