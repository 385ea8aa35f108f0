using System.Buffers.Binary;
using System.Text;

namespace EcgStream.Formats.Wfdb;

/// <summary>
/// Writes MIT-format annotation files (annot.5) the way WFDB's putann does: a SKIP before any
/// interval that does not fit 10 bits, then the annotation word, then SUB (when non-zero), CHN and
/// NUM (when they change), AUX (when present, padded to an even byte count), and a final 0 word.
/// </summary>
internal static class AnnotationWriter
{
    private const int MaxInterval = 1023;

    public static byte[] Encode(IReadOnlyList<Annotation> annotations)
    {
        var buffer = new List<byte>(annotations.Count * 2 + 2);
        Span<byte> word = stackalloc byte[2];
        long time = 0;
        byte chan = 0, num = 0;
        for (int i = 0; i < annotations.Count; i++)
        {
            var a = annotations[i];
            if (a.Sample < 0)
                throw new ArgumentException($"annotation {i} is at sample {a.Sample}; samples must be non-negative", nameof(annotations));
            if (i > 0 && a.Sample < annotations[i - 1].Sample)
                throw new ArgumentException($"annotation {i} (sample {a.Sample}) comes before annotation {i - 1} (sample {annotations[i - 1].Sample}); annotations must be in time order", nameof(annotations));
            if ((int)a.Code > AnnotationCodes.MaxCode)
                throw new ArgumentException($"annotation {i} has code {(int)a.Code}; MIT format holds codes 0..{AnnotationCodes.MaxCode}", nameof(annotations));
            long delta = a.Sample - time;
            int interval;
            if (delta > MaxInterval)
            {
                // A code-0 word with interval 0 would read as the end of the file, so a NOTQRS
                // annotation keeps 1 sample of its interval in the word.
                int keep = a.Code == AnnotationCode.NotQrs ? 1 : 0;
                WriteSkip(buffer, delta - keep, i);
                interval = keep;
            }
            else if (delta == 0 && a.Code == AnnotationCode.NotQrs)
            {
                WriteSkip(buffer, -1, i);
                interval = 1;
            }
            else interval = (int)delta;
            Word(buffer, word, (int)a.Code, interval);
            time = a.Sample;

            // subtyp and num are signed chars in WFDB: 255 is -1 and is written as the 10-bit 1023.
            if (a.SubType != 0) Word(buffer, word, AnnotationReader.Sub, (sbyte)a.SubType);
            if (a.Channel != chan) { Word(buffer, word, AnnotationReader.Chn, a.Channel); chan = a.Channel; }
            if (a.Num != num) { Word(buffer, word, AnnotationReader.Num, (sbyte)a.Num); num = a.Num; }
            if (a.Aux is { } aux)
            {
                if (aux.Length > 255)
                    throw new ArgumentException($"annotation {i} has a {aux.Length}-character aux string; at most 255 fit", nameof(annotations));
                foreach (char c in aux)
                    if (c == '\0' || c > '\u00FF')
                        throw new ArgumentException($"annotation {i} aux string holds character U+{(int)c:X4}; aux strings are Latin-1 without NUL", nameof(annotations));
                var bytes = Encoding.Latin1.GetBytes(aux);
                Word(buffer, word, AnnotationReader.Aux, bytes.Length);
                buffer.AddRange(bytes);
                if ((bytes.Length & 1) != 0) buffer.Add(0);
            }
        }
        buffer.Add(0);
        buffer.Add(0);
        return buffer.ToArray();
    }

    private static void Word(List<byte> buffer, Span<byte> word, int code, int value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(word, (ushort)((code << 10) | (value & 0x3FF)));
        buffer.Add(word[0]);
        buffer.Add(word[1]);
    }

    private static void WriteSkip(List<byte> buffer, long interval, int index)
    {
        if (interval is < int.MinValue or > int.MaxValue)
            throw new ArgumentException($"annotation {index} is {interval} samples after the previous one; MIT format holds intervals up to 2^31-1", "annotations");
        uint v = unchecked((uint)(int)interval);
        buffer.Add(0);
        buffer.Add(AnnotationReader.Skip << 2);
        // PDP-11 long: the high 16-bit word first, each word least significant byte first.
        buffer.Add((byte)(v >> 16));
        buffer.Add((byte)(v >> 24));
        buffer.Add((byte)v);
        buffer.Add((byte)(v >> 8));
    }
}
