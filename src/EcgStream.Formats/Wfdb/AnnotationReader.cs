using System.Text;

namespace EcgStream.Formats.Wfdb;

/// <summary>
/// Reads MIT-format annotation files (annot.5). The file is a sequence of little-endian 16-bit
/// words, each a 6-bit code A (high bits) and a 10-bit value I. A in 1..49 is an annotation at
/// I samples after the previous one; the pseudo-codes that follow it modify it:
/// SKIP (59: a 32-bit interval follows, high 16-bit word first), NUM (60: num for this and later
/// annotations), SUB (61: subtype of this one), CHN (62: channel for this and later ones),
/// AUX (63: I bytes of text follow, padded to an even count). A word of 0 ends the file.
/// </summary>
internal static class AnnotationReader
{
    // NUM, SUB and CHN carry 10 bits but fill 8-bit fields (WFDB's signed char num and subtyp,
    // unsigned char chan): the low 8 bits are kept, so a subtype of -1 written as 1023 reads as 255,
    // which WFDB's tools read back as -1.
    public const int Skip = 59, Num = 60, Sub = 61, Chn = 62, Aux = 63;

    public static List<Annotation> Read(string path) => Parse(path, RecordFiles.ReadAllBytes(path));

    public static List<Annotation> Parse(string path, ReadOnlySpan<byte> data)
    {
        var list = new List<Annotation>(data.Length / 2);
        long time = 0;
        byte num = 0, chan = 0;
        bool open = false;            // an annotation has been started and may still take modifiers
        long sample = 0;
        AnnotationCode code = default;
        byte sub = 0;
        string? aux = null;
        int pos = 0;

        while (true)
        {
            if (pos + 2 > data.Length)
            {
                if (pos == data.Length && pos > 0) break; // tolerated: some writers omit the final 0 word
                if (data.Length == 0) break;             // an empty file holds no annotations
                throw new EcgFormatException(path, "file ends inside an annotation word", byteOffset: pos);
            }
            int word = data[pos] | (data[pos + 1] << 8);
            int a = word >> 10, v = word & 0x3FF;
            int at = pos;
            pos += 2;
            if (word == 0) break;
            switch (a)
            {
                case Skip:
                {
                    if (pos + 4 > data.Length)
                        throw new EcgFormatException(path, "SKIP is not followed by its 4-byte interval", byteOffset: at);
                    // PDP-11 long: the high 16-bit word first, each word little-endian.
                    int hi = data[pos] | (data[pos + 1] << 8), lo = data[pos + 2] | (data[pos + 3] << 8);
                    time += (int)((uint)(hi << 16) | (uint)lo);
                    pos += 4;
                    break;
                }
                case Num:
                    num = (byte)v;
                    if (open) Flush();
                    break;
                case Sub:
                    if (!open) throw new EcgFormatException(path, "SUB before any annotation", byteOffset: at);
                    sub = (byte)v;
                    Flush();
                    break;
                case Chn:
                    chan = (byte)v;
                    if (open) Flush();
                    break;
                case Aux:
                {
                    if (!open) throw new EcgFormatException(path, "AUX before any annotation", byteOffset: at);
                    if (pos + v > data.Length)
                        throw new EcgFormatException(path, $"AUX says {v} bytes follow but the file ends after {data.Length - pos}", byteOffset: at);
                    var bytes = data.Slice(pos, v);
                    int end = bytes.IndexOf((byte)0);
                    if (end >= 0) bytes = bytes[..end];   // the text ends at its first NUL
                    aux = Encoding.Latin1.GetString(bytes);
                    Flush();
                    pos += v + (v & 1);
                    if (pos > data.Length)
                        throw new EcgFormatException(path, $"file ends before the padding byte of a {v}-byte AUX string", byteOffset: data.Length);
                    break;
                }
                default:
                {
                    if (a > AnnotationCodes.MaxCode)
                        throw new EcgFormatException(path, $"annotation code {a} is not defined (codes are 0..{AnnotationCodes.MaxCode}, pseudo-codes 59..63)", byteOffset: at);
                    time += v;
                    if (time < 0)
                        throw new EcgFormatException(path, $"annotation time {time} is negative", byteOffset: at);
                    // a negative SKIP can move time back; every reader of the list (episodes, beat matching) needs time order
                    if (list.Count > 0 && time < list[^1].Sample)
                        throw new EcgFormatException(path,
                            $"annotation at sample {time} comes after one at sample {list[^1].Sample}: the file is not in time order (WFDB's sortann sorts it)", byteOffset: at);
                    open = true;
                    sample = time;
                    code = (AnnotationCode)a;
                    sub = 0;
                    aux = null;
                    list.Add(Current());
                    break;
                }
            }
        }
        return list;

        // The last list entry is the open annotation; modifiers rewrite it in place.
        Annotation Current() => new(sample, code, sub, chan, num, aux);
        void Flush() { list[^1] = Current(); }
    }
}
