using EcgStream.Core.Models;
using System.Diagnostics;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using EcgStream.Core.Events;
using EcgStream.Core.Leads;
using EcgStream.Core.Rhythms;
using EcgStream.Core.Samples;
using EcgStream.Runtime.Metrics;

namespace EcgStream.Runtime.Inference;

/// <summary>
/// Scores windows from many streams with one model: windows are copied into pre-allocated queue
/// slots as they arrive (the window's own memory is only valid during OnNext), a single worker
/// thread takes up to <see cref="IWindowClassifier.MaxBatch"/> of them per run, and each stream
/// gets its <see cref="WindowScores"/> back on the worker thread, in the order its windows came.
/// The queue is bounded; see <see cref="QueueFullPolicy"/>. Steady state allocates nothing.
/// <para>A window with no readable lead (every lead off, unreadable or absent over it) is not run: the model would read
/// zeros and call them something (a flat line read as flutter or ventricular ectopy). Its scores go out in order all NaN,
/// "no opinion", which the trackers and the fusion already treat as neither for nor against.</para>
/// </summary>
public sealed class InferenceScheduler : IDisposable
{
    private readonly IWindowClassifier _model;
    private readonly SchedulerOptions _options;
    private readonly Item[] _ring;            // circular queue of slots, _head.._head+_count
    private int _head, _count;
    private readonly object _gate = new(); // Monitor: guards the ring, counters of the producers, _spare
    private readonly Thread _worker;
    private readonly float[] _probs = new float[RhythmClasses.Count];
    private readonly float[] _noOpinion = new float[RhythmClasses.Count];
    private readonly Item[] _batch;
    private readonly int[] _slotOf;           // per batch item, its model slot; -1: no readable lead, not run
    private readonly Stack<Item> _spare = new();
    private bool _disposed;
    private Exception? _fault;

    public InferenceScheduler(IWindowClassifier model, SchedulerOptions? options = null)
    {
        _model = model;
        _options = options ?? new SchedulerOptions();
        if (_options.QueueCapacity < 1) throw new ArgumentOutOfRangeException(nameof(options), _options.QueueCapacity, "QueueCapacity must be at least 1");
        _ring = new Item[_options.QueueCapacity];
        for (int i = 0; i < _ring.Length; i++) _ring[i] = new Item(Leads.Count * model.WindowLength);
        _batch = new Item[model.MaxBatch];
        _slotOf = new int[model.MaxBatch];
        Array.Fill(_noOpinion, float.NaN);
        // Spares replace ring slots taken by the worker: one batch plus an end marker in flight.
        for (int i = 0; i <= model.MaxBatch; i++) _spare.Push(new Item(Leads.Count * model.WindowLength));
        _worker = new Thread(WorkLoop) { IsBackground = true, Name = "ecgstream-inference" };
        _worker.Start();
    }

    public string ModelId => _model.ModelId;
    public IReadOnlyList<double> Thresholds => _model.Thresholds;

    // Counters (read at any time; written under _gate or by the worker only).
    public long WindowsQueued { get; private set; }
    public long WindowsDropped { get; private set; }
    public long WindowsScored { get; private set; }
    /// <summary>Windows with no readable lead, answered "no opinion" without running the model.</summary>
    public long WindowsUnreadable { get; private set; }
    /// <summary>Windows the scheduler is finished with: scored, answered "no opinion", or dropped.</summary>
    public long WindowsDone => WindowsScored + WindowsUnreadable + WindowsDropped;
    public long Batches { get; private set; }
    /// <summary>Managed bytes the worker thread has allocated since it started (steady state: flat).</summary>
    public long WorkerAllocatedBytes => Interlocked.Read(ref _workerAllocated);
    private long _workerAllocated;

    /// <summary>Queue wait: window in → its batch starts.</summary>
    public LatencyHistogram QueueWait { get; } = new("queue_wait");
    /// <summary>One model run (a whole batch).</summary>
    public LatencyHistogram ModelRun { get; } = new("model_run");
    /// <summary>Window in (its last sample arrived) → its scores delivered downstream (tracker and sinks included).</summary>
    public LatencyHistogram EndToEnd { get; } = new("window_to_scores_delivered");

