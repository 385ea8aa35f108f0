namespace EcgStream.Core.Tasks;

/// <summary>
/// One step of a stop, bounded: a daemon or worker told to stop must end even when a connection never answers its
/// close. The daemon and the cluster worker await their shutdown steps through this and say what they left behind.
/// </summary>
public static class StopSteps
{
    /// <summary>
    /// Awaits <paramref name="step"/> for at most <paramref name="limit"/>. False when it had not finished by then (it is
    /// left running); a step that ended by cancellation has finished. A step that failed throws its exception, as before.
    /// </summary>
    public static async Task<bool> FinishesWithinAsync(Task step, TimeSpan limit)
    {
        try
        {
            await step.WaitAsync(limit, CancellationToken.None);
            return true;
        }
        catch (TimeoutException) when (!step.IsCompleted) { return false; }
        catch (OperationCanceledException) { return true; }
    }
}
