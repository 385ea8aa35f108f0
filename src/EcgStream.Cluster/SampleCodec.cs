using System.Buffers.Binary;
using EcgStream.Core.Leads;
using EcgStream.Core.Samples;

namespace EcgStream.Cluster;

/// <summary>
/// The sample message on the wire (one JetStream message per block, subject <c>ecg.&lt;site&gt;.&lt;bed&gt;</c>):
/// a 40-byte little-endian header, then the samples as int16 at 1 µV per unit, lead-major (planar, as
/// <see cref="SampleBlock"/> holds them). 12 leads × 10 samples (40 ms at 250 Hz) is 280 bytes; the same
/// block as JSON would be several kilobytes.
/// <code>
/// offset size field
///  0     1   version (1)
///  1     1   reserved (0)
///  2     2   leads mask (bit i = lead i, DESIGN.md order)
///  4     2   lead-off mask
///  6     2   unreadable mask
///  8     4   sample rate, mHz (uint32)
/// 12     2   samples per lead (n)
/// 14     2   reserved (0)
/// 16     8   start sample index since the stream began (int64)
/// 24     8   source frame sequence number, -1 for none (int64)
/// 32     8   device timestamp, µs (int64; the start sample's time where the device gives none)
/// 40   2·L·n samples, int16, 1 µV per unit, saturating at ±32.767 mV
/// </code>
/// The bed id is the subject's last token, not repeated in the payload.
/// </summary>
public static class SampleCodec
{
    public const byte Version = 1;
    public const int HeaderSize = 40;
    /// <summary>Millivolts per unit of the int16 samples (1 µV).</summary>
    public const float MillivoltsPerUnit = 0.001f;

    public static int SizeOf(in SampleBlock block) => HeaderSize + 2 * block.Leads.Count * block.Length;

    /// <summary>Encodes <paramref name="block"/> into <paramref name="destination"/> (at least <see cref="SizeOf"/> bytes); returns the bytes written.</summary>
    public static int Encode(in SampleBlock block, Span<byte> destination, long deviceMicros = long.MinValue)
    {
        if (block.Length > ushort.MaxValue) throw new ArgumentException($"block of {block.Length} samples: at most {ushort.MaxValue} per message");
        int size = SizeOf(block);
        if (destination.Length < size) throw new ArgumentException($"destination holds {destination.Length} bytes, the block needs {size}");
        destination[0] = Version;
        destination[1] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], block.Leads.Mask);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], block.LeadOff.Mask);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], block.Unreadable.Mask);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], checked((uint)Math.Round(block.SampleRate * 1000)));
        BinaryPrimitives.WriteUInt16LittleEndian(destination[12..], (ushort)block.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[14..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], block.StartSample);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], block.Sequence);
        long micros = deviceMicros != long.MinValue ? deviceMicros : (long)Math.Round(block.StartSample * 1e6 / block.SampleRate);
        BinaryPrimitives.WriteInt64LittleEndian(destination[32..], micros);
        var samples = block.Samples.Span;
        var body = destination[HeaderSize..];
        for (int i = 0; i < samples.Length; i++)
        {
            float units = MathF.Round(samples[i] / MillivoltsPerUnit);
            short v = float.IsNaN(units) ? (short)0 : (short)Math.Clamp(units, short.MinValue, short.MaxValue);
            BinaryPrimitives.WriteInt16LittleEndian(body[(2 * i)..], v);
        }
        return size;
    }

    public static byte[] Encode(in SampleBlock block)
    {
        var bytes = new byte[SizeOf(block)];
        Encode(block, bytes);
        return bytes;
    }

    /// <summary>
    /// Decodes a message of bed <paramref name="streamId"/> into <paramref name="buffer"/> (grown as needed and reused by the
    /// caller: the block is valid until the next decode into it). False, with <paramref name="problem"/>, for a malformed message.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> message, string streamId, ref float[] buffer, out SampleBlock block, out string? problem)
    {
        block = default;
        if (message.Length < HeaderSize) { problem = $"message of {message.Length} bytes, shorter than the {HeaderSize}-byte header"; return false; }
        if (message[0] != Version) { problem = $"message version {message[0]}, this build reads {Version}"; return false; }
        var leads = new LeadSet(BinaryPrimitives.ReadUInt16LittleEndian(message[2..]));
        var leadOff = new LeadSet(BinaryPrimitives.ReadUInt16LittleEndian(message[4..]));
        var unreadable = new LeadSet(BinaryPrimitives.ReadUInt16LittleEndian(message[6..]));
        uint milliHz = BinaryPrimitives.ReadUInt32LittleEndian(message[8..]);
        int n = BinaryPrimitives.ReadUInt16LittleEndian(message[12..]);
        long start = BinaryPrimitives.ReadInt64LittleEndian(message[16..]);
        long sequence = BinaryPrimitives.ReadInt64LittleEndian(message[24..]);
        if (leads.IsEmpty || leads.Mask > LeadSet.AllMask) { problem = $"leads mask 0x{leads.Mask:X4} names no lead or a lead beyond V6"; return false; }
        if (milliHz == 0) { problem = "sample rate 0"; return false; }
        if (start < 0) { problem = $"start sample {start} is negative"; return false; }
        int values = leads.Count * n;
        if (message.Length != HeaderSize + 2 * values) { problem = $"message of {message.Length} bytes, header says {leads.Count} leads × {n} samples ({HeaderSize + 2 * values} bytes)"; return false; }
        if (buffer.Length < values) buffer = new float[values];
        var body = message[HeaderSize..];
        for (int i = 0; i < values; i++) buffer[i] = BinaryPrimitives.ReadInt16LittleEndian(body[(2 * i)..]) * MillivoltsPerUnit;
        block = new SampleBlock(streamId, start, milliHz / 1000.0, leads, n, buffer.AsMemory(0, values), leadOff, sequence, unreadable);
        problem = null;
        return true;
    }

    /// <summary>What a decode gives back for <paramref name="value"/> mV: the wire quantises to 1 µV and saturates at ±32.767 mV.</summary>
    public static float Quantise(float value) => Math.Clamp(MathF.Round(value / MillivoltsPerUnit), short.MinValue, short.MaxValue) * MillivoltsPerUnit;
}
