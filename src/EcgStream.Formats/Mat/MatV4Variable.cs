namespace EcgStream.Formats.Mat;

/// <summary>Element type of a MATLAB v4 matrix (the P digit of its MOPT type code).</summary>
public enum MatV4Precision : byte
{
    Double = 0, Single = 1, Int32 = 2, Int16 = 3, UInt16 = 4, UInt8 = 5,
}

/// <summary>Where a MATLAB v4 matrix lies in its file, as its 20-byte header and name say.</summary>
public readonly record struct MatV4Header(
    string Name, int Rows, int Columns, MatV4Precision Precision, bool BigEndian, bool IsText, bool HasImaginary, long DataOffset)
{
    /// <summary>Bytes per element.</summary>
    public int ElementSize => Precision switch
    {
        MatV4Precision.Double => 8,
        MatV4Precision.Single or MatV4Precision.Int32 => 4,
        MatV4Precision.Int16 or MatV4Precision.UInt16 => 2,
        _ => 1,
    };

    /// <summary>Bytes of the real part of the matrix.</summary>
    public long DataBytes => (long)Rows * Columns * ElementSize;

    /// <summary>Offset of the byte after the variable (real and imaginary parts).</summary>
    public long End => DataOffset + DataBytes * (HasImaginary ? 2 : 1);
}

/// <summary>A real MATLAB v4 matrix, values in column-major order as stored.</summary>
public sealed class MatV4Variable
{
    public required MatV4Header Header { get; init; }
    /// <summary>Values, column-major: element (r, c) is at c × Rows + r.</summary>
    public required double[] Data { get; init; }

    public string Name => Header.Name;
    public int Rows => Header.Rows;
    public int Columns => Header.Columns;

    public double this[int row, int column] => Data[(long)column * Rows + row];

    /// <summary>Row <paramref name="row"/> as floats (for `val`, one signal's samples).</summary>
    public float[] RowAsFloats(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        var r = new float[Columns];
        for (int c = 0; c < r.Length; c++) r[c] = (float)Data[(long)c * Rows + row];
        return r;
    }
}
