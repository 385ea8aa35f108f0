using System.Buffers.Binary;
using System.Text;

namespace EcgStream.Formats.Mat;

/// <summary>
/// MATLAB level-4 MAT files, as the PhysioNet/CinC challenges ship signals: each variable is a
/// 20-byte header (type MOPT, rows, columns, imaginary flag, name length; int32s in the file's
/// byte order), its NUL-terminated name, then the real part column by column.
/// </summary>
public static class MatV4
{
    private const int HeaderBytes = 20;
    private const int MaxNameLength = 4096;

    /// <summary>Headers of every variable in the file, in order.</summary>
    public static IReadOnlyList<MatV4Header> ReadHeaders(string path)
    {
        using var fs = OpenRead(path);
        var list = new List<MatV4Header>();
        long pos = 0, length = fs.Length;
        while (pos < length)
        {
            var h = ReadHeaderAt(path, fs, pos);
            list.Add(h);
            pos = h.End;
            if (pos > length)
                throw new EcgFormatException(path, $"file is truncated: variable '{h.Name}' ({h.Rows}×{h.Columns} {h.Precision}) needs {pos} bytes, the file holds {length}", byteOffset: length);
        }
        return list;
    }

    /// <summary>Reads the real matrix named <paramref name="name"/> ("val" in PhysioNet files).</summary>
    public static MatV4Variable Read(string path, string name = "val")
    {
        using var fs = OpenRead(path);
        long pos = 0, length = fs.Length;
        var seen = new List<string>();
        while (pos < length)
        {
            var h = ReadHeaderAt(path, fs, pos);
            long end = h.End;
            if (end > length)
                throw new EcgFormatException(path, $"file is truncated: variable '{h.Name}' ({h.Rows}×{h.Columns} {h.Precision}) needs {end} bytes, the file holds {length}", byteOffset: length);
            if (h.Name == name)
            {
                if (h.IsText) throw new EcgFormatException(path, $"variable '{name}' is text, not a numeric matrix", byteOffset: pos);
                return new MatV4Variable { Header = h, Data = ReadData(path, fs, h) };
            }
            seen.Add(h.Name);
            pos = end;
        }
        throw new EcgFormatException(path, $"no variable named '{name}' (the file holds: {(seen.Count == 0 ? "nothing" : string.Join(", ", seen))})");
    }

