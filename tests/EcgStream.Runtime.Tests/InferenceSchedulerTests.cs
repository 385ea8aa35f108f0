using EcgStream.Core.Models;
using System.Reactive.Threading.Tasks;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using EcgStream.Core.Leads;
using EcgStream.Core.Rhythms;
using EcgStream.Core.Samples;
using EcgStream.Runtime.Inference;

namespace EcgStream.Runtime.Tests;

public class InferenceSchedulerTests
{
    /// <summary>A managed stand-in for a model: P(AF) = window's first sample of lead I; P(SR) = number of leads / 12.</summary>
    private sealed class FakeModel(int maxBatch, int windowLength = 50, TimeSpan? delay = null, bool fail = false) : IWindowClassifier
    {
        private readonly float[] _ecg = new float[maxBatch * 12 * windowLength];
        private readonly float[] _mask = new float[maxBatch * 12];
        private readonly float[] _out = new float[maxBatch * RhythmClasses.Count];
        public int Runs, LargestBatch;
        public string ModelId => "fake";
        public int MaxBatch => maxBatch;
        public int WindowLength => windowLength;
        public IReadOnlyList<double> Thresholds { get; } = Enumerable.Repeat(0.5, RhythmClasses.Count).ToArray();
        public Span<float> Ecg(int slot) => _ecg.AsSpan(slot * 12 * windowLength, 12 * windowLength);
        public Span<float> LeadMask(int slot) => _mask.AsSpan(slot * 12, 12);
        public ReadOnlySpan<float> Probabilities(int slot) => _out.AsSpan(slot * RhythmClasses.Count, RhythmClasses.Count);
        public void Run(int batch)
        {
            if (fail) throw new InvalidOperationException("model exploded");
            if (delay is { } d) Thread.Sleep(d);
            Runs++;
            LargestBatch = Math.Max(LargestBatch, batch);
            for (int i = 0; i < batch; i++)
            {
                var o = _out.AsSpan(i * RhythmClasses.Count, RhythmClasses.Count);
                o.Fill(float.NaN);
                o[(int)RhythmClass.AF] = Ecg(i)[0];
                float leads = 0;
                foreach (var m in LeadMask(i)) leads += m;
                o[(int)RhythmClass.SR] = leads / 12f;
            }
        }
        public void Dispose() { }
    }

    /// <summary>A contract-v2 stand-in: P(AF) = the window's third rhythm feature (its RR coefficient of variation).</summary>
    private sealed class FakeRhythmModel(int maxBatch) : IWindowClassifier
    {
        private readonly float[] _ecg = new float[maxBatch * 12 * 50];
        private readonly float[] _mask = new float[maxBatch * 12];
        private readonly float[] _rhythm = new float[maxBatch * ModelContract.RhythmFeatureCount];
        private readonly float[] _out = new float[maxBatch * RhythmClasses.Count];
        public string ModelId => "fake-v2";
        public int MaxBatch => maxBatch;
        public int WindowLength => 50;
        public IReadOnlyList<double> Thresholds { get; } = Enumerable.Repeat(0.5, RhythmClasses.Count).ToArray();
        public Span<float> Ecg(int slot) => _ecg.AsSpan(slot * 12 * 50, 12 * 50);
        public Span<float> LeadMask(int slot) => _mask.AsSpan(slot * 12, 12);
        public Span<float> Rhythm(int slot) => _rhythm.AsSpan(slot * ModelContract.RhythmFeatureCount, ModelContract.RhythmFeatureCount);
        public ReadOnlySpan<float> Probabilities(int slot) => _out.AsSpan(slot * RhythmClasses.Count, RhythmClasses.Count);
        public void Run(int batch)
        {
            for (int i = 0; i < batch; i++)
            {
                var o = _out.AsSpan(i * RhythmClasses.Count, RhythmClasses.Count);
                o.Fill(float.NaN);
                o[(int)RhythmClass.AF] = Rhythm(i)[3];
            }
        }
        public void Dispose() { }
    }

