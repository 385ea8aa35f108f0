using System.Reactive.Linq;
using System.Reactive.Subjects;
using EcgStream.Runtime.Pipeline;

namespace EcgStream.Runtime.Tests;

public class StageOperatorTests
{
    private sealed class Doubler : IStage<int, int>
    {
        private int _seen;
        public void OnNext(in int input, IObserver<int> output)
        {
            if (input < 0) throw new ArgumentException($"negative input {input}");
            _seen++;
            output.OnNext(input * 2);
        }
        public void OnCompleted(IObserver<int> output) => output.OnNext(-_seen); // a flush with state
    }

    [Fact]
    public void Each_subscription_gets_its_own_stage_and_completion_flushes()
    {
        var source = new[] { 1, 2, 3 }.ToObservable();
        var through = source.Through(() => new Doubler());
        Assert.Equal([2, 4, 6, -3], through.ToList().Wait());
        Assert.Equal([2, 4, 6, -3], through.ToList().Wait()); // fresh state the second time
    }

    [Fact]
    public void A_stage_exception_becomes_OnError_and_unsubscribes_upstream()
    {
        var subject = new Subject<int>();
        var got = new List<int>();
        Exception? error = null;
        using var sub = subject.Through(() => new Doubler()).Subscribe(got.Add, e => error = e);
        subject.OnNext(1);
        subject.OnNext(-1);
        subject.OnNext(5); // ignored: the pipeline has ended
        Assert.Equal([2], got);
        Assert.IsType<ArgumentException>(error);
        Assert.Contains("negative input -1", error!.Message);
        Assert.False(subject.HasObservers);
    }
}