    /// <summary>
    /// A recording from a bare PhysioNet .mat (no .hea beside it): each row of `val` is a channel
    /// of digital values, scaled by <paramref name="adcGain"/> units per mV. The sampling rate is
    /// not in the file, so the caller supplies it.
    /// </summary>
    public static Recording ReadRecording(string path, double sampleRate, double adcGain = 1000, IReadOnlyList<string>? channelNames = null)
    {
        if (!(sampleRate > 0) || !double.IsFinite(sampleRate))
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "sampling rate must be positive and finite");
        if (adcGain == 0 || !double.IsFinite(adcGain))
            throw new ArgumentOutOfRangeException(nameof(adcGain), adcGain, "gain must be finite and non-zero");
        var v = Read(path);
        if (channelNames is not null && channelNames.Count != v.Rows)
            throw new ArgumentException($"{channelNames.Count} channel names for {v.Rows} rows of 'val' in {path}", nameof(channelNames));
        var samples = new float[v.Rows][];
        var signals = new SignalInfo[v.Rows];
        for (int r = 0; r < v.Rows; r++)
        {
            var row = new float[v.Columns];
            for (int c = 0; c < row.Length; c++) row[c] = (float)(v.Data[(long)c * v.Rows + r] / adcGain);
            samples[r] = row;
            signals[r] = new SignalInfo
            {
                Name = channelNames?[r] ?? $"signal {r}",
                AdcGain = adcGain,
                Format = v.Header.Precision == MatV4Precision.Int16 ? 16 : 0,
                AdcResolution = v.Header.ElementSize * 8,
                InitialValue = v.Columns > 0 ? (int)Math.Clamp(v.Data[r], int.MinValue, int.MaxValue) : 0,
            };
        }
        return new Recording
        {
            Name = Path.GetFileNameWithoutExtension(path),
            SampleRate = sampleRate,
            Signals = signals,
            Samples = samples,
        };
    }

    /// <summary>The header of the first variable (what a WFDB header's "+24" byte offset skips).</summary>
    public static MatV4Header ReadFirstHeader(string path)
    {
        using var fs = OpenRead(path);
        return ReadHeaderAt(path, fs, 0);
    }

    private static FileStream OpenRead(string path) =>
        File.Exists(path)
            ? RecordFiles.OpenRead(path)
            : throw new FileNotFoundException($"MAT file '{path}' not found", path);

    private static MatV4Header ReadHeaderAt(string path, FileStream fs, long pos)
    {
        Span<byte> b = stackalloc byte[HeaderBytes];
        fs.Position = pos;
        if (fs.Length - pos < HeaderBytes)
            throw new EcgFormatException(path, $"file ends inside a MAT v4 variable header ({fs.Length - pos} of {HeaderBytes} bytes)", byteOffset: pos);
        fs.ReadExactly(b);
        // The type is MOPT in decimal, M = 0 for little-endian IEEE, 1 for big-endian. Read it both
        // ways: the byte order that yields a valid MOPT is the file's.
        int le = BinaryPrimitives.ReadInt32LittleEndian(b), be = BinaryPrimitives.ReadInt32BigEndian(b);
        bool big;
        int type;
        if (le is >= 0 and < 100 && le % 10 <= 2) { big = false; type = le; }
        else if (be is >= 1000 and < 1100 && be % 10 <= 2) { big = true; type = be; }
        else throw new EcgFormatException(path, $"not a MATLAB v4 file: type word {le} is not a MOPT code for IEEE little- or big-endian data", field: "type", byteOffset: pos);
        int o = type / 100 % 10, p = type / 10 % 10, t = type % 10;
        if (o != 0) throw new EcgFormatException(path, $"MOPT type {type}: O digit must be 0", field: "type", byteOffset: pos);
        if (p > 5) throw new EcgFormatException(path, $"MOPT type {type}: precision digit {p} is not 0..5", field: "type", byteOffset: pos);
        if (t == 2) throw new EcgFormatException(path, $"MOPT type {type}: sparse matrices are not supported", field: "type", byteOffset: pos);
        int rows = Int32(b, 4, big), cols = Int32(b, 8, big), imagf = Int32(b, 12, big), namlen = Int32(b, 16, big);
        if (rows < 0 || cols < 0)
            throw new EcgFormatException(path, $"matrix size {rows}×{cols} is negative", field: "mrows/ncols", byteOffset: pos + 4);
        if (imagf is not (0 or 1))
            throw new EcgFormatException(path, $"imaginary flag {imagf} is not 0 or 1", field: "imagf", byteOffset: pos + 12);
        if (namlen < 1 || namlen > MaxNameLength)
            throw new EcgFormatException(path, $"name length {namlen} is not 1..{MaxNameLength}", field: "namlen", byteOffset: pos + 16);
        if (fs.Length - fs.Position < namlen)
            throw new EcgFormatException(path, "file ends inside a variable name", byteOffset: fs.Length);
        var nameBytes = new byte[namlen];
        fs.ReadExactly(nameBytes);
        int nul = Array.IndexOf(nameBytes, (byte)0);
        string name = Encoding.ASCII.GetString(nameBytes, 0, nul < 0 ? namlen : nul);
        return new MatV4Header(name, rows, cols, (MatV4Precision)p, big, t == 1, imagf == 1, pos + HeaderBytes + namlen);
    }

    private static int Int32(ReadOnlySpan<byte> b, int at, bool big) =>
        big ? BinaryPrimitives.ReadInt32BigEndian(b[at..]) : BinaryPrimitives.ReadInt32LittleEndian(b[at..]);

    private static double[] ReadData(string path, FileStream fs, MatV4Header h)
    {
        long count = (long)h.Rows * h.Columns;
        if (count > Array.MaxLength / 8)
            throw new EcgFormatException(path, $"variable '{h.Name}' ({h.Rows}×{h.Columns}) is too large to load", byteOffset: h.DataOffset);
        var raw = new byte[h.DataBytes];
        fs.Position = h.DataOffset;
        fs.ReadExactly(raw);
        var data = new double[count];
        ReadOnlySpan<byte> s = raw;
        int size = h.ElementSize;
        for (long i = 0; i < count; i++)
        {
            var e = s.Slice((int)(i * size), size);
            double v = (h.Precision, h.BigEndian) switch
            {
                (MatV4Precision.Double, false) => BinaryPrimitives.ReadDoubleLittleEndian(e),
                (MatV4Precision.Double, true) => BinaryPrimitives.ReadDoubleBigEndian(e),
                (MatV4Precision.Single, false) => BinaryPrimitives.ReadSingleLittleEndian(e),
                (MatV4Precision.Single, true) => BinaryPrimitives.ReadSingleBigEndian(e),
                (MatV4Precision.Int32, false) => BinaryPrimitives.ReadInt32LittleEndian(e),
                (MatV4Precision.Int32, true) => BinaryPrimitives.ReadInt32BigEndian(e),
                (MatV4Precision.Int16, false) => BinaryPrimitives.ReadInt16LittleEndian(e),
                (MatV4Precision.Int16, true) => BinaryPrimitives.ReadInt16BigEndian(e),
                (MatV4Precision.UInt16, false) => BinaryPrimitives.ReadUInt16LittleEndian(e),
                (MatV4Precision.UInt16, true) => BinaryPrimitives.ReadUInt16BigEndian(e),
                _ => e[0],
            };
            if (!double.IsFinite(v))
                throw new EcgFormatException(path,
                    $"variable '{h.Name}' holds {v} at row {i % Math.Max(1, h.Rows)}, column {i / Math.Max(1, h.Rows)}; signals must be finite",
                    byteOffset: h.DataOffset + i * size);
            data[i] = v;
        }
        return data;
    }
}