    /// <summary>Scores one stream's windows. Completion of <paramref name="windows"/> completes the result after its last window is scored.</summary>
    public IObservable<WindowScores> Classify(IObservable<EcgWindow> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        return Observable.Create<WindowScores>(observer =>
        {
            var stream = new StreamState(observer);
            // A refused window (wrong size, scheduler faulted or disposed) ends this stream with
            // OnError rather than throwing into the producer.
            var upstream = windows.Subscribe(
                w => { try { Enqueue(stream, in w); } catch (Exception e) { observer.OnError(e); } },
                e => EnqueueEnd(stream, e),
                () => EnqueueEnd(stream, null));
            return Disposable.Create(() => { stream.Detached = true; upstream.Dispose(); });
        });
    }

    private void Enqueue(StreamState stream, in EcgWindow window)
    {
        if (window.Length != _model.WindowLength)
            throw new ArgumentException($"stream {window.StreamId}: window of {window.Length} samples, model {_model.ModelId} takes {_model.WindowLength}");
        lock (_gate)
        {
            ThrowIfUnusable();
            while (_count == _ring.Length)
            {
                if (_options.Policy == QueueFullPolicy.Wait)
                {
                    Monitor.Wait(_gate);
                    ThrowIfUnusable();
                    continue;
                }
                if (!DropOldestWindow()) { Monitor.Wait(_gate); ThrowIfUnusable(); } // only end markers queued: wait
            }
            var item = _ring[(_head + _count) % _ring.Length];
            item.Stream = stream;
            item.IsEnd = false;
            item.StreamId = window.StreamId;
            item.StartSeconds = window.StartSeconds;
            item.EndSeconds = window.EndSeconds;
            item.Leads = window.Leads;
            item.Enqueued = Stopwatch.GetTimestamp();
            window.Data.Span.CopyTo(item.Ecg);
            // A v2 model reads the window's rhythm features; a window without them (its producer computed none) gets zeros, which the features define as "not valid".
            if (window.Rhythm.Length == item.Rhythm.Length) window.Rhythm.Span.CopyTo(item.Rhythm);
            else item.Rhythm.AsSpan().Clear();
            _count++;
            WindowsQueued++;
            Monitor.PulseAll(_gate);
        }
    }

