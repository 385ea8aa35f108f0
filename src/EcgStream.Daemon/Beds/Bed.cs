using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reactive.Subjects;
using EcgStream.Core.Events;
using EcgStream.Core.Leads;
using EcgStream.Core.Samples;
using EcgStream.Daemon.Configuration;
using EcgStream.Daemon.Streams;
using EcgStream.Ingest.Wire;
using EcgStream.Runtime.Inference;
using EcgStream.Runtime.Metrics;
using EcgStream.Runtime.Pipeline;
using Microsoft.Extensions.Logging;

namespace EcgStream.Daemon.Beds;

/// <summary>
/// One bed at run time: the stream of blocks its source pushes (one thread at a time), the
/// bed pipeline behind it, and the state /health, /beds and /metrics report.
/// <para>Continuity: blocks keep their stream sample index, so a gap the wire decoder reports
/// (sequence numbers) reaches the pipeline as a jump and becomes a GAP alarm. Where the index
/// itself restarts (a device that rebooted, a new INFO, a reopened recording) the source calls
/// <see cref="MarkDiscontinuity"/> and the bed re-bases the stream on the host clock: the time the
/// source was silent becomes the gap. A change of sample rate or lead set ends the pipeline
/// session (open episodes are closed) and starts a new one, stream time still running on.</para>
/// <para>Loss: <see cref="CheckSignal"/>, called on a timer, raises SIGNAL_LOSS and opens a GAP once no
/// samples have arrived for <see cref="BedConfig.SignalLossSeconds"/> (connected or not); the next block
/// closes both, the GAP with its exact extent in stream time. A jump longer than
/// <see cref="BedOptions.MaxGapFillSeconds"/> is not filled: the session restarts (STREAM_RESTART).
/// A stream the pipeline cannot take (a sample rate that is not a whole number of Hz) is refused: the bed
/// shows state "refused" and drops its blocks until the source describes a stream it can take.</para>
/// </summary>
public sealed class Bed
{
    private readonly BedOptions _options;
    private readonly InferenceScheduler? _model;
    private readonly Action<RhythmEvent> _onEvent;
    private readonly ILogger _log;
    private readonly StripDecimator? _strip;
    private long _events;
    private Subject<SampleBlock>? _input;
    private IDisposable? _subscription;
    private TaskCompletionSource? _sessionDone;
    private double _rate;
    private LeadSet _leads;
    private long _offset;              // added to the source's sample index
    private long _lastEnd = -1;        // stream index one past the last sample pushed
    private bool _rebase;
    private long _lastArrival;         // Stopwatch ticks of the last block
    private long _pushTicks;           // Stopwatch ticks when the block being processed arrived
    private long _pushSequence = -1;   // source frame sequence of that block
    private long _samples;
    private long _blocks;
    private volatile bool _connected;
    private int _sessions;
    // Guards the stream state above against the loss timer; Push holds it for the whole block.
    private readonly Lock _gate = new();
    // Serialises events from the source thread, the model's thread and the loss timer.
    private readonly Lock _emitGate = new();
    private volatile bool _signalLost;
    private double _lossStartSeconds;  // stream time at which the samples stopped
    private bool _gapOpen;             // a GAP onset has gone out, its offset has not
    private volatile string? _refused; // why the current stream is not analysed
    private volatile bool _pipelineFailed;
    private volatile string? _sourceError; // the source cannot produce samples now (it retries)
    private volatile string? _closing;     // why the session is ending (offsets emitted meanwhile carry it)
    private double _heartRate = double.NaN; // the rule detector's latest median-RR rate, bpm
    // Episodes open now (onset emitted, offset not yet): start in stream time, Stopwatch ticks of the onset.
    // The live view's banner, so that a page opened mid-episode, or one whose event stream dropped messages, shows it.
    private readonly ConcurrentDictionary<(EventType Type, string Rhythm, EventSource Source), (double Start, long OnsetTicks)> _open = new();

    public Bed(BedConfig config, BedOptions options, InferenceScheduler? model, Action<RhythmEvent> onEvent,
        Action<HubMessage>? strip, int stripRate, ILogger log)
    {
        Config = config;
        _options = options;
        _model = model;
        _onEvent = onEvent;
        _log = log;
        if (strip is not null) _strip = new StripDecimator(config.Id, stripRate, strip);
    }

