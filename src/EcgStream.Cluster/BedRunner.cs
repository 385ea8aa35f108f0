using System.Diagnostics;
using System.Reactive.Subjects;
using EcgStream.Core.Events;
using EcgStream.Core.Samples;
using EcgStream.Runtime.Inference;
using EcgStream.Runtime.Pipeline;
using EcgStream.Runtime.Tracking;
using NATS.Client.JetStream;

namespace EcgStream.Cluster;

/// <summary>
/// One owned bed inside an <see cref="AnalysisWorker"/>: an ordered consumer on the bed's subject, the bed pipeline
/// it feeds, and the bookkeeping of what has been analysed (pushed) and committed (checkpointed).
/// <para>On a takeover the consumer starts <see cref="WorkerOptions.Warmup"/> before the last checkpoint, and the first
/// block fed to the pipeline starts on a hop boundary of the stream, so the pipeline's windows fall where an
/// uninterrupted run put them (same scores, same event times, same event ids).</para>
/// <para>Ownership: <see cref="Confirmed"/> is when this worker last proved it owns the bed (a lease write, or a fenced
/// progress record accepted). Beyond <see cref="AnalysisWorker.LeaseGuard"/> of the TTL without a proof the bed keeps being
/// analysed, but its events are held back (<see cref="Held"/>) until the next proof, and dropped with the bed if the proof
/// fails: a worker that stalled publishes nothing for a bed it lost.</para>
/// </summary>
internal sealed class BedRunner
{
    private readonly AnalysisWorker _worker;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private Subject<SampleBlock>? _input;
    private IDisposable? _subscription;
    private Task _consume = Task.CompletedTask;
    private float[] _decode = [];
    private float[] _trim = [];
    private long _pushedEnd;
    private long _pushingEnd;       // end of the block being pushed (the windows it completes end at or before it)
    private DateTimeOffset _lastMessageUtc;
    private long _currentSampleMs;   // unix ms at which the block being pushed (the newest) was stored in the stream
    private bool _started;          // the first block (on a hop boundary) has been fed
    private long _committed;
    private Snapshot? _pending;      // taken at the previous checkpoint tick, committed at this one if the model caught up
    private volatile bool _inputStopped;
    private long _confirmed;
    private bool _warmLogged;
    private readonly BedEpisodes _episodes; // the previous owner's open episodes in, this owner's out
    // Source-quiet detection (docs: a gap is reported as it happens): Stopwatch ticks of the last block pushed, and the
    // stream time (s) at which an open SIGNAL_LOSS began (NaN: none open).
    private long _lastArrival;
    private double _lossStart = double.NaN;

    /// <param name="claimedAt">Stopwatch ticks at which the claim (lease, then claim record) was sent: the first proof of ownership.</param>
    /// <param name="last">The previous owner's last record (where this owner resumes); null for a bed never analysed.</param>
    /// <param name="progressSequence">Stream sequence of this owner's claim record: the fence its next checkpoint expects.</param>
    public BedRunner(AnalysisWorker worker, string bed, ulong leaseRevision, long claimedAt, ProgressRecord? last, ulong progressSequence)
    {
        _worker = worker;
        Bed = bed;
        LeaseRevision = leaseRevision;
        _confirmed = claimedAt;
        ClaimedAt = claimedAt;
        ProgressSequence = progressSequence;
        _committed = last?.To ?? 0;
        _pushedEnd = _committed;
        SuppressThrough = last?.To ?? -1;
        ResumeAfter = last?.To;
        PreviousOwner = last?.Worker;
        SampleRate = last?.SampleRate ?? 0;
        CommittedMessageUtc = last?.LastMessageUtc ?? default;
        _episodes = new BedEpisodes(last?.Episodes?
            .Select(kv => (Ok: EventSources.TryParse(kv.Key, out var source), source, kv.Value)).Where(x => x.Ok)
            .ToDictionary(x => x.source, x => x.Value));
    }

