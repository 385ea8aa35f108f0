using System.Buffers.Binary;

namespace EcgStream.Formats.Wfdb;

/// <summary>
/// WFDB signal storage formats (signal.5): how many samples a packing group holds, how many bytes
/// it takes, and span-based decoders and encoders. Samples are the interleaved stream of a signal
/// file (frame after frame, the signals of a frame in header order).
/// </summary>
internal static class SignalFormats
{
    public const string SupportedList = "8, 16, 24, 32, 61, 80, 160, 212, 310, 311";

    public static bool IsSupported(int format) => format is 8 or 16 or 24 or 32 or 61 or 80 or 160 or 212 or 310 or 311;

    /// <summary>Formats <see cref="Encode"/> can write.</summary>
    public static bool IsWritable(int format) => IsSupported(format) && format != 8;

    /// <summary>Samples per packing group (the smallest unit that starts on a byte boundary).</summary>
    public static int GroupSamples(int format) => format switch { 212 => 2, 310 or 311 => 3, _ => 1 };

    /// <summary>Bytes per packing group.</summary>
    public static int GroupBytes(int format) => format switch
    {
        8 or 80 => 1,
        16 or 61 or 160 => 2,
        24 => 3,
        32 => 4,
        212 => 3,
        310 or 311 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unsupported format"),
    };

    /// <summary>Bits of one sample, and the ADC resolution WFDB assumes when the header omits it.</summary>
    public static int NaturalResolution(int format) => format switch
    {
        8 or 80 => 8,
        16 or 61 or 160 => 16,
        24 => 24,
        32 => 32,
        212 => 12,
        310 or 311 => 10,
        _ => 16,
    };

    /// <summary>Smallest and largest storable sample value (the smallest is WFDB's "invalid sample" marker).</summary>
    public static (int Min, int Max) Range(int format) => NaturalResolution(format) switch
    {
        32 => (int.MinValue, int.MaxValue),
        var bits => (-(1 << (bits - 1)), (1 << (bits - 1)) - 1),
    };

    /// <summary>WFDB's marker for a missing sample in this format (the format's most negative value); format 8 has none.</summary>
    public static int? InvalidSample(int format) => format == 8 ? null : Range(format).Min;

    /// <summary>
    /// Fewest bytes that can hold <paramref name="samples"/> samples: WFDB's writers end an
    /// incomplete 212/310/311 group early (e.g. the last odd 212 sample takes 2 bytes). Checked: a header's sample
    /// count can be any long, and a wrapped product would pass a length check against a small file.
    /// </summary>
    public static long MinBytes(int format, long samples)
    {
        int g = GroupSamples(format), b = GroupBytes(format);
        long full = checked(samples / g * b);
        long rest = samples % g;
        if (rest == 0) return full;
        return format switch
        {
            212 => checked(full + 2),
            310 => checked(full + (rest == 1 ? 2 : 4)),
            311 => checked(full + (rest == 1 ? 2 : 3)),
            _ => full,
        };
    }

    /// <summary>Most bytes <paramref name="samples"/> samples may take (the last group complete). Checked, as <see cref="MinBytes"/>.</summary>
    public static long MaxBytes(int format, long samples)
    {
        int g = GroupSamples(format);
        return checked((samples + g - 1) / g * GroupBytes(format));
    }

    /// <summary>How many whole samples <paramref name="bytes"/> bytes hold.</summary>
    public static long SamplesIn(int format, long bytes)
    {
        int g = GroupSamples(format), b = GroupBytes(format);
        long n = bytes / b * g;
        long rest = bytes % b;
        n += format switch
        {
            212 => rest >= 2 ? 1 : 0,
            310 => rest >= 2 ? 1 : 0,
            311 => rest >= 2 ? 1 : 0,
            _ => 0,
        };
        return n;
    }