    public string Id => Config.Id;
    /// <summary>The bed's metric label, made once (instruments take it without allocating).</summary>
    internal KeyValuePair<string, object?>[] MetricTags => _metricTags ??= [new("bed", Config.Id)];
    private KeyValuePair<string, object?>[]? _metricTags;
    /// <summary>Where events and their latencies are counted (null: not counted, e.g. a bed built alone in a test).</summary>
    public Metrics.DaemonMetrics? Metrics { get; init; }
    public BedConfig Config { get; }
    public bool Connected => _connected;
    public double SampleRate => Volatile.Read(ref _rate);
    public LeadSet Leads => _leads;
    public long Samples => Interlocked.Read(ref _samples);
    public long Blocks => Interlocked.Read(ref _blocks);
    public int Sessions => Volatile.Read(ref _sessions);
    public long Reconnects { get; internal set; }
    public string? LastError { get; internal set; }
    /// <summary>Stamped on every event with its UTC wall-clock time (see <see cref="RhythmEvent.RunId"/>).</summary>
    public string? RunId { get; init; }
    /// <summary>Raw-sample recorder of this bed (every block, as aligned in stream time), or null.</summary>
    public Sinks.WfdbRecorder? Recorder { get; init; }
    /// <summary>cluster.role gateway: every block, as aligned in stream time, is also published to the cluster (never waits: a full buffer drops and counts).</summary>
    public EcgStream.Cluster.BedGateway? Gateway { get; init; }
    /// <summary>True from SIGNAL_LOSS onset to the next block.</summary>
    public bool SignalLost => _signalLost;
    /// <summary>Times the session restarted after a gap too long to fill.</summary>
    public long StreamRestarts => Interlocked.Read(ref _streamRestarts);
    private long _streamRestarts;

    /// <summary>
    /// What /health and /beds say about the data: "waiting" (no samples yet), "receiving", "signal_lost"
    /// (none for <see cref="BedConfig.SignalLossSeconds"/>), "refused" (a stream the pipeline cannot take),
    /// "failed" (the pipeline stopped on an error).
    /// </summary>
    public string State =>
        _refused is not null ? "refused"
        : _pipelineFailed ? "failed"
        : _signalLost ? "signal_lost"
        : _sourceError is not null ? "source_error"
        : _ended is not null ? "ended"
        : Interlocked.Read(ref _lastArrival) == 0 ? "waiting"
        : "receiving";
    /// <summary>Decoder counters of the current source (wire and BLE sources); null for others.</summary>
    public IngestCounters? Ingest { get; internal set; }
    /// <summary>Arrival of the newest block → its events reaching the sinks (model events: since the newest block).</summary>
    public string SourceDescription { get; internal set; } = "";

    /// <summary>
    /// Frame sequence number of the newest block pushed (-1 for sources without one). Read in an
    /// event callback on the source's thread, it is the frame whose arrival caused a rule event.
    /// </summary>
    public long CurrentSequence => Interlocked.Read(ref _pushSequence);

    /// <summary>
    /// The rule detector's median-RR heart rate over its last window (bpm), while the bed is receiving;
    /// null while unknown (no beats yet, a pause) or when the signal is lost, refused or failed.
    /// </summary>
    public double? HeartRateBpm
    {
        get
        {
            double hr = Volatile.Read(ref _heartRate);
            return double.IsNaN(hr) || State != "receiving" ? null : hr;
        }
    }

    /// <summary>Episodes open now, oldest first: onset emitted, offset not yet; with the host time since the onset went out.</summary>
    public IReadOnlyList<(EventType Type, string Rhythm, EventSource Source, double StartSeconds, TimeSpan OpenFor)> OpenEpisodes =>
        _open.Select(kv => (kv.Key.Type, kv.Key.Rhythm, kv.Key.Source, kv.Value.Start, Stopwatch.GetElapsedTime(kv.Value.OnsetTicks)))
            .OrderBy(x => x.Start).ToList();

    /// <summary>Seconds since the last block arrived; null before the first.</summary>
    public double? LastSampleAgeSeconds
    {
        get
        {
            long t = Interlocked.Read(ref _lastArrival);
            return t == 0 ? null : Stopwatch.GetElapsedTime(t).TotalSeconds;
        }
    }

    /// <summary>Events this bed has emitted (per-kind counts are the metrics' ecgstream_events_total).</summary>
    public long EventCount => Interlocked.Read(ref _events);

    internal void SetConnected(bool connected) => _connected = connected;

    /// <summary>The source cannot produce samples now and will retry: the bed shows "source_error" until samples come.</summary>
    internal void SourceFailed(string problem)
    {
        _sourceError = problem;
        LastError = problem;
    }

