using System.Buffers;
using System.Buffers.Binary;
using EcgStream.Core.Samples;

namespace EcgStream.Ingest.Wire;

/// <summary>
/// Decodes a protocol v1 byte stream into <see cref="IngestEvent"/>s: INFO tracking, DATA frames
/// into planar millivolt <see cref="SampleBlock"/>s (one reused buffer), sequence gaps, duplicates
/// and restarts, device timestamps unwrapped. One instance per stream; not thread-safe.
/// <para>Two ways in: <see cref="TryRead"/> over a <see cref="SequenceReader{T}"/> (what the
/// <see cref="System.IO.Pipelines.PipeReader"/> loop in <see cref="WireIngest"/> uses), or
/// <see cref="Push"/>/<see cref="Complete"/> with byte spans and an <see cref="IIngestEventSink"/>
/// (BLE notifications, tests).</para>
/// </summary>
public sealed class WireDecoder
{
    private readonly WireDecoderOptions _options;
    private readonly byte[] _infoPayload = new byte[WireProtocol.InfoFixedSize + 255]; // last INFO, to spot repeats without parsing
    private int _infoPayloadLength = -1;
    private float[] _planar = [];          // the block buffer, reused for every frame
    private byte[] _scratch = [];          // a DATA payload that crosses segments is copied here
    private double _mvPerLsb;
    private bool _haveSeq;
    private uint _expectedSeq;
    private long _streamSample;            // index of the next sample, gaps included; 0 at each new INFO
    private bool _haveTime;
    private uint _lastRawTime;
    private long _deviceMicros;            // unwrapped device time of the last delivered frame
    private bool _pendingData;             // a gap/restart was returned; its data block comes next
    private IngestEvent _pending;
    private byte[] _pushBuffer = [];       // for Push()
    private int _pushStart, _pushEnd;

    public WireDecoder(WireDecoderOptions? options = null)
    {
        _options = options ?? new WireDecoderOptions();
        _options.Validate();
    }

    public IngestCounters Counters { get; } = new();
    /// <summary>The current device description; null until the first INFO frame.</summary>
    public DeviceInfo? Info { get; private set; }
    public string StreamId => _options.StreamId;

    /// <summary>
    /// Reads the next event. <c>false</c>: more bytes are needed (the reader stands at the first
    /// byte not yet consumed). <paramref name="isFinal"/>: no more input will come.
    /// </summary>
    public bool TryRead(ref SequenceReader<byte> reader, bool isFinal, out IngestEvent e)
    {
        if (_pendingData)
        {
            _pendingData = false;
            e = _pending;
            return true;
        }
        while (FrameReader.TryReadFrame(ref reader, isFinal, Counters, out var header, out var payload))
        {
            if (header.Version != WireProtocol.Version || header.Type is not ((byte)FrameType.Info or (byte)FrameType.Data))
            {
                Counters.Unsupported++;
                continue;
            }
            if (header.Type == (byte)FrameType.Info)
            {
                if (OnInfo(payload, out e)) return true;
                continue;
            }
            if (OnData(payload, out e)) return true;
        }
        e = default;
        return false;
    }

    private bool OnInfo(in ReadOnlySequence<byte> payload, out IngestEvent e)
    {
        e = default;
        if (payload.Length > _infoPayload.Length) { Counters.Malformed++; return false; }
        Span<byte> p = stackalloc byte[(int)payload.Length];
        payload.CopyTo(p);
        if (_infoPayloadLength == p.Length && p.SequenceEqual(_infoPayload.AsSpan(0, _infoPayloadLength)))
        {
            Counters.InfoFrames++; // the periodic repeat: nothing changed
            return false;
        }
        var info = DeviceInfo.TryParse(p, out _);
        if (info is null) { Counters.Malformed++; return false; }
        Counters.InfoFrames++;
        p.CopyTo(_infoPayload);
        _infoPayloadLength = p.Length;
        Info = info;
        _mvPerLsb = info.MillivoltsPerLsb;
        int n = info.SamplesPerFrame * info.Leads.Count;
        if (_planar.Length < n) _planar = new float[n];
        _haveSeq = false;
        _haveTime = false;
        _streamSample = 0;
        e = IngestEvent.ForInfo(info);
        return true;
    }