    [Fact]
    public async Task A_v2_model_reads_each_windows_own_rhythm_features_and_zeros_for_a_window_without_them()
    {
        var model = new FakeRhythmModel(maxBatch: 4);
        using var scheduler = new InferenceScheduler(model, new SchedulerOptions { Policy = QueueFullPolicy.Wait, QueueCapacity = 8 });
        var subject = new Subject<EcgWindow>();
        var task = scheduler.Classify(subject).Select(w => w.Probabilities.Span[(int)RhythmClass.AF]).ToList().ToTask();
        var data = new float[12 * 50];
        var features = new float[ModelContract.RhythmFeatureCount];
        for (int k = 0; k < 10; k++)
        {
            features[3] = k / 10f;
            // The producer reuses its feature buffer: the scheduler must copy it with the window.
            subject.OnNext(new EcgWindow("bed", 250L * (k + 1), 250, 50, LeadSet.Of(Lead.I), data, features));
        }
        subject.OnNext(new EcgWindow("bed", 250L * 11, 250, 50, LeadSet.Of(Lead.I), data));   // no features: zeros, "not valid"
        subject.OnCompleted();
        var got = await task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([.. Enumerable.Range(0, 10).Select(k => k / 10f), 0f], got);
    }

    private static EcgWindow Window(string stream, long end, float value, float[] buffer, LeadSet leads)
    {
        Array.Clear(buffer);
        buffer[0] = value;
        return new EcgWindow(stream, end, 250, buffer.Length / 12, leads, buffer);
    }