    /// <summary>
    /// The source has ended by design (a recording played to its end, not looped): the bed shows "ended" and raises no
    /// SIGNAL_LOSS or GAP for the silence after it, which is no lost signal. The next samples end the state.
    /// </summary>
    internal void SourceEnded(string why)
    {
        lock (_gate)
        {
            _ended = why;
            // a loss raised before the end (a stall near it) closes at the recording's end: no more samples will come
            if (_signalLost && _rate > 0) CloseSignalLoss(Math.Max(_lossStartSeconds, _lastEnd / _rate));
        }
    }
    private volatile string? _ended; // why the source ended by design; null while it may still send

    /// <summary>The source can produce samples again (a listener bound after all): the bed no longer shows "source_error".</summary>
    internal void SourceRecovered()
    {
        if (_sourceError is not { } problem) return;
        _sourceError = null;
        if (LastError == problem) LastError = null;
    }

    /// <summary>The next block's index may restart: re-base it on the host clock.</summary>
    public void MarkDiscontinuity() => _rebase = true;

    /// <summary>Feeds one block (valid during the call only). Called by the bed's source, one thread at a time.</summary>
    public void Push(in SampleBlock block)
    {
        if (block.Length == 0) return;
        lock (_gate) PushLocked(block);
    }

    private void PushLocked(in SampleBlock block)
    {
        long now = Stopwatch.GetTimestamp();
        _sourceError = null;
        _ended = null;
        bool newSession = false;
        // a refused stream leaves _rate/_leads as they were, so a usable stream after it that matches them must still be
        // checked (and start a session of its own), or the bed stays "refused" while it analyses, masking signal_lost
        if (_input is null || block.SampleRate != _rate || block.Leads != _leads || _refused is not null)
        {
            if (!Accepts(block)) { Interlocked.Exchange(ref _lastArrival, now); return; }
            double lastEndSeconds = _lastEnd < 0 ? 0 : _lastEnd / _rate;
            double resumeSeconds = _lastEnd < 0 ? 0 : lastEndSeconds + SilentSeconds(now, block);
            StartSession(block.SampleRate, block.Leads, _input is null ? null : "stream changed");
            // stream indices count samples at the current rate: what came before, in the new rate's samples,
            // before anything compares or divides it (left in the old rate's, it made false gaps and restarts)
            if (_lastEnd >= 0) _lastEnd = (long)Math.Round(lastEndSeconds * block.SampleRate);
            _offset = _lastEnd < 0 ? 0 : (long)Math.Round(resumeSeconds * block.SampleRate) - block.StartSample;
            _rebase = false;
            newSession = _lastEnd >= 0;
        }
        else if (_rebase)
        {
            long gap = (long)Math.Round(SilentSeconds(now, block) * _rate);
            _offset = _lastEnd + gap - block.StartSample;
            _rebase = false;
        }
        var shifted = new SampleBlock(Id, block.StartSample + _offset, block.SampleRate, block.Leads, block.Length,
            block.Samples, block.LeadOff, block.Sequence, block.Unreadable);
        double startSeconds = shifted.StartSample / shifted.SampleRate;
        if (_signalLost)
        {
            _signalLost = false;
            Emit(new RhythmEvent(Id, EventType.Alarm, EventKind.Offset, Alarms.SignalLoss, _lossStartSeconds, startSeconds, startSeconds, 1.0, EventSource.Rule));
            _log.LogInformation("bed {Bed}: samples again after {Seconds:F1} s; SIGNAL_LOSS closed", Id, Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastArrival), now).TotalSeconds);
        }
        // A jump too long to fill (a long outage, or a sequence number that leapt): report the gap and
        // start the stream state afresh rather than synthesise samples for it.
        if (_lastEnd >= 0 && shifted.StartSample - _lastEnd > _options.MaxGapFillSeconds * _rate)
        {
            double gapStart = _lastEnd / _rate;
            ReportGap(gapStart, startSeconds);
            StartSession(_rate, _leads, $"gap of {startSeconds - gapStart:F3} s exceeds maxGapSeconds ({_options.MaxGapFillSeconds} s)");
            Interlocked.Increment(ref _streamRestarts);
            foreach (var e in BedPipeline.Pair(Id, Alarms.StreamRestart, startSeconds, startSeconds, startSeconds)) Emit(e);
        }
        // a new session's pipeline never saw the stream before it, so a silence across the change is reported here
        else if (newSession && shifted.StartSample > _lastEnd && !_gapOpen) ReportGap(_lastEnd / _rate, startSeconds);
        Interlocked.Exchange(ref _lastArrival, now);
        Interlocked.Exchange(ref _pushTicks, now);
        Interlocked.Exchange(ref _pushSequence, block.Sequence);
        _lastEnd = Math.Max(_lastEnd, shifted.EndSample);
        Interlocked.Add(ref _samples, block.Length);
        Interlocked.Increment(ref _blocks);
        _strip?.Push(in shifted);
        Record(in shifted);
        Gateway?.Publish(in shifted);
        _input!.OnNext(shifted);
        // The pipeline closed an open GAP if the stream index jumped; a source that only paused (it
        // sends every sample, late) or a new session leaves it to close here, with the extent in stream time.
        if (_gapOpen) ReportGap(_lossStartSeconds, startSeconds);
    }

    /// <summary>A recorder that fails (a full disk) is logged once per error and the bed goes on analysing.</summary>
    private void Record(in SampleBlock block)
    {
        if (Recorder is null) return;
        try { Recorder.Write(in block); _recordError = null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (_recordError != e.Message) _log.LogError("bed {Bed}: recording failed: {Error}", Id, e.Message);
            _recordError = e.Message;
            LastError = $"recording failed: {e.Message}";
        }
    }
    private string? _recordError;

    /// <summary>
    /// Called on a timer: raises SIGNAL_LOSS and opens the GAP once no samples have arrived for the
    /// configured time. Stream time of detection is the last sample's time plus the host time since.
    /// </summary>
    public void CheckSignal()
    {
        // data that arrived just before a silence reaches the disk within the recorder's sync interval
        try { Recorder?.SyncIfDue(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { _log.LogError("bed {Bed}: recording sync failed: {Error}", Id, e.Message); }
        lock (_gate)
        {
            long last = Interlocked.Read(ref _lastArrival);
            if (_signalLost || _ended is not null || last == 0 || _lastEnd < 0 || _input is null) return;
            double age = Stopwatch.GetElapsedTime(last).TotalSeconds;
            if (age < Config.SignalLossSeconds) return;
            _signalLost = true;
            _lossStartSeconds = _lastEnd / _rate;
            double detected = _lossStartSeconds + age;
            _log.LogWarning("bed {Bed}: no samples for {Age:F1} s ({State}); SIGNAL_LOSS", Id, age, _connected ? "connected" : "disconnected");
            Emit(new RhythmEvent(Id, EventType.Alarm, EventKind.Onset, Alarms.SignalLoss, _lossStartSeconds, null, detected, 1.0, EventSource.Rule));
            Emit(new RhythmEvent(Id, EventType.Alarm, EventKind.Onset, Alarms.Gap, _lossStartSeconds, null, detected, 1.0, EventSource.Rule));
            _gapOpen = true;
        }
    }

    /// <summary>Closes an open SIGNAL_LOSS at <paramref name="at"/> (s) when no samples will follow (end of a recording, shutdown), and its GAP with it.</summary>
    private void CloseSignalLoss(double at)
    {
        _signalLost = false;
        Emit(new RhythmEvent(Id, EventType.Alarm, EventKind.Offset, Alarms.SignalLoss, _lossStartSeconds, at, at, 1.0, EventSource.Rule));
        if (_gapOpen) ReportGap(_lossStartSeconds, at);
    }

    /// <summary>Emits a GAP [start, end): its onset unless the loss timer already opened it, then its offset.</summary>
    private void ReportGap(double start, double end)
    {
        if (!_gapOpen) Emit(new RhythmEvent(Id, EventType.Alarm, EventKind.Onset, Alarms.Gap, start, null, end, 1.0, EventSource.Rule));
        _gapOpen = false;
        Emit(new RhythmEvent(Id, EventType.Alarm, EventKind.Offset, Alarms.Gap, start, end, end, 1.0, EventSource.Rule));
    }

    /// <summary>Whether the pipeline can take this stream; if not, the bed says why (once per stream description).</summary>
    private bool Accepts(in SampleBlock block)
    {
        double rate = block.SampleRate;
        if (EcgStream.Signal.Preprocessing.EcgPreprocessor.RateProblem(rate) is not { } problem)
        {
            if (_refused is { } was)
            {
                _log.LogInformation("bed {Bed}: stream accepted ({Rate} Hz)", Id, rate);
                if (LastError == was) LastError = null;   // resolved, as a recovered source's error is
            }
            _refused = null;
            return true;
        }
        string why = $"{problem}: stream refused, not analysed";
        if (_refused != why)
        {
            _refused = why;
            LastError = why;
            _log.LogError("bed {Bed}: {Why}", Id, why);
        }
        return false;
    }

    /// <summary>
    /// Host time the source was silent beyond the block's own duration; below two blocks it is
    /// jitter, not a gap. Zero before the first block.
    /// </summary>
    private double SilentSeconds(long now, in SampleBlock block)
    {
        long last = Interlocked.Read(ref _lastArrival);
        if (last == 0) return 0;
        double silent = Stopwatch.GetElapsedTime(last, now).TotalSeconds - block.Length / block.SampleRate;
        return silent > 2 * block.Length / block.SampleRate ? silent : 0;
    }

    private void StartSession(double rate, LeadSet leads, string? why)
    {
        if (_input is not null)
        {
            _log.LogWarning("bed {Bed}: {Why} ({OldRate} Hz {OldLeads} → {Rate} Hz {Leads}); pipeline restarted", Id, why, _rate, _leads, rate, leads);
            EndSession(TimeSpan.FromSeconds(10), "restart");
        }
        _pipelineFailed = false;
        Volatile.Write(ref _heartRate, double.NaN); // the new session's detector knows no beats yet
        Volatile.Write(ref _rate, rate);
        _leads = leads;
        _input = new Subject<SampleBlock>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _sessionDone = done;
        _subscription = BedPipeline.Events(_input, _options, _model, hr => Volatile.Write(ref _heartRate, hr)).Subscribe(
            Emit,
            e =>
            {
                // one line, no stack trace: the bed shows state "failed" and the reason in last_error
                LastError = e.Message;
                _pipelineFailed = true;
                _log.LogError("bed {Bed}: pipeline failed: {Error}", Id, e.Message);
                done.TrySetResult();
            },
            () => done.TrySetResult());
        Interlocked.Increment(ref _sessions);
    }

    private void Emit(RhythmEvent e)
    {
        lock (_emitGate)
        {
            // the loss timer already opened this GAP: the pipeline's onset would be a second one
            if (_gapOpen && e.Rhythm == Alarms.Gap && e.Kind == EventKind.Onset && e.Source == EventSource.Rule) return;
            if (e.Rhythm == Alarms.Gap && e.Kind == EventKind.Offset) _gapOpen = false;
            e = e with
            {
                RunId = RunId,
                DetectedUtc = DateTimeOffset.UtcNow,
                EndReason = e.Kind == EventKind.Offset ? e.EndReason ?? _closing : null,
            };
            Interlocked.Increment(ref _events);
            // before the sinks see it: a /beds answer given after a client got the event includes it
            if (e.Kind == EventKind.Onset) _open[(e.Type, e.Rhythm, e.Source)] = (e.StartSeconds, Stopwatch.GetTimestamp());
            else _open.TryRemove((e.Type, e.Rhythm, e.Source), out _);
            long latency = Stopwatch.GetTimestamp() - Interlocked.Read(ref _pushTicks);
            Metrics?.Event(this, e, (double)latency / Stopwatch.Frequency);
            _onEvent(e);
        }
    }

    /// <summary>Ends the input: the pipeline flushes and closes open episodes. Waits up to <paramref name="timeout"/>.</summary>
    private void EndSession(TimeSpan timeout, string reason)
    {
        var input = _input;
        if (input is null) return;
        // the offsets the pipeline emits while completing are caused by this, not by the signal
        _closing = reason;
        input.OnCompleted();
        if (!_sessionDone!.Task.Wait(timeout)) _log.LogWarning("bed {Bed}: pipeline did not complete within {Timeout}", Id, timeout);
        _subscription?.Dispose();
        _input = null;
        _closing = null;
    }

    /// <summary>At shutdown, after the source has stopped: completes the pipeline (closing open episodes).</summary>
    public Task CompleteAsync(TimeSpan timeout) => Task.Run(() =>
    {
        // a source still inside Push (it was asked to stop) gets the same budget to leave
        if (!_gate.TryEnter(timeout))
        {
            _log.LogWarning("bed {Bed}: source still busy after {Timeout}; pipeline not completed", Id, timeout);
            return;
        }
        try
        {
            EndSession(timeout, "shutdown");
            try { Recorder?.Close(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { _log.LogError("bed {Bed}: closing the recording failed: {Error}", Id, e.Message); }
            // a loss still open at shutdown is closed as such, not left dangling
            if (_signalLost)
            {
                _closing = "shutdown";
                CloseSignalLoss(_lossStartSeconds + Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastArrival)).TotalSeconds);
                _closing = null;
            }
        }
        finally { _gate.Exit(); }
    });
}
