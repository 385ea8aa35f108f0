using System.Globalization;
using System.Text;
using EcgStream.Core.Leads;
using EcgStream.Core.Samples;

namespace EcgStream.Daemon.Streams;

/// <summary>
/// The live view's ECG strip for one bed: one lead (II if present, else the first) averaged over
/// groups of samples down to about <c>targetRate</c> Hz, sent as a JSON message every
/// <see cref="ChunkSeconds"/> of stream time. Works per block into a fixed buffer; the only
/// allocation is the message itself, a few times per second.
/// </summary>
public sealed class StripDecimator(string bedId, int targetRate, Action<HubMessage> publish)
{
    public const double ChunkSeconds = 0.2;
    private float[] _values = [];
    private int _count;
    private int _factor;
    private double _rate;
    private double _accum;
    private int _accumN;
    private long _chunkStart = -1;   // stream sample index of the first sample in the chunk
    private long _expected = -1;
    private Lead _lead;

    public void Push(in SampleBlock block)
    {
        if (block.Length == 0) return;
        if (block.SampleRate != _rate || _expected < 0 || block.StartSample != _expected || !block.Leads.Contains(_lead))
            Reset(block);
        var plane = block.Lead(_lead);
        for (int i = 0; i < plane.Length; i++)
        {
            if (_accumN == 0 && _count == 0) _chunkStart = block.StartSample + i;
            _accum += plane[i];
            if (++_accumN < _factor) continue;
            _values[_count++] = (float)(_accum / _accumN);
            _accum = 0;
            _accumN = 0;
            if (_count == _values.Length) Flush();
        }
        _expected = block.EndSample;
    }

    private void Reset(in SampleBlock block)
    {
        if (_count > 0) Flush();
        _rate = block.SampleRate;
        _lead = block.Leads.Contains(Lead.II) ? Lead.II : block.Leads[0];
        _factor = Math.Max(1, (int)Math.Round(_rate / targetRate));
        int perChunk = Math.Max(1, (int)Math.Round(ChunkSeconds * _rate / _factor));
        if (_values.Length != perChunk) _values = new float[perChunk];
        _count = 0;
        _accum = 0;
        _accumN = 0;
    }

    private void Flush()
    {
        var sb = new StringBuilder(32 + 8 * _count);
        sb.Append("{\"type\":\"strip\",\"stream\":").Append(System.Text.Json.JsonSerializer.Serialize(bedId))
          .Append(",\"lead\":\"").Append(Leads.Name(_lead)).Append('"')
          .Append(",\"rate\":").Append((_rate / _factor).ToString("0.###", CultureInfo.InvariantCulture))
          .Append(",\"t\":").Append((_chunkStart / _rate).ToString("0.###", CultureInfo.InvariantCulture))
          .Append(",\"mv\":[");
        for (int i = 0; i < _count; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(_values[i].ToString("0.###", CultureInfo.InvariantCulture));
        }
        sb.Append("]}");
        _count = 0;
        publish(new HubMessage("strip", bedId, Encoding.UTF8.GetBytes(sb.ToString())));
    }
}