    public string Bed { get; }
    /// <summary>One checkpoint of this bed at a time (the checkpoint loop and a hand-back may meet).</summary>
    public SemaphoreSlim CheckpointGate { get; } = new(1, 1);
    public ulong LeaseRevision { get; set; }
    /// <summary>Stopwatch ticks at which the claim was sent (0 while the bed is only warming up ahead of a claim).</summary>
    public long ClaimedAt { get; private set; }
    /// <summary>
    /// For a runner started ahead of its claim (<see cref="AnalysisWorker"/>'s warm-ahead): the stream sequence of the progress
    /// record it resumes from. The claim must build on that same record, or the runner is thrown away.
    /// </summary>
    public ulong BasedOn { get; init; }
    /// <summary>Stopwatch ticks at which this runner started consuming.</summary>
    public long StartedAt { get; } = Stopwatch.GetTimestamp();
    private long _checkpointTick; // Stopwatch ticks of the last checkpoint attempt
    /// <summary>Stopwatch ticks at which the latest accepted proof of ownership (lease write or fenced record) was sent.</summary>
    public long Confirmed => Interlocked.Read(ref _confirmed);
    /// <summary>Events detected while ownership was unconfirmed, in order: published after the next proof, dropped with the bed.</summary>
    public Queue<AnalysisWorker.Outgoing> Held { get; } = new();
    /// <summary>
    /// A renewal of this lease proves ownership: true from the claim, false once the lease had to be created again (it had
    /// lapsed), until the next fenced record is accepted.
    /// </summary>
    public bool LeaseProves { get => _leaseProves; set => _leaseProves = value; }
    private volatile bool _leaseProves = true;
    /// <summary>The bed was dropped (lost or handed back): nothing more is published for it.</summary>
    public bool Dropped { get => _dropped; set => _dropped = value; }
    private volatile bool _dropped;
    /// <summary>Stream sequence of the bed's last progress record (the expected last subject sequence of the next).</summary>
    public ulong ProgressSequence { get; private set; }
    /// <summary>Events detected at or before this sample index were published by the previous owner.</summary>
    public long SuppressThrough { get; }
    public long? ResumeAfter { get; }
    /// <summary>The worker whose last checkpoint this runner resumes after (null for a new bed).</summary>
    public string? PreviousOwner { get; }
    public double SampleRate { get; private set; }
    public long Committed => Volatile.Read(ref _committed);
    /// <summary>Stream time of the last block the last checkpoint covers (what a claim or release record repeats).</summary>
    public DateTimeOffset CommittedMessageUtc { get; private set; }
    /// <summary>This owner has committed progress of its own (its warm-up is behind it).</summary>
    public bool CheckpointedSinceTaken => Committed > (ResumeAfter ?? 0);
    public long PushedEnd { get { lock (_gate) return _pushedEnd; } }
    /// <summary>The trackers' open episodes now (the previous owner's where this one has not reached them yet), for a progress record.</summary>
    public IReadOnlyDictionary<string, TrackerEpisodes> Episodes() => _episodes.Snapshot().ToDictionary(kv => EventSources.Name(kv.Key), kv => kv.Value);
    /// <summary>Its input was stopped: the bed is being handed back or was dropped.</summary>
    public bool Stopping => _inputStopped;

    /// <summary>Ownership was proven less than <see cref="AnalysisWorker.LeaseGuard"/> of the TTL ago: events may be published.</summary>
    public bool OwnershipFresh(TimeSpan ttl) => Stopwatch.GetElapsedTime(Confirmed) < ttl * AnalysisWorker.LeaseGuard;

    /// <summary>
    /// A runner that warmed up ahead of its claim becomes the owner's: the claim (lease <paramref name="leaseRevision"/>,
    /// claim record <paramref name="progressSequence"/>) was sent at <paramref name="claimedAt"/>. Its held events go out
    /// with the worker's next <c>Confirmed</c>.
    /// </summary>
    public void Promote(ulong leaseRevision, long claimedAt, ulong progressSequence)
    {
        LeaseRevision = leaseRevision;
        ClaimedAt = claimedAt;
        ProgressSequence = progressSequence;
        Confirm(claimedAt);
    }

    /// <summary>
    /// Whether the checkpoint loop (ticking every <paramref name="tick"/>) checkpoints this bed now: every tick until the
    /// first checkpoint of this owner (a takeover's first checkpoint is what ends the failover), then every
    /// <paramref name="interval"/>.
    /// </summary>
    public bool CheckpointDue(TimeSpan interval, TimeSpan tick)
    {
        long now = Stopwatch.GetTimestamp();
        if (CheckpointedSinceTaken && _checkpointTick != 0 && Stopwatch.GetElapsedTime(_checkpointTick, now) < interval - tick / 2) return false;
        _checkpointTick = now;
        return true;
    }

