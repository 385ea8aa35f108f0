using System.Buffers.Binary;
using EcgStream.Core.Samples;

namespace EcgStream.Ingest.Wire;

/// <summary>
/// Writes sample blocks in vdev's raw input format (PROTOCOL.md, "Raw sample input"): int16
/// little-endian, interleaved (one value per lead of the block's set, in lead order, per sample
/// instant), in LSB of <c>nvPerLsb</c> nanovolts. Play it with
/// <c>vdev --raw FILE --leads 0xMASK --gain-nv NV --rate HZ</c>. Values beyond int16 are clamped and
/// counted. One reused buffer; no allocation per block once it is large enough.
/// </summary>
public sealed class RawSampleWriter(Stream output, double nvPerLsb)
{
    private readonly Stream _output = output ?? throw new ArgumentNullException(nameof(output));
    private readonly double _lsbPerMv = nvPerLsb > 0 && double.IsFinite(nvPerLsb)
        ? 1e6 / nvPerLsb
        : throw new ArgumentOutOfRangeException(nameof(nvPerLsb), nvPerLsb, "nV per LSB must be positive and finite");
    private byte[] _buffer = [];

    /// <summary>Samples that did not fit int16 and were clamped.</summary>
    public long Clamped { get; private set; }

    public void Write(in SampleBlock block)
    {
        int leads = block.Leads.Count, n = block.Length, bytes = 2 * leads * n;
        if (_buffer.Length < bytes) _buffer = new byte[bytes];
        var span = block.Samples.Span;
        for (int i = 0; i < n; i++)
            for (int p = 0; p < leads; p++)
            {
                double v = Math.Round(span[p * n + i] * _lsbPerMv);
                if (v > short.MaxValue) { v = short.MaxValue; Clamped++; }
                else if (v < short.MinValue) { v = short.MinValue; Clamped++; }
                BinaryPrimitives.WriteInt16LittleEndian(_buffer.AsSpan(2 * (i * leads + p)), (short)v);
            }
        _output.Write(_buffer, 0, bytes);
    }
}