    [Fact]
    public async Task Windows_of_many_streams_are_batched_and_each_stream_gets_its_own_scores_in_order()
    {
        var model = new FakeModel(maxBatch: 8);
        using var scheduler = new InferenceScheduler(model, new SchedulerOptions { Policy = QueueFullPolicy.Wait, QueueCapacity = 16 });
        var subjects = Enumerable.Range(0, 5).Select(_ => new Subject<EcgWindow>()).ToArray();
        var results = subjects.Select(s => scheduler.Classify(s).Select(w => (w.StreamId, w.EndSeconds, Af: w.Probabilities.Span[(int)RhythmClass.AF], Sr: w.Probabilities.Span[(int)RhythmClass.SR])).ToList()).ToArray();
        var tasks = results.Select(r => r.ToTask()).ToArray();
        var buffer = new float[12 * 50];
        for (int k = 0; k < 100; k++)
            for (int s = 0; s < subjects.Length; s++)
                subjects[s].OnNext(Window($"bed{s}", 250L * (k + 1), k / 100f, buffer, s == 0 ? LeadSet.Of(Lead.I) : LeadSet.All));
        foreach (var s in subjects) s.OnCompleted();
        var all = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));
        for (int s = 0; s < subjects.Length; s++)
        {
            var got = all[s];
            Assert.Equal(100, got.Count);
            for (int k = 0; k < 100; k++)
            {
                Assert.Equal($"bed{s}", got[k].StreamId);
                Assert.Equal(k + 1, got[k].EndSeconds);
                Assert.Equal(k / 100f, got[k].Af);
                Assert.Equal(s == 0 ? 1 / 12f : 1f, got[k].Sr);
            }
        }
        Assert.Equal(500, scheduler.WindowsScored);
        Assert.Equal(0, scheduler.WindowsDropped);
        Assert.True(model.LargestBatch > 1, "windows from several beds should share runs");
        Assert.Equal(500, scheduler.EndToEnd.Count);
    }

    [Fact]
    public async Task A_window_with_no_readable_lead_is_not_run_and_answers_no_opinion_in_its_place()
    {
        var model = new FakeModel(maxBatch: 4);
        using var scheduler = new InferenceScheduler(model, new SchedulerOptions { Policy = QueueFullPolicy.Wait, QueueCapacity = 16 });
        var subject = new Subject<EcgWindow>();
        var task = scheduler.Classify(subject).Select(w => (w.EndSeconds, Af: w.Probabilities.Span[(int)RhythmClass.AF], Sr: w.Probabilities.Span[(int)RhythmClass.SR])).ToList().ToTask();
        var buffer = new float[12 * 50];
        // every third window has no readable lead (a lead-off or unreadable stretch): the model must never see it
        for (int k = 0; k < 12; k++)
            subject.OnNext(Window("bed", 250L * (k + 1), k / 100f, buffer, k % 3 == 1 ? LeadSet.None : LeadSet.Of(Lead.II)));
        subject.OnCompleted();
        var got = await task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([.. Enumerable.Range(1, 12).Select(k => (double)k)], got.Select(g => g.EndSeconds));
        for (int k = 0; k < 12; k++)
        {
            if (k % 3 == 1) Assert.True(float.IsNaN(got[k].Af) && float.IsNaN(got[k].Sr), $"window {k}: no opinion");
            else Assert.Equal((k / 100f, 1 / 12f), (got[k].Af, got[k].Sr));
        }
        Assert.Equal((8L, 4L, 12L), (scheduler.WindowsScored, scheduler.WindowsUnreadable, scheduler.WindowsDone));
    }

    [Fact]
    public async Task A_full_queue_drops_the_oldest_windows_and_counts_them()
    {
        var model = new FakeModel(maxBatch: 1, delay: TimeSpan.FromMilliseconds(20));
        using var scheduler = new InferenceScheduler(model, new SchedulerOptions { Policy = QueueFullPolicy.DropOldest, QueueCapacity = 4 });
        var subject = new Subject<EcgWindow>();
        var task = scheduler.Classify(subject).Select(w => w.EndSeconds).ToList().ToTask();
        var buffer = new float[12 * 50];
        for (int k = 0; k < 50; k++) subject.OnNext(Window("bed", 250L * (k + 1), 0, buffer, LeadSet.All));
        subject.OnCompleted();
        var ends = await task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(scheduler.WindowsDropped > 0);
        Assert.Equal(50, scheduler.WindowsScored + scheduler.WindowsDropped);
        Assert.Equal(ends.Count, scheduler.WindowsScored);
        Assert.Equal(ends.Order(), ends);        // still in order
        Assert.Equal(50, ends[^1]);              // the newest window survives
    }

    [Fact]
    public async Task A_failing_model_ends_the_streams_with_an_error_naming_the_model()
    {
        using var scheduler = new InferenceScheduler(new FakeModel(4, fail: true));
        var subject = new Subject<EcgWindow>();
        var task = scheduler.Classify(subject).ToList().ToTask();
        subject.OnNext(Window("bed", 250, 0, new float[12 * 50], LeadSet.All));
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("model exploded", ex.Message);
        // The scheduler is now unusable: a new stream is refused with a message naming the model.
        var subject2 = new Subject<EcgWindow>();
        var task2 = scheduler.Classify(subject2).ToList().ToTask();
        subject2.OnNext(Window("bed2", 250, 0, new float[12 * 50], LeadSet.All));
        var again = await Assert.ThrowsAsync<InvalidOperationException>(() => task2.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("model fake failed", again.Message);
    }

    [Fact]
    public void A_window_of_the_wrong_length_is_refused()
    {
        using var scheduler = new InferenceScheduler(new FakeModel(4, windowLength: 50));
        var subject = new Subject<EcgWindow>();
        Exception? error = null;
        using var _ = scheduler.Classify(subject).Subscribe(_ => { }, e => error = e);
        subject.OnNext(new EcgWindow("bedX", 100, 250, 60, LeadSet.All, new float[12 * 60]));
        var ex = Assert.IsType<ArgumentException>(error);
        Assert.Contains("bedX", ex.Message);
        Assert.False(subject.HasObservers);
    }

    [Fact]
    public void Steady_state_scoring_allocates_nothing_per_window()
    {
        var model = new FakeModel(maxBatch: 8);
        using var scheduler = new InferenceScheduler(model, new SchedulerOptions { Policy = QueueFullPolicy.Wait, QueueCapacity = 32 });
        var subject = new Subject<EcgWindow>();
        long seen = 0;
        var done = new ManualResetEventSlim();
        using var sub = scheduler.Classify(subject).Subscribe(_ => seen++, () => done.Set());
        var buffer = new float[12 * 50];
        for (int k = 0; k < 500; k++) subject.OnNext(Window("bed", k, 0.5f, buffer, LeadSet.All)); // warm-up
        SpinWait.SpinUntil(() => Interlocked.Read(ref seen) == 500, TimeSpan.FromSeconds(30));
        // Per thread (other test classes run in parallel): the producer here, the worker by its own count.
        long producerBefore = GC.GetAllocatedBytesForCurrentThread();
        long workerBefore = scheduler.WorkerAllocatedBytes;
        for (int k = 500; k < 5500; k++) subject.OnNext(Window("bed", k, 0.5f, buffer, LeadSet.All));
        SpinWait.SpinUntil(() => Interlocked.Read(ref seen) == 5500, TimeSpan.FromSeconds(30));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - producerBefore + scheduler.WorkerAllocatedBytes - workerBefore;
        subject.OnCompleted();
        Assert.True(done.Wait(TimeSpan.FromSeconds(30)));
        Assert.True(allocated < 1024, $"allocated {allocated} bytes for 5000 windows");
    }
}
