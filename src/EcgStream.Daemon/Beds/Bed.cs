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
/// </summary>
public sealed class Bed
{
    private readonly BedOptions _options;
    private readonly InferenceScheduler? _model;
    private readonly Action<RhythmEvent> _onEvent;
    private readonly ILogger _log;
    private readonly StripDecimator? _strip;
    private readonly ConcurrentDictionary<(EventType, EventKind, string, EventSource), long> _eventCounts = new();
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
    public BedConfig Config { get; }
    public bool Connected => _connected;
    public double SampleRate => Volatile.Read(ref _rate);
    public LeadSet Leads => _leads;
    public long Samples => Interlocked.Read(ref _samples);
    public long Blocks => Interlocked.Read(ref _blocks);
    public int Sessions => Volatile.Read(ref _sessions);
    public long Reconnects { get; internal set; }
    public string? LastError { get; internal set; }
    /// <summary>Decoder counters of the current source (wire and BLE sources); null for others.</summary>
    public IngestCounters? Ingest { get; internal set; }
    /// <summary>Arrival of the newest block → its events reaching the sinks (model events: since the newest block).</summary>
    public LatencyHistogram EventLatency { get; } = new("event_latency");
    public string SourceDescription { get; internal set; } = "";

    /// <summary>
    /// Frame sequence number of the newest block pushed (-1 for sources without one). Read in an
    /// event callback on the source's thread, it is the frame whose arrival caused a rule event.
    /// </summary>
    public long CurrentSequence => Interlocked.Read(ref _pushSequence);

    /// <summary>Seconds since the last block arrived; null before the first.</summary>
    public double? LastSampleAgeSeconds
    {
        get
        {
            long t = Interlocked.Read(ref _lastArrival);
            return t == 0 ? null : Stopwatch.GetElapsedTime(t).TotalSeconds;
        }
    }

    public IEnumerable<KeyValuePair<(EventType Type, EventKind Kind, string Rhythm, EventSource Source), long>> EventCounts => _eventCounts;

    internal void SetConnected(bool connected) => _connected = connected;

    /// <summary>The next block's index may restart: re-base it on the host clock.</summary>
    public void MarkDiscontinuity() => _rebase = true;

    /// <summary>Feeds one block (valid during the call only). Called by the bed's source, one thread at a time.</summary>
    public void Push(in SampleBlock block)
    {
        if (block.Length == 0) return;
        long now = Stopwatch.GetTimestamp();
        if (_input is null || block.SampleRate != _rate || block.Leads != _leads)
        {
            double resumeSeconds = _lastEnd < 0 ? 0 : _lastEnd / _rate + SilentSeconds(now, block);
            StartSession(block.SampleRate, block.Leads);
            _offset = _lastEnd < 0 ? 0 : (long)Math.Round(resumeSeconds * block.SampleRate) - block.StartSample;
            _rebase = false;
        }
        else if (_rebase)
        {
            long gap = (long)Math.Round(SilentSeconds(now, block) * _rate);
            _offset = _lastEnd + gap - block.StartSample;
            _rebase = false;
        }
        var shifted = new SampleBlock(Id, block.StartSample + _offset, block.SampleRate, block.Leads, block.Length,
            block.Samples, block.LeadOff, block.Sequence);
        Interlocked.Exchange(ref _lastArrival, now);
        Interlocked.Exchange(ref _pushTicks, now);
        Interlocked.Exchange(ref _pushSequence, block.Sequence);
        _lastEnd = Math.Max(_lastEnd, shifted.EndSample);
        Interlocked.Add(ref _samples, block.Length);
        Interlocked.Increment(ref _blocks);
        _strip?.Push(in shifted);
        _input!.OnNext(shifted);
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

    private void StartSession(double rate, LeadSet leads)
    {
        if (_input is not null)
        {
            _log.LogWarning("bed {Bed}: stream changed from {OldRate} Hz {OldLeads} to {Rate} Hz {Leads}; pipeline restarted", Id, _rate, _leads, rate, leads);
            EndSession(TimeSpan.FromSeconds(10));
        }
        Volatile.Write(ref _rate, rate);
        _leads = leads;
        _input = new Subject<SampleBlock>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _sessionDone = done;
        _subscription = BedPipeline.Events(_input, _options, _model).Subscribe(
            Emit,
            e => { LastError = e.Message; _log.LogError(e, "bed {Bed}: pipeline failed", Id); done.TrySetResult(); },
            () => done.TrySetResult());
        Interlocked.Increment(ref _sessions);
    }

    private void Emit(RhythmEvent e)
    {
        _eventCounts.AddOrUpdate((e.Type, e.Kind, e.Rhythm, e.Source), 1, (_, n) => n + 1);
        EventLatency.RecordTicks(Stopwatch.GetTimestamp() - Interlocked.Read(ref _pushTicks));
        _onEvent(e);
    }

    /// <summary>Ends the input: the pipeline flushes and closes open episodes. Waits up to <paramref name="timeout"/>.</summary>
    private void EndSession(TimeSpan timeout)
    {
        var input = _input;
        if (input is null) return;
        input.OnCompleted();
        if (!_sessionDone!.Task.Wait(timeout)) _log.LogWarning("bed {Bed}: pipeline did not complete within {Timeout}", Id, timeout);
        _subscription?.Dispose();
        _input = null;
    }

    /// <summary>At shutdown, after the source has stopped: completes the pipeline (closing open episodes).</summary>
    public Task CompleteAsync(TimeSpan timeout) => Task.Run(() => EndSession(timeout));
}
