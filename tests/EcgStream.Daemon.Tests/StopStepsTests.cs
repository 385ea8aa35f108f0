using EcgStream.Core.Tasks;

namespace EcgStream.Daemon.Tests;

/// <summary>The bound on each shutdown step (daemon and cluster worker): a step that never ends is left, not awaited.</summary>
public class StopStepsTests
{
    [Fact]
    public async Task A_step_that_never_ends_is_left_after_its_limit_and_a_finished_or_cancelled_one_counts_as_done()
    {
        var never = new TaskCompletionSource().Task;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(await StopSteps.FinishesWithinAsync(never, TimeSpan.FromMilliseconds(200)));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(30));
        Assert.True(await StopSteps.FinishesWithinAsync(Task.CompletedTask, TimeSpan.FromMilliseconds(200)));
        Assert.True(await StopSteps.FinishesWithinAsync(Task.FromCanceled(new CancellationToken(true)), TimeSpan.FromMilliseconds(200)));
        // a step that ends late, within its limit, is waited for
        Assert.True(await StopSteps.FinishesWithinAsync(Task.Delay(100), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_step_that_fails_throws_its_own_exception_even_a_timeout()
    {
        var e = await Assert.ThrowsAsync<TimeoutException>(() => StopSteps.FinishesWithinAsync(Task.FromException(new TimeoutException("nats: close timed out")), TimeSpan.FromSeconds(5)));
        Assert.Equal("nats: close timed out", e.Message);
        await Assert.ThrowsAsync<IOException>(() => StopSteps.FinishesWithinAsync(Task.FromException(new IOException("gone")), TimeSpan.FromSeconds(5)));
    }
}
