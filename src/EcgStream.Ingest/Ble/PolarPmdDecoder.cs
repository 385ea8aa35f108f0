using System.Buffers.Binary;
using EcgStream.Core.Leads;
using EcgStream.Core.Samples;
using EcgStream.Ingest.Wire;

namespace EcgStream.Ingest.Ble;

/// <summary>
/// Polar H10 PMD ECG notifications (PMD data characteristic FB005C82-02E7-F387-1CAD-8ACD2D8DF0C8):
/// byte 0 measurement type (0x00 = ECG), bytes 1–8 timestamp (u64 LE, ns, of the LAST sample in the
/// notification), byte 9 frame type (0x00 = uncompressed), then samples of 3 bytes, signed
/// little-endian, in µV. The chest strap measures one lead, delivered as lead I at 130 Hz.
/// <para>PMD has no sequence numbers: a lost notification is detected from the timestamps (the
/// interval since the previous notification holds more samples than arrived) and reported as a gap
/// of that many samples. The sample period is tracked from gap-free notifications, so the strap's
/// clock error does not produce false gaps; a gap within 2 samples of a whole number of
/// notifications is taken to be exactly that many (timestamps jitter by a fraction of a sample).</para>
/// </summary>
public sealed class PolarPmdDecoder : INotificationDecoder
{
    public const byte MeasurementEcg = 0x00;
    public const byte FrameTypeRaw = 0x00;
    private const int HeaderSize = 10;

    private readonly PolarPmdOptions _options;
    private readonly float[] _samples = new float[(NotificationLine.MaxValue - HeaderSize) / 3];
    private readonly double _nominalPeriodNs;
    private double _periodNs;
    /// <summary>A step back of the strap's timestamps at least this long (and over two notifications) is a restart, not a late copy.</summary>
    private const double RestartStepBackNs = 10e9;
    private bool _started;
    private ulong _lastTimestamp;
    private long _streamSample;
    private uint _notification;

    public PolarPmdDecoder(PolarPmdOptions? options = null)
    {
        _options = options ?? new PolarPmdOptions();
        _options.Validate();
        _nominalPeriodNs = _periodNs = 1e9 / _options.SampleRate;
    }

    public IngestCounters Counters { get; } = new();
    /// <summary>Why the last notification was refused, for logs; null when it was accepted.</summary>
    public string? LastError { get; private set; }
    /// <summary>The tracked sample period (ns): the strap's clock as seen through its timestamps.</summary>
    public double PeriodNanoseconds => _periodNs;

    public void OnNotification(ReadOnlySpan<byte> v, IIngestEventSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        LastError = null;
        if (v.Length < HeaderSize)
        {
            Refuse($"{v.Length}-byte notification: a PMD frame has a {HeaderSize}-byte header", malformed: true);
            return;
        }
        if (v.Length > NotificationLine.MaxValue)
        {
            Refuse($"{v.Length}-byte notification: an ATT value holds at most {NotificationLine.MaxValue}", malformed: true);
            return;
        }
        if (v[0] != MeasurementEcg) { Refuse($"measurement type 0x{v[0]:X2} at offset 0 is not ECG (0x00)", malformed: false); return; }
        if (v[9] != FrameTypeRaw)
        {
            Refuse($"frame type 0x{v[9]:X2} at offset 9 is not supported (only 0x00, uncompressed 3-byte µV samples)", malformed: false);
            return;
        }
        int n = (v.Length - HeaderSize) / 3;
        if ((v.Length - HeaderSize) % 3 != 0 || n == 0)
        {
            Refuse($"{v.Length - HeaderSize} sample bytes after offset 10 are not a positive multiple of 3", malformed: true);
            return;
        }
        ulong ts = BinaryPrimitives.ReadUInt64LittleEndian(v[1..]);
        Counters.Frames++;
        if (!_started)
        {
            _started = true;
            sink.OnEvent(IngestEvent.ForInfo(new DeviceInfo
            {
                SampleRateMilliHz = (uint)Math.Round(_options.SampleRate * 1000),
                GainPicovolts = 1_000_000, // 1 µV per LSB
                Leads = LeadSet.Of(Lead.I),
                Format = SampleFormat.Int24,
                SamplesPerFrame = Math.Min(n, 255),
                Firmware = "polar-pmd-ecg",
            }));
        }
        else
        {
            if (ts <= _lastTimestamp)
            {
                // a repeat or a late copy is a few notifications behind at most; a timestamp further back than that and than
                // RestartStepBackNs is a strap that restarted (its clock began again): dropping everything until the strap's
                // clock passes the old value again (hours, or never) loses the whole stream, so start again from this one
                double back = _lastTimestamp - ts;
                if (back <= Math.Max(2.0 * n * _periodNs, RestartStepBackNs))
                {
                    Counters.Duplicates++;
                    return;
                }
                Counters.Restarts++;
                sink.OnEvent(IngestEvent.ForRestart(_notification));   // the bed re-bases the stream on the host clock
                _periodNs = _nominalPeriodNs;
            }
            else
            {
                double intervalSamples = (ts - _lastTimestamp) / _periodNs;
                long missing = (long)Math.Round(intervalSamples) - n;
                // notifications carry a fixed number of samples: a count within 2 of a whole number of
                // notifications is that many notifications, the rest being timestamp jitter
                long whole = (long)Math.Round((double)missing / n) * n;
                if (whole > 0 && Math.Abs(missing - whole) <= 2) missing = whole;
                if (missing >= Math.Max(_options.MinGapSamples, n / 2))
                {
                    Counters.Gaps++;
                    Counters.GapFrames += Math.Max(1, (long)Math.Round((double)missing / n));
                    Counters.GapSamples += missing;
                    sink.OnEvent(IngestEvent.ForGap(new GapEvent(_notification, Math.Max(1, (long)Math.Round((double)missing / n)), missing, _streamSample)));
                    _streamSample += missing;
                }
                else if (Math.Abs(missing) < _options.MinGapSamples)
                {
                    // a clean interval: let the period follow the strap's clock (bounded to ±5 % of nominal)
                    double observed = (ts - _lastTimestamp) / (double)n;
                    _periodNs = Math.Clamp(_periodNs + 0.05 * (observed - _periodNs), 0.95 * _nominalPeriodNs, 1.05 * _nominalPeriodNs);
                }
            }
        }
        _lastTimestamp = ts;
        for (int i = 0; i < n; i++)
        {
            var s = v.Slice(HeaderSize + 3 * i, 3);
            int uv = (s[0] | (s[1] << 8) | (s[2] << 16)) << 8 >> 8;
            _samples[i] = uv / 1000f; // µV → mV
        }
        var block = new SampleBlock(_options.StreamId, _streamSample, _options.SampleRate, LeadSet.Of(Lead.I), n,
            _samples.AsMemory(0, n), default, _notification);
        _streamSample += n;
        Counters.DataFrames++;
        long firstSampleMicros = (long)((ts - (n - 1) * _periodNs) / 1000.0);
        sink.OnEvent(IngestEvent.ForData(block, _notification, (uint)firstSampleMicros, firstSampleMicros));
        _notification++;
    }

    private void Refuse(string why, bool malformed)
    {
        LastError = why;
        if (malformed) Counters.Malformed++;
        else Counters.Unsupported++;
    }

    public void Complete(IIngestEventSink sink) { }
}
