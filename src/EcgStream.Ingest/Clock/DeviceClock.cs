namespace EcgStream.Ingest.Clock;

/// <summary>
/// Maps device timestamps (µs, unwrapped) to host time (µs) by estimating offset and drift.
/// <para>Each observation pairs a frame's device timestamp with the host time it was received.
/// Transport delay only ever adds (a frame cannot arrive before it was sampled), so jitter is
/// one-sided: per bucket of device time (default 250 ms) only the least-delayed observation is
/// kept. A line is fitted through the last window of bucket minima (default 2 min) by least squares,
/// then refitted (three passes) without outliers beyond 3 robust standard deviations (median absolute deviation):
/// a stalled link or a scheduling hiccup cannot bend it. The result maps a device time to the host
/// time at which a sample taken then would arrive with the link's minimum latency; jitter is
/// smoothed away. Allocation-free after construction; not thread-safe.</para>
/// </summary>
public sealed class DeviceClock
{
    private readonly DeviceClockOptions _o;
    private readonly long[] _bucketKey;     // bucket index (device time / BucketMicros) of each ring slot
    private readonly double[] _x, _y;       // x: device − reference, y: host − device (the offset), per slot
    private readonly double[] _scratch;
    private readonly bool[] _inlier;
    private int _head, _count;              // ring of bucket minima, oldest at _head
    private bool _haveReference;
    private long _reference;                // device time origin of x (keeps doubles small)
    private double _a, _b;                  // fit: offset(x) = _a + _b·x
    private bool _dirty;

    public DeviceClock(DeviceClockOptions? options = null)
    {
        _o = options ?? new DeviceClockOptions();
        _o.Validate();
        _bucketKey = new long[_o.WindowBuckets];
        _x = new double[_o.WindowBuckets];
        _y = new double[_o.WindowBuckets];
        _scratch = new double[_o.WindowBuckets];
        _inlier = new bool[_o.WindowBuckets];
    }

    /// <summary>Observations so far (all of them, not only the kept minima).</summary>
    public long Observations { get; private set; }
    /// <summary>True once drift is estimated (enough buckets); before, only the offset is used.</summary>
    public bool HasDrift => _count >= _o.MinBucketsForDrift;
    /// <summary>Device clock rate error as the host sees it, in ppm (positive: device ticks slow).</summary>
    public double DriftPpm { get { Refit(); return _b * 1e6; } }
    /// <summary>Host minus device time at the newest observation (µs).</summary>
    public double OffsetMicros { get { Refit(); return _count == 0 ? 0 : _a + _b * _x[Slot(_count - 1)]; } }

    /// <summary>Adds an observation: a frame stamped <paramref name="deviceMicros"/> arrived at <paramref name="hostMicros"/>.</summary>
    public void Observe(long deviceMicros, long hostMicros)
    {
        if (!_haveReference)
        {
            _reference = deviceMicros;
            _haveReference = true;
        }
        Observations++;
        long key = Math.DivRem(deviceMicros, _o.BucketMicros, out _);
        double x = deviceMicros - _reference, y = (double)(hostMicros - deviceMicros);
        if (_count > 0)
        {
            int last = Slot(_count - 1);
            if (key == _bucketKey[last])
            {
                if (y < _y[last]) { _x[last] = x; _y[last] = y; _dirty = true; }
                return;
            }
            if (key < _bucketKey[last]) return; // device time went backwards: the caller should Reset on a restart
        }
        if (_count == _o.WindowBuckets) { _head = (_head + 1) % _o.WindowBuckets; _count--; }
        int s = Slot(_count++);
        _bucketKey[s] = key;
        _x[s] = x;
        _y[s] = y;
        _dirty = true;
    }

    /// <summary>The host time (µs) corresponding to device time <paramref name="deviceMicros"/>.</summary>
    public long ToHostMicros(long deviceMicros)
    {
        if (_count == 0) throw new InvalidOperationException("the device clock has no observations yet");
        Refit();
        double x = deviceMicros - _reference;
        return deviceMicros + (long)Math.Round(_a + _b * x);
    }

    /// <summary>Forgets everything (device restarted, new INFO, reconnect).</summary>
    public void Reset()
    {
        _head = _count = 0;
        _haveReference = false;
        _a = _b = 0;
        Observations = 0;
        _dirty = false;
    }

    private int Slot(int i) => (_head + i) % _o.WindowBuckets;

    private void Refit()
    {
        if (!_dirty) return;
        _dirty = false;
        int n = _count;
        if (n < _o.MinBucketsForDrift)
        {
            // offset only: the least-delayed observation so far
            double min = double.MaxValue;
            for (int i = 0; i < n; i++) min = Math.Min(min, _y[Slot(i)]);
            _a = min;
            _b = 0;
            return;
        }
        for (int i = 0; i < n; i++) _inlier[i] = true;
        Fit(n);
        // robust passes: drop residuals beyond 3 × 1.4826 × MAD (of the current inliers), refit.
        // Delays are one-sided, so a stall leaves a tail of late buckets that one pass only
        // partly removes; three passes converge on the floor.
        for (int pass = 0; pass < 3; pass++)
        {
            int m = 0;
            for (int i = 0; i < n; i++)
                if (_inlier[i]) { int s = Slot(i); _scratch[m++] = Math.Abs(_y[s] - (_a + _b * _x[s])); }
            Array.Sort(_scratch, 0, m);
            double limit = Math.Max(3 * 1.4826 * _scratch[m / 2], 1.0);
            int kept = 0;
            for (int i = 0; i < n; i++)
            {
                int s = Slot(i);
                _inlier[i] = Math.Abs(_y[s] - (_a + _b * _x[s])) <= limit;
                if (_inlier[i]) kept++;
            }
            if (kept < _o.MinBucketsForDrift) break;
            Fit(n);
        }
        double maxB = _o.MaxDriftPpm * 1e-6;
        if (Math.Abs(_b) > maxB)
        {
            _b = Math.Clamp(_b, -maxB, maxB);
            double sum = 0; int m = 0;
            for (int i = 0; i < n; i++) if (_inlier[i]) { int s = Slot(i); sum += _y[s] - _b * _x[s]; m++; }
            _a = sum / m;
        }
    }

    private void Fit(int n)
    {
        double sx = 0, sy = 0, m = 0;
        for (int i = 0; i < n; i++) if (_inlier[i]) { int s = Slot(i); sx += _x[s]; sy += _y[s]; m++; }
        double mx = sx / m, my = sy / m, sxx = 0, sxy = 0;
        for (int i = 0; i < n; i++)
            if (_inlier[i])
            {
                int s = Slot(i);
                double dx = _x[s] - mx;
                sxx += dx * dx;
                sxy += dx * (_y[s] - my);
            }
        _b = sxx > 0 ? sxy / sxx : 0;
        _a = my - _b * mx;
    }
}
