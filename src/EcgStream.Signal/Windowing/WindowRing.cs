using EcgStream.Core.Leads;
using EcgStream.Core.Samples;

namespace EcgStream.Signal.Windowing;

/// <summary>Receives a window; the window is valid only during the call.</summary>
public delegate void WindowHandler(in EcgWindow window);

/// <summary>
/// Cuts a 250 Hz preprocessed stream (blocks of any length and any lead subset) into contract-v1
/// windows: [12, <see cref="Length"/>] lead-major, absent leads zero, standardised per lead by
/// <see cref="WindowStandardiser"/>. The first window ends <see cref="Length"/> samples after the
/// first sample seen, then one every <see cref="Hop"/> samples. A lead is in a window's mask when the
/// stream carried it, with no lead-off bit and no <see cref="MarkUnusable"/> mark, over the whole window.
/// One ring and one window buffer are allocated at construction; nothing per window.
/// </summary>
public sealed class WindowRing
{
    private readonly float[] _ring;      // [12, Length] lead-major, circular in time; slot = stream index mod Length
    private readonly float[] _window;    // [12, Length] the window handed out (reused)
    private readonly long[] _lastUnusable = new long[Leads.Count]; // last stream index at which the lead was unusable
    // Per lead, the end of a mark that reaches past the samples written so far (NoMark: none). A window counts a mark only
    // once it holds every sample the mark covers, so which marks a window sees does not depend on whether the chain judged
    // an epoch before or after it pushed the block the window ends in (block sizes). The chain judges an epoch in the
    // segment that completes it, so at most one mark per lead waits at a time.
    private const long NoMark = long.MinValue;
    private readonly long[] _pendingEnd = new long[Leads.Count];
    private long _origin = long.MinValue;
    private long _next;                  // stream index one past the last sample written
    private long _nextEmit;              // end index of the next window

    public WindowRing(string streamId, int length = 2250, int hop = 250, double sampleRate = 250)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hop, 1);
        if (!(sampleRate > 0)) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "sample rate must be positive");
        StreamId = streamId;
        Length = length;
        Hop = hop;
        SampleRate = sampleRate;
        _ring = new float[Leads.Count * length];
        _window = new float[Leads.Count * length];
        Array.Fill(_lastUnusable, long.MaxValue); // nothing seen yet: every lead unusable until written
        Array.Fill(_pendingEnd, NoMark);
    }

    public string StreamId { get; }
    public int Length { get; }
    public int Hop { get; }
    public double SampleRate { get; }
    public long WindowsEmitted { get; private set; }

    /// <summary>
    /// Marks <paramref name="lead"/> unusable over stream samples [start, end) (e.g. signal quality). A window leaves the
    /// lead out when the mark touches it and ends at or before the window's end; a mark that reaches past a window's end
    /// (an epoch judged while the window was cut) counts from the next window on, whatever the blocks were.
    /// </summary>
    public void MarkUnusable(Lead lead, long start, long end)
    {
        if (end <= start) return;
        int l = (int)lead;
        if (_origin != long.MinValue && end <= _next) { Apply(l, end); return; }
        // a second mark ahead of the samples (not the chain's pattern): the first counts at once
        if (_pendingEnd[l] != NoMark) Apply(l, _pendingEnd[l]);
        _pendingEnd[l] = end;
    }

    private void Apply(int lead, long end)
    {
        ref long last = ref _lastUnusable[lead];
        if (last == long.MaxValue || end - 1 > last) last = end - 1;
    }

    /// <summary>Applies <paramref name="lead"/>'s waiting mark once the samples up to <paramref name="upTo"/> hold it.</summary>
    private void ApplyPending(int lead, long upTo)
    {
        if (_pendingEnd[lead] == NoMark || _pendingEnd[lead] > upTo) return;
        Apply(lead, _pendingEnd[lead]);
        _pendingEnd[lead] = NoMark;
    }

    /// <summary>Appends a block and calls <paramref name="onWindow"/> for every window it completes, in order.</summary>
    public void Push(in SampleBlock block, WindowHandler onWindow)
    {
        ArgumentNullException.ThrowIfNull(onWindow);
        if (block.SampleRate != SampleRate)
            throw new ArgumentException($"block {block} is at {block.SampleRate} Hz, the window ring runs at {SampleRate} Hz", nameof(block));
        if (_origin == long.MinValue)
        {
            _origin = _next = block.StartSample;
            _nextEmit = _origin + Length;
            // usable from the start, except leads marked before this first block arrived (the chain judges a first
            // block's quality before it pushes it): a fill over every entry erased those marks
            for (int l = 0; l < _lastUnusable.Length; l++)
                if (_lastUnusable[l] == long.MaxValue) _lastUnusable[l] = _origin - 1;
        }
        else if (block.StartSample != _next)
        {
            throw new ArgumentException($"block {block} starts at {block.StartSample}, expected {_next}: the window ring needs a contiguous stream", nameof(block));
        }

        // Leads absent, off or unreadable (a filled gap) in this block are unusable over all of it: marked as each part
        // is written, so a window ending inside the block counts the part it holds.
        var usable = block.Leads.Mask & ~block.LeadOff.Mask & ~block.Unreadable.Mask;

        int done = 0;
        while (done < block.Length)
        {
            int n = (int)Math.Min(block.Length - done, _nextEmit - _next);
            Write(block, done, n);
            done += n;
            _next += n;
            for (int l = 0; l < Leads.Count; l++)
                if ((usable & (1 << l)) == 0) Apply(l, _next);
            if (_next == _nextEmit)
            {
                Emit(onWindow);
                _nextEmit += Hop;
            }
        }
    }

    private void Write(in SampleBlock block, int offset, int count)
    {
        for (int l = 0; l < Leads.Count; l++)
        {
            var ringLead = _ring.AsSpan(l * Length, Length);
            int plane = block.Leads.IndexOf((Lead)l);
            int slot = (int)(_next % Length), written = 0;
            while (written < count)
            {
                int n = Math.Min(count - written, Length - slot);
                var dst = ringLead.Slice(slot, n);
                if (plane < 0) dst.Clear();
                else block.Plane(plane).Slice(offset + written, n).CopyTo(dst);
                written += n;
                slot = 0;
            }
        }
    }

    private void Emit(WindowHandler onWindow)
    {
        long start = _next - Length;
        for (int l = 0; l < Leads.Count; l++) ApplyPending(l, _next);
        ushort mask = 0;
        int head = (int)(_next % Length); // oldest sample's slot
        for (int l = 0; l < Leads.Count; l++)
        {
            var src = _ring.AsSpan(l * Length, Length);
            var dst = _window.AsSpan(l * Length, Length);
            src[head..].CopyTo(dst);
            src[..head].CopyTo(dst[(Length - head)..]);
            if (_lastUnusable[l] < start) mask |= (ushort)(1 << l);
        }
        var leads = new LeadSet(mask);
        WindowStandardiser.Standardise(_window, Length, leads);
        WindowsEmitted++;
        onWindow(new EcgWindow(StreamId, _next, SampleRate, Length, leads, _window));
    }
}