    /// <summary>
    /// Decodes <paramref name="dst"/>.Length samples from <paramref name="src"/>, which starts on a
    /// group boundary. Bytes missing at the end of a final partial group read as zero. Format 8
    /// yields the stored first differences; the caller integrates them per signal.
    /// </summary>
    public static void Decode(int format, ReadOnlySpan<byte> src, Span<int> dst)
    {
        int n = dst.Length;
        switch (format)
        {
            case 16:
                for (int i = 0; i < n; i++) dst[i] = BinaryPrimitives.ReadInt16LittleEndian(src.Slice(2 * i, 2));
                break;
            case 61:
                for (int i = 0; i < n; i++) dst[i] = BinaryPrimitives.ReadInt16BigEndian(src.Slice(2 * i, 2));
                break;
            case 160:
                for (int i = 0; i < n; i++) dst[i] = BinaryPrimitives.ReadUInt16LittleEndian(src.Slice(2 * i, 2)) - 32768;
                break;
            case 80:
                for (int i = 0; i < n; i++) dst[i] = src[i] - 128;
                break;
            case 8:
                for (int i = 0; i < n; i++) dst[i] = (sbyte)src[i];
                break;
            case 24:
                for (int i = 0; i < n; i++)
                {
                    int j = 3 * i;
                    dst[i] = ((src[j] | (src[j + 1] << 8) | (src[j + 2] << 16)) << 8) >> 8;
                }
                break;
            case 32:
                for (int i = 0; i < n; i++) dst[i] = BinaryPrimitives.ReadInt32LittleEndian(src.Slice(4 * i, 4));
                break;
            case 212:
                Decode212(src, dst);
                break;
            case 310:
            case 311:
                Decode31X(format, src, dst);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "unsupported format");
        }
    }

    // Two 12-bit two's-complement samples in three bytes: the low byte of the first, then a byte
    // whose low nibble is the first's high 4 bits and whose high nibble is the second's, then the
    // low byte of the second.
    private static void Decode212(ReadOnlySpan<byte> src, Span<int> dst)
    {
        int n = dst.Length;
        int pairs = n / 2;
        for (int k = 0; k < pairs; k++)
        {
            int j = 3 * k;
            int b1 = src[j + 1];
            dst[2 * k] = ((src[j] | ((b1 & 0x0F) << 8)) << 20) >> 20;
            dst[2 * k + 1] = ((src[j + 2] | ((b1 & 0xF0) << 4)) << 20) >> 20;
        }
        if ((n & 1) != 0)
        {
            int j = 3 * pairs;
            dst[n - 1] = ((src[j] | ((src[j + 1] & 0x0F) << 8)) << 20) >> 20;
        }
    }

    // Three 10-bit samples in four bytes. 310: samples 0 and 1 are bits 1–10 of each little-endian
    // 16-bit word, sample 2 is bits 11–15 of the first word (low half) and of the second (high half).
    // 311: one little-endian 32-bit word, samples in bits 0–9, 10–19, 20–29.
    private static void Decode31X(int format, ReadOnlySpan<byte> src, Span<int> dst)
    {
        int n = dst.Length;
        Span<byte> tail = stackalloc byte[4];
        for (int k = 0; 3 * k < n; k++)
        {
            int j = 4 * k;
            scoped ReadOnlySpan<byte> g;
            if (j + 4 <= src.Length) g = src.Slice(j, 4);
            else
            {
                tail.Clear();
                src[j..].CopyTo(tail);
                g = tail;
            }
            int s0, s1, s2;
            if (format == 310)
            {
                int w0 = g[0] | (g[1] << 8), w1 = g[2] | (g[3] << 8);
                s0 = (w0 >> 1) & 0x3FF;
                s1 = (w1 >> 1) & 0x3FF;
                s2 = ((w0 >> 11) & 0x1F) | (((w1 >> 11) & 0x1F) << 5);
            }
            else
            {
                uint w = BinaryPrimitives.ReadUInt32LittleEndian(g);
                s0 = (int)(w & 0x3FF);
                s1 = (int)((w >> 10) & 0x3FF);
                s2 = (int)((w >> 20) & 0x3FF);
            }
            int i = 3 * k;
            dst[i] = (s0 << 22) >> 22;
            if (i + 1 < n) dst[i + 1] = (s1 << 22) >> 22;
            if (i + 2 < n) dst[i + 2] = (s2 << 22) >> 22;
        }
    }

    /// <summary>
    /// Encodes samples into <paramref name="dst"/> (which must hold <see cref="MinBytes"/> bytes) and
    /// returns the bytes written. Values must already lie in <see cref="Range"/>.
    /// </summary>
    public static int Encode(int format, ReadOnlySpan<int> src, Span<byte> dst)
    {
        int n = src.Length;
        switch (format)
        {
            case 16:
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteInt16LittleEndian(dst.Slice(2 * i, 2), (short)src[i]);
                return 2 * n;
            case 61:
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteInt16BigEndian(dst.Slice(2 * i, 2), (short)src[i]);
                return 2 * n;
            case 160:
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteUInt16LittleEndian(dst.Slice(2 * i, 2), (ushort)(src[i] + 32768));
                return 2 * n;
            case 80:
                for (int i = 0; i < n; i++) dst[i] = (byte)(src[i] + 128);
                return n;
            case 24:
                for (int i = 0; i < n; i++)
                {
                    int v = src[i], j = 3 * i;
                    dst[j] = (byte)v; dst[j + 1] = (byte)(v >> 8); dst[j + 2] = (byte)(v >> 16);
                }
                return 3 * n;
            case 32:
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteInt32LittleEndian(dst.Slice(4 * i, 4), src[i]);
                return 4 * n;
            case 212:
            {
                int pairs = n / 2;
                for (int k = 0; k < pairs; k++)
                {
                    int a = src[2 * k] & 0xFFF, b = src[2 * k + 1] & 0xFFF, j = 3 * k;
                    dst[j] = (byte)a;
                    dst[j + 1] = (byte)((a >> 8) | ((b >> 4) & 0xF0));
                    dst[j + 2] = (byte)b;
                }
                if ((n & 1) != 0)
                {
                    int a = src[n - 1] & 0xFFF, j = 3 * pairs;
                    dst[j] = (byte)a;
                    dst[j + 1] = (byte)(a >> 8);
                }
                return (int)MinBytes(212, n);
            }
            case 310:
            case 311:
            {
                Span<byte> g = stackalloc byte[4];
                int written = 0;
                for (int k = 0; 3 * k < n; k++)
                {
                    int i = 3 * k;
                    int s0 = src[i] & 0x3FF, s1 = i + 1 < n ? src[i + 1] & 0x3FF : 0, s2 = i + 2 < n ? src[i + 2] & 0x3FF : 0;
                    if (format == 310)
                    {
                        int w0 = (s0 << 1) | ((s2 & 0x1F) << 11), w1 = (s1 << 1) | ((s2 >> 5) << 11);
                        BinaryPrimitives.WriteUInt16LittleEndian(g, (ushort)w0);
                        BinaryPrimitives.WriteUInt16LittleEndian(g[2..], (ushort)w1);
                    }
                    else
                        BinaryPrimitives.WriteUInt32LittleEndian(g, (uint)(s0 | (s1 << 10) | (s2 << 20)));
                    int len = (int)MinBytes(format, Math.Min(3, n - i));
                    g[..len].CopyTo(dst[(4 * k)..]);
                    written = 4 * k + len;
                }
                return written;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "format cannot be written");
        }
    }
}
