using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using EcgStream.Core.Leads;
using EcgStream.Core.Samples;

namespace EcgStream.Ingest.Replay;

/// <summary>
/// Plays recorded samples as a stream of <see cref="SampleBlock"/>s, paced to real time × speed or
/// as fast as the consumer takes them. Each subscription replays from the start with its own
/// block buffer (reused from block to block: see <see cref="SampleBlock"/>'s ownership rule).
/// </summary>
public static class RecordingSource
{
    /// <summary>Most samples (all leads) one block may hold.</summary>
    public const int MaxBlockValues = 1 << 22;

    /// <summary>Plays the standard-lead channels of <paramref name="recording"/> (see <see cref="RecordingLeads"/>).</summary>
    public static IObservable<SampleBlock> Play(Formats.Recording recording, ReplayOptions? options = null, IReadOnlyDictionary<string, Lead>? leadOverrides = null)
    {
        var leads = RecordingLeads.Of(recording, leadOverrides);
        return Play(recording.SampleRate, leads.Leads, leads.Planes, options);
    }

    /// <param name="planes">One array per lead of <paramref name="leads"/>, in lead order, equal lengths, millivolts.</param>
    public static IObservable<SampleBlock> Play(double sampleRate, LeadSet leads, IReadOnlyList<float[]> planes, ReplayOptions? options = null)
    {
        options ??= new ReplayOptions();
        options.Validate();
        if (!(sampleRate > 0) || !double.IsFinite(sampleRate)) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "sample rate must be positive and finite");
        if (leads.IsEmpty) throw new ArgumentException("no leads to replay", nameof(leads));
        if (planes.Count != leads.Count) throw new ArgumentException($"{planes.Count} sample arrays for {leads.Count} leads ({leads})", nameof(planes));
        int length = planes[0].Length;
        for (int p = 1; p < planes.Count; p++)
            if (planes[p].Length != length) throw new ArgumentException($"lead {leads[p]} has {planes[p].Length} samples, lead {leads[0]} has {length}", nameof(planes));
        return Play(sampleRate, leads, length, (from, count, dest) =>
        {
            for (int p = 0; p < planes.Count; p++) planes[p].AsSpan((int)from, count).CopyTo(dest.Slice(p * count, count));
        }, options);
    }

    /// <summary>Plays the standard-lead channels of a record streamed from disk, one block at a time (see <see cref="StreamedRecording"/>).</summary>
    public static IObservable<SampleBlock> Play(StreamedRecording recording, ReplayOptions? options = null, IReadOnlyDictionary<string, Lead>? leadOverrides = null)
    {
        var (leads, channels, _) = RecordingLeads.Map(recording.Name, recording.Signals, leadOverrides);
        return Play(recording.SampleRate, leads, recording.Length, (from, count, dest) => recording.Read(from, count, channels, dest), options);
    }

    /// <summary>Fills <c>dest</c> with frames [from, from + count) of every lead, lead-major (lead p at p × count), millivolts.</summary>
    public delegate void BlockReader(long from, int count, Span<float> dest);

    /// <param name="length">Samples per lead.</param>
    /// <param name="read">Asked for one block at a time, never more than a block's samples: the source holds no more than that.</param>
    public static IObservable<SampleBlock> Play(double sampleRate, LeadSet leads, long length, BlockReader read, ReplayOptions? options = null)
    {
        options ??= new ReplayOptions();
        options.Validate();
        if (!(sampleRate > 0) || !double.IsFinite(sampleRate)) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "sample rate must be positive and finite");
        if (leads.IsEmpty) throw new ArgumentException("no leads to replay", nameof(leads));
        ArgumentOutOfRangeException.ThrowIfNegative(length);

        // a block is sized from the rate: bound it, so no header value can become an allocation of its choosing
        double perBlock = Math.Round(options.BlockSeconds * sampleRate);
        if (perBlock * leads.Count > MaxBlockValues)
            throw new InvalidDataException($"sample rate {sampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture)} Hz: a {options.BlockSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} s block of {leads.Count} lead(s) would exceed {MaxBlockValues} samples");
        int blockSamples = Math.Max(1, (int)perBlock);
        var scheduler = options.Scheduler ?? NewThreadScheduler.Default;

        return Observable.Create<SampleBlock>(observer =>
        {
            var player = new Player(options, sampleRate, leads, read, length, blockSamples, observer);
            var cancel = new BooleanDisposable();
            if (double.IsPositiveInfinity(options.Speed))
            {
                // As fast as possible: one scheduled loop, checking for unsubscription between blocks.
                var work = scheduler.Schedule(() =>
                {
                    while (!cancel.IsDisposed && player.Next()) { }
                });
                return new CompositeDisposable(cancel, work);
            }
            var start = scheduler.Now;
            // Paced: block k is delivered when its last sample is due, at start + end(k) / (fs × speed).
            var paced = scheduler.Schedule(player.DueOffset(), (Action<TimeSpan> self) =>
            {
                if (cancel.IsDisposed || !player.Next()) return;
                var due = start + player.DueOffset() - scheduler.Now;
                self(due > TimeSpan.Zero ? due : TimeSpan.Zero);
            });
            return new CompositeDisposable(cancel, paced);
        });
    }

    /// <summary>Per-subscription playback state: position, block buffer, fault injection.</summary>
    private sealed class Player(ReplayOptions options, double fs, LeadSet leads, BlockReader read, long length, int blockSamples, IObserver<SampleBlock> observer)
    {
        private readonly float[] _buffer = new float[leads.Count * blockSamples];
        private readonly Random _faults = new(options.FaultSeed);
        private long _position;
        private long _sequence;

        /// <summary>When (since the start, in wall time) the next block is due.</summary>
        public TimeSpan DueOffset() => TimeSpan.FromSeconds(Math.Min(_position + blockSamples, length) / fs / options.Speed);

        /// <summary>Delivers the next block; false at the end (after OnCompleted) or after a failure (after OnError).</summary>
        public bool Next()
        {
            try { return Step(); }
            catch (Exception e)
            {
                // A consumer that throws must not take the scheduler's thread down with it.
                observer.OnError(e);
                return false;
            }
        }

        private bool Step()
        {
            if (_position >= length)
            {
                observer.OnCompleted();
                return false;
            }
            int n = (int)Math.Min(blockSamples, length - _position);
            bool drop = options.DropProbability > 0 && _faults.NextDouble() < options.DropProbability;
            if (!drop)
            {
                read(_position, n, _buffer.AsSpan(0, leads.Count * n));
                observer.OnNext(new SampleBlock(options.StreamId, _position, fs, leads, n, _buffer.AsMemory(0, leads.Count * n), sequence: _sequence));
            }
            _sequence++;
            _position += n;
            return true;
        }
    }
}