    private void EnqueueEnd(StreamState stream, Exception? error)
    {
        lock (_gate)
        {
            // End markers are never dropped; under Wait, neither are windows to make room for one.
            while (_count == _ring.Length && (_options.Policy == QueueFullPolicy.Wait || !DropOldestWindow())) Monitor.Wait(_gate);
            var item = _ring[(_head + _count) % _ring.Length];
            item.Stream = stream;
            item.IsEnd = true;
            item.Error = error;
            _count++;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Drops the oldest queued window (not an end marker). Called under _gate.</summary>
    private bool DropOldestWindow()
    {
        for (int k = 0; k < _count; k++)
        {
            int idx = (_head + k) % _ring.Length;
            if (_ring[idx].IsEnd) continue;
            // Shift the items before it one place toward the tail, keeping FIFO order per stream.
            var dropped = _ring[idx];
            for (int j = k; j > 0; j--) _ring[(_head + j) % _ring.Length] = _ring[(_head + j - 1) % _ring.Length];
            _ring[_head] = dropped;
            _head = (_head + 1) % _ring.Length;
            _count--;
            WindowsDropped++;
            dropped.Stream = null;
            return true;
        }
        return false;
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_fault is not null) throw new InvalidOperationException($"inference with model {_model.ModelId} failed", _fault);
    }

    private void WorkLoop()
    {
        while (true)
        {
            int n = 0;
            Item? end = null;
            lock (_gate)
            {
                while (_count == 0 && !_disposed) Monitor.Wait(_gate);
                if (_disposed) return;
                // Take windows up to a full batch, stopping at an end marker (handled after the batch).
                while (_count > 0 && n < _batch.Length)
                {
                    var item = _ring[_head];
                    if (item.IsEnd) { if (n == 0) { end = item; Dequeue(); } break; }
                    _batch[n++] = item;
                    Dequeue();
                }
                Monitor.PulseAll(_gate);
            }
            // Items taken out of the ring are not reused until we hand them back below (the ring
            // slot objects are swapped for spares), so the copy into model slots happens unlocked.
            if (end is not null) { DeliverEnd(end); ReturnToRing(end); continue; }
            try { RunBatch(n); }
            catch (Exception e)
            {
                lock (_gate) { _fault = e; Monitor.PulseAll(_gate); }
                for (int i = 0; i < n; i++) if (_batch[i].Stream is { Detached: false } s) s.Observer.OnError(_fault!);
                return;
            }
            for (int i = 0; i < n; i++) ReturnToRing(_batch[i]);
            Interlocked.Exchange(ref _workerAllocated, GC.GetAllocatedBytesForCurrentThread());
        }
    }

    private void Dequeue()
    {
        // Give the ring slot a fresh item so the dequeued one stays intact while the worker uses it.
        var taken = _ring[_head];
        _ring[_head] = _spare.Count > 0 ? _spare.Pop() : new Item(taken.Ecg.Length);
        _head = (_head + 1) % _ring.Length;
        _count--;
    }

    private void ReturnToRing(Item item)
    {
        item.Stream = null;
        item.Error = null;
        lock (_gate) _spare.Push(item);
    }

    private void RunBatch(int n)
    {
        long start = Stopwatch.GetTimestamp();
        int slots = 0;
        for (int i = 0; i < n; i++)
        {
            var item = _batch[i];
            QueueWait.RecordTicks(start - item.Enqueued);
            if (item.Leads.IsEmpty) { _slotOf[i] = -1; continue; }
            int slot = _slotOf[i] = slots++;
            item.Ecg.CopyTo(_model.Ecg(slot));
            var rhythm = _model.Rhythm(slot);
            if (!rhythm.IsEmpty) item.Rhythm.CopyTo(rhythm);
            var mask = _model.LeadMask(slot);
            for (int l = 0; l < Leads.Count; l++) mask[l] = item.Leads.Contains((Lead)l) ? 1f : 0f;
        }
        if (slots > 0)
        {
            _model.Run(slots);
            ModelRun.RecordTicks(Stopwatch.GetTimestamp() - start);
            Batches++;
        }
        for (int i = 0; i < n; i++)
        {
            var item = _batch[i];
            if (_slotOf[i] < 0) WindowsUnreadable++; else WindowsScored++;
            if (item.Stream is not { Detached: false } stream) continue;
            if (_slotOf[i] < 0) _noOpinion.CopyTo(_probs);
            else _model.Probabilities(_slotOf[i]).CopyTo(_probs);
            stream.Observer.OnNext(new WindowScores(item.StreamId!, item.StartSeconds, item.EndSeconds, EventSource.Model, _probs, _model.ModelId));
            long ticks = Stopwatch.GetTimestamp() - item.Enqueued;
            EndToEnd.RecordTicks(ticks);
            _options.EndToEndSeconds?.Record((double)ticks / Stopwatch.Frequency);
        }
    }

    private static void DeliverEnd(Item end)
    {
        if (end.Stream is not { Detached: false } stream) return;
        if (end.Error is { } e) stream.Observer.OnError(e); else stream.Observer.OnCompleted();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            Monitor.PulseAll(_gate);
        }
        // Disposal from a downstream callback runs on the worker itself: it exits after the callback returns.
        if (Thread.CurrentThread != _worker) _worker.Join();
    }

    private sealed class StreamState(IObserver<WindowScores> observer)
    {
        public IObserver<WindowScores> Observer { get; } = observer;
        public volatile bool Detached;
    }

    /// <summary>A queued window (or a stream's end), with its own copy of the window data.</summary>
    private sealed class Item(int ecgLength)
    {
        public readonly float[] Ecg = new float[ecgLength];
        public readonly float[] Rhythm = new float[ModelContract.RhythmFeatureCount];
        public StreamState? Stream;
        public bool IsEnd;
        public Exception? Error;
        public string? StreamId;
        public double StartSeconds, EndSeconds;
        public LeadSet Leads;
        public long Enqueued;
    }
}