    private bool OnData(in ReadOnlySequence<byte> payload, out IngestEvent e)
    {
        e = default;
        var info = Info;
        if (info is null) { Counters.NoInfo++; return false; }
        if (payload.Length != info.DataPayloadLength) { Counters.Malformed++; return false; }
        ReadOnlySpan<byte> p;
        if (payload.IsSingleSegment) p = payload.FirstSpan;
        else
        {
            if (_scratch.Length < payload.Length) _scratch = new byte[WireProtocol.MaxPayload];
            payload.CopyTo(_scratch);
            p = _scratch.AsSpan(0, (int)payload.Length);
        }
        uint seq = BinaryPrimitives.ReadUInt32LittleEndian(p);
        uint ts = BinaryPrimitives.ReadUInt32LittleEndian(p[4..]);
        ushort leadOff = BinaryPrimitives.ReadUInt16LittleEndian(p[8..]);
        if ((leadOff & ~WireProtocol.LeadMaskAll) != 0) { Counters.Malformed++; return false; }

        int spf = info.SamplesPerFrame;
        IngestEvent before = default;
        bool hasBefore = false;
        if (_haveSeq)
        {
            uint ahead = seq - _expectedSeq;
            if (ahead >= 0x8000_0000u)
            {
                uint behind = _expectedSeq - seq;
                if (behind <= (uint)_options.DuplicateWindow) { Counters.Duplicates++; return false; }
                Counters.Restarts++;
                before = IngestEvent.ForRestart(seq);
                hasBefore = true;
                _haveTime = false;
            }
            else if (ahead > 0)
            {
                long samples = (long)ahead * spf;
                Counters.Gaps++;
                Counters.GapFrames += ahead;
                Counters.GapSamples += samples;
                before = IngestEvent.ForGap(new GapEvent(_expectedSeq, ahead, samples, _streamSample));
                hasBefore = true;
                _streamSample += samples;
            }
        }
        _haveSeq = true;
        _expectedSeq = seq + 1;

        // device time: unwrap the 32-bit µs counter (frames arrive far more often than every 35 min)
        if (_haveTime) _deviceMicros += (int)(ts - _lastRawTime);
        else _deviceMicros = ts;
        _haveTime = true;
        _lastRawTime = ts;

        int leads = info.Leads.Count;
        Transpose(p[WireProtocol.DataHeaderSize..], info.Format, spf, leads, _planar);
        var block = new SampleBlock(_options.StreamId, _streamSample, info.SampleRate, info.Leads, spf,
            _planar.AsMemory(0, spf * leads), new Core.Leads.LeadSet(leadOff), seq);
        _streamSample += spf;
        Counters.DataFrames++;
        var data = IngestEvent.ForData(block, seq, ts, _deviceMicros);
        if (hasBefore)
        {
            _pending = data;
            _pendingData = true;
            e = before;
        }
        else e = data;
        return true;
    }

    /// <summary>Interleaved LSB samples (sample-major) → planar millivolts (lead-major).</summary>
    private void Transpose(ReadOnlySpan<byte> s, SampleFormat format, int spf, int leads, Span<float> dest)
    {
        double scale = _mvPerLsb;
        if (format == SampleFormat.Int16)
        {
            for (int i = 0, k = 0; i < spf; i++)
                for (int l = 0; l < leads; l++, k += 2)
                    dest[l * spf + i] = (float)(BinaryPrimitives.ReadInt16LittleEndian(s[k..]) * scale);
        }
        else
        {
            for (int i = 0, k = 0; i < spf; i++)
                for (int l = 0; l < leads; l++, k += 3)
                {
                    int v = (s[k] | (s[k + 1] << 8) | (s[k + 2] << 16)) << 8 >> 8; // sign-extend 24 bits
                    dest[l * spf + i] = (float)(v * scale);
                }
        }
    }

    /// <summary>
    /// Push-style decoding: feeds <paramref name="data"/> and delivers every complete event to
    /// <paramref name="sink"/> before returning. Bytes of an incomplete frame are kept for the next call.
    /// </summary>
    public void Push(ReadOnlySpan<byte> data, IIngestEventSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (_pushBuffer.Length == 0) _pushBuffer = new byte[2 * WireProtocol.MaxFrame];
        while (true)
        {
            if (_pushStart > 0)
            {
                _pushBuffer.AsSpan(_pushStart, _pushEnd - _pushStart).CopyTo(_pushBuffer);
                _pushEnd -= _pushStart;
                _pushStart = 0;
            }
            int n = Math.Min(data.Length, _pushBuffer.Length - _pushEnd);
            data[..n].CopyTo(_pushBuffer.AsSpan(_pushEnd));
            _pushEnd += n;
            data = data[n..];
            Drain(false, sink);
            if (data.IsEmpty) return;
        }
    }

    /// <summary>Declares the end of input: buffered bytes that cannot complete a frame are skipped.</summary>
    public void Complete(IIngestEventSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        Drain(true, sink);
    }

    private void Drain(bool isFinal, IIngestEventSink sink)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(_pushBuffer, _pushStart, _pushEnd - _pushStart));
        while (TryRead(ref reader, isFinal, out var e)) sink.OnEvent(e);
        _pushStart += (int)reader.Consumed;
    }
}