    /// <summary>Records a proof of ownership sent at <paramref name="sentAt"/> (never moves back).</summary>
    public void Confirm(long sentAt)
    {
        long seen;
        do { seen = Interlocked.Read(ref _confirmed); if (sentAt <= seen) return; }
        while (Interlocked.CompareExchange(ref _confirmed, sentAt, seen) != seen);
    }

    public void Start(INatsJSContext js, string subject, DateTimeOffset? from, CancellationToken workerStop)
    {
        _consume = Task.Run(async () =>
        {
            // the link registers with the worker's token: disposed when this bed's consumer ends, not when the worker does
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(workerStop, _stop.Token);
            await ConsumeAsync(js, subject, from, linked.Token);
        });
    }

    private async Task ConsumeAsync(INatsJSContext js, string subject, DateTimeOffset? from, CancellationToken ct)
    {
        try
        {
            // a bed publishes every block (0.1 s): 2 s of silence means the consumer is gone (its node died), or the beds
            // stopped (harmless): recreated from the next sequence
            await foreach (var msg in SubjectReader.ReadAsync(js, ClusterSettings.SampleStream, subject, from, TimeSpan.FromSeconds(2), false,
                               line => _worker.Log($"worker {_worker.Id}: {line}"), ct))
            {
                await _worker.WhileFrozen(ct);
                if (_inputStopped) break;
                // an unconfirmed owner goes on analysing (its events are held): a lease store that does not answer must not
                // leave a hole in the bed's analysis; the bed is dropped only when another owner is seen
                // the analysis itself runs on the worker's analysis thread; this task only waits (bounded queue)
                await _worker.EnqueueAsync(this, msg, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>On the worker's analysis thread: decodes a message and feeds the pipeline.</summary>
    public void Process(in StreamMessage msg)
    {
        if (_inputStopped) return;
        if (!SampleCodec.TryDecode(msg.Data, Bed, ref _decode, out var block, out var problem))
        {
            _worker.Log($"worker {_worker.Id}: bed {Bed}: message {msg.Sequence} skipped: {problem}");
            return;
        }
        Push(block, msg.Stored);
    }

    private void Push(in SampleBlock block, DateTimeOffset stored)
    {
        lock (_gate)
        {
            if (_inputStopped) return;
            var input = block;
            if (!_started)
            {
                SampleRate = block.SampleRate;
                // Start on a hop boundary of the stream: the uninterrupted run's window grid.
                long hop = HopSamples(block.SampleRate);
                long first = (block.StartSample + hop - 1) / hop * hop;
                if (block.EndSample <= first) return;
                if (first > block.StartSample) input = Trim(block, (int)(first - block.StartSample));
                _started = true;
                _input = new Subject<SampleBlock>();
                // the model scores only the last ModelWarmup of the warm-up, and everything after it
                long modelFrom = ResumeAfter is { } resume ? resume - (long)Math.Round(_worker.Options.ModelWarmup.TotalSeconds * block.SampleRate) : long.MinValue;
                _subscription = BedPipeline.Events(_input, _worker.Options.Bed, _worker.Model, scoreWindows: () => _pushingEnd >= modelFrom, episodes: _episodes).Subscribe(
                    e => _worker.Emit(this, e, DateTimeOffset.FromUnixTimeMilliseconds(Volatile.Read(ref _currentSampleMs))),
                    e => _worker.Log($"worker {_worker.Id}: bed {Bed}: pipeline failed: {e.Message}"));
            }
            Volatile.Write(ref _currentSampleMs, stored.ToUnixTimeMilliseconds());
            Interlocked.Exchange(ref _lastArrival, Stopwatch.GetTimestamp());
            if (!double.IsNaN(_lossStart))
            {
                double at = input.StartSample / input.SampleRate;
                _worker.EmitWallClock(this, new RhythmEvent(Bed, EventType.Alarm, EventKind.Offset, Alarms.SignalLoss, _lossStart, at, at, 1.0, EventSource.Rule));
                _lossStart = double.NaN;
            }
            _pushingEnd = input.EndSample;
            _input!.OnNext(input);
            long fresh = Math.Max(0, input.EndSample - Math.Max(input.StartSample, ResumeAfter ?? 0));
            _worker.Analysed(fresh, input.Length - fresh);
            _pushedEnd = Math.Max(_pushedEnd, input.EndSample);
            _lastMessageUtc = stored;
            if (!_warmLogged && ResumeAfter is { } after && input.EndSample > after)
            {
                _warmLogged = true;
                _worker.Log($"worker {_worker.Id}: bed {Bed}: warm-up replayed to sample {after} " + (ClaimedAt == 0
                    ? $"{Stopwatch.GetElapsedTime(StartedAt).TotalSeconds:F1} s after it began, ahead of the claim"
                    : $"{Stopwatch.GetElapsedTime(ClaimedAt).TotalSeconds:F1} s after the claim"));
            }
        }
    }

    /// <summary>
    /// Seconds since this runner last pushed a block (null before its first). Called by the worker's checkpoint loop;
    /// <see cref="RaiseSignalLoss"/> once the stream itself has nothing newer.
    /// </summary>
    public double? QuietSeconds => _started && Interlocked.Read(ref _lastArrival) is var t and not 0 ? Stopwatch.GetElapsedTime(t).TotalSeconds : null;
    public bool SignalLost { get { lock (_gate) return !double.IsNaN(_lossStart); } }

    /// <summary>The bed's source has gone quiet (the stream holds nothing after the last block pushed): SIGNAL_LOSS now, offset with the next block.</summary>
    public void RaiseSignalLoss(double quietSeconds)
    {
        lock (_gate)
        {
            if (!_started || !double.IsNaN(_lossStart) || SampleRate <= 0) return;
            _lossStart = _pushedEnd / SampleRate;
            _worker.Log($"worker {_worker.Id}: bed {Bed}: no samples for {quietSeconds:F1} s; SIGNAL_LOSS");
            _worker.EmitWallClock(this, new RhythmEvent(Bed, EventType.Alarm, EventKind.Onset, Alarms.SignalLoss, _lossStart, null, _lossStart + quietSeconds, 1.0, EventSource.Rule));
        }
    }

    private long HopSamples(double rate)
    {
        // the window hop is counted at the contract rate (250 Hz); in input samples at this bed's rate
        int hop = _worker.Options.Bed.Signal.WindowHop;
        return Math.Max(1, (long)Math.Round(hop * rate / Signal.Preprocessing.PreprocessorOptions.ContractSampleRate));
    }

    private SampleBlock Trim(in SampleBlock block, int skip)
    {
        int n = block.Length - skip, leads = block.Leads.Count;
        if (_trim.Length < leads * n) _trim = new float[leads * n];
        for (int p = 0; p < leads; p++) block.Plane(p)[skip..].CopyTo(_trim.AsSpan(p * n, n));
        return new SampleBlock(block.StreamId, block.StartSample + skip, block.SampleRate, block.Leads, n, _trim.AsMemory(0, leads * n), block.LeadOff, block.Sequence, block.Unreadable);
    }

    /// <summary>
    /// The checkpoint due now: the position snapshotted at the previous tick, once every window queued before that
    /// snapshot has been scored (its events emitted). A new snapshot is taken for the next tick.
    /// </summary>
    public Snapshot? TakeCheckpointDue(InferenceScheduler? model)
    {
        Snapshot now;
        lock (_gate) now = new Snapshot(_pushedEnd, _lastMessageUtc, model?.WindowsQueued ?? 0);
        var prev = _pending;
        if (prev is { } p && model is not null && model.WindowsDone < p.WindowsQueued) return null; // keep waiting for it
        _pending = now;
        return prev;
    }

    public void Commit(long end, DateTimeOffset lastMessageUtc, ulong progressSequence)
    {
        Volatile.Write(ref _committed, end);
        CommittedMessageUtc = lastMessageUtc;
        ProgressSequence = progressSequence;
    }

    /// <summary>A claim or release record of this owner was stored: the fence moves, the range does not.</summary>
    public void Fenced(ulong progressSequence) => ProgressSequence = progressSequence;

    /// <summary>Stops feeding the pipeline (already-pushed windows still finish scoring).</summary>
    public void StopInput()
    {
        _inputStopped = true;
        _stop.Cancel();
    }

    /// <summary>Stops the consumer and detaches the pipeline without completing it: no offsets for episodes that go on under the next owner.</summary>
    public async Task StopAsync()
    {
        _inputStopped = true;
        await _stop.CancelAsync();
        try { await _consume; } catch (OperationCanceledException) { }
        lock (_gate) { _subscription?.Dispose(); _subscription = null; }
    }

    public readonly record struct Snapshot(long End, DateTimeOffset LastMessageUtc, long WindowsQueued);
}
