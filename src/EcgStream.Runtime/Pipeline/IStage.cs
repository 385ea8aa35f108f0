namespace EcgStream.Runtime.Pipeline;

/// <summary>
/// A stateful step of a stream's pipeline (a preprocessor, a window ring, a tracker). One instance
/// serves one subscription, i.e. one stream, so it may keep filter state and reuse buffers.
/// Outputs are pushed synchronously to <paramref name="output"/> during the call; like
/// <see cref="Core.Samples.SampleBlock"/>, what is pushed may refer to the stage's own buffers.
/// </summary>
public interface IStage<TIn, TOut>
{
    void OnNext(in TIn input, IObserver<TOut> output);

    /// <summary>End of stream: flush what is pending (close open episodes, emit a last window).</summary>
    void OnCompleted(IObserver<TOut> output);
}
