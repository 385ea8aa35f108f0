using System.Reactive.Linq;

namespace EcgStream.Runtime.Pipeline;

public static class StageOperators
{
    /// <summary>
    /// Runs every element of <paramref name="source"/> through a fresh stage made per subscription.
    /// An exception thrown by the stage ends the sequence with OnError (and unsubscribes upstream);
    /// it never escapes into the producer.
    /// </summary>
    public static IObservable<TOut> Through<TIn, TOut>(this IObservable<TIn> source, Func<IStage<TIn, TOut>> stageFactory)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(stageFactory);
        // Observable.Create gives Rx's auto-detach: after OnError/OnCompleted the upstream
        // subscription is disposed and later notifications are ignored.
        return Observable.Create<TOut>(observer => source.Subscribe(new StageSink<TIn, TOut>(stageFactory(), observer)));
    }

    private sealed class StageSink<TIn, TOut>(IStage<TIn, TOut> stage, IObserver<TOut> downstream) : IObserver<TIn>
    {
        private bool _stopped;

        public void OnNext(TIn value)
        {
            if (_stopped) return;
            try { stage.OnNext(in value, downstream); }
            catch (Exception e) { Fail(e); }
        }

        public void OnError(Exception error)
        {
            if (_stopped) return;
            _stopped = true;
            downstream.OnError(error);
        }

        public void OnCompleted()
        {
            if (_stopped) return;
            try { stage.OnCompleted(downstream); }
            catch (Exception e) { Fail(e); return; }
            _stopped = true;
            downstream.OnCompleted();
        }

        private void Fail(Exception e)
        {
            _stopped = true;
            downstream.OnError(e);
        }
    }
}
