using System.Buffers.Binary;
using System.Text;
using EcgStream.Formats.Mat;
using EcgStream.Tests;

namespace EcgStream.Formats.Tests.Mat;

public sealed class MatV4Tests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private static byte[] Matrix(string name, int type, int rows, int cols, byte[] data)
    {
        var h = new byte[20];
        BinaryPrimitives.WriteInt32LittleEndian(h, type);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(4), rows);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(8), cols);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(16), name.Length + 1);
        return [.. h, .. Encoding.ASCII.GetBytes(name), 0, .. data];
    }

    private static byte[] Doubles(params double[] v) => v.SelectMany(BitConverter.GetBytes).ToArray();

    [Fact]
    public void Reads_a_named_double_matrix_after_another_variable_column_major()
    {
        string path = _dir.File("x.mat");
        File.WriteAllBytes(path, [.. Matrix("fs", 0, 1, 1, Doubles(500)), .. Matrix("val", 0, 2, 3, Doubles(1, 4, 2, 5, 3, 6))]);
        var v = MatV4.Read(path);
        Assert.Equal((2, 3), (v.Rows, v.Columns));
        Assert.Equal([1f, 2f, 3f], v.RowAsFloats(0));
        Assert.Equal([4f, 5f, 6f], v.RowAsFloats(1));
        Assert.Equal(500, MatV4.Read(path, "fs")[0, 0]);
        Assert.Equal(["fs", "val"], MatV4.ReadHeaders(path).Select(h => h.Name));
    }

    [Fact]
    public void NaN_in_float_data_is_refused_with_its_position()
    {
        string path = _dir.File("n.mat");
        File.WriteAllBytes(path, Matrix("val", 0, 2, 2, Doubles(1, 2, double.NaN, 4)));
        var e = Assert.Throws<EcgFormatException>(() => MatV4.Read(path));
        Assert.Contains("NaN at row 0, column 1", e.Message);
        Assert.Equal(24 + 16, e.ByteOffset);
    }

    [Fact]
    public void Bad_matrices_are_refused()
    {
        string path = _dir.File("b.mat");
        File.WriteAllBytes(path, Matrix("val", 30, 1, 100, new byte[50]));
        Assert.Contains("truncated", Assert.Throws<EcgFormatException>(() => MatV4.Read(path)).Message);
        File.WriteAllBytes(path, Matrix("val", 77, 1, 1, new byte[8]));
        Assert.Contains("not a MATLAB v4 file", Assert.Throws<EcgFormatException>(() => MatV4.Read(path)).Message);
        File.WriteAllBytes(path, Matrix("other", 0, 1, 1, new byte[8]));
        Assert.Contains("no variable named 'val' (the file holds: other)", Assert.Throws<EcgFormatException>(() => MatV4.Read(path)).Message);
    }

    [DataFact("physionet2017")]
    public void Bare_reader_agrees_with_the_wfdb_path()
    {
        string mat = TestData.PathOf("physionet2017", "A00001.mat");
        var h = MatV4.ReadFirstHeader(mat);
        Assert.Equal(("val", 1, 9000, MatV4Precision.Int16, 24L), (h.Name, h.Rows, h.Columns, h.Precision, h.DataOffset));
        var bare = MatV4.ReadRecording(mat, 300, 1000);
        var viaHeader = RecordReader.Read(mat);
        Assert.Equal(viaHeader.Samples[0], bare.Samples[0]);
        Assert.Equal(300, viaHeader.SampleRate);
    }

    [Fact]
    public void Record_reader_refuses_a_bare_mat_without_header()
    {
        string path = _dir.File("lonely.mat");
        File.WriteAllBytes(path, Matrix("val", 30, 1, 2, new byte[4]));
        var e = Assert.Throws<EcgFormatException>(() => RecordReader.Read(path));
        Assert.Contains("sampling rate and gains are unknown", e.Message);
    }

    [Fact]
    public void A_wfdb_header_that_disagrees_with_the_mat_matrix_is_refused()
    {
        File.WriteAllBytes(_dir.File("r.mat"), Matrix("val", 30, 2, 3, new byte[12]));
        File.WriteAllText(_dir.File("r.hea"), "r 1 500 6\nr.mat 16+24 1000/mV 16 0 0 0 0 I\n");
        var e = Assert.Throws<EcgFormatException>(() => RecordReader.Read(_dir.File("r")));
        Assert.Contains("2×3 Int16 matrix 'val'", e.Message);
        Assert.Contains("1 samples per frame × 6 frames", e.Message);
    }

    [Fact]
    public void A_header_without_the_mat_byte_offset_is_refused_not_read_from_the_mat_header()
    {
        // 1 signal × 12 frames; the header says format 16 with no "+24", so the MAT header would be read as samples
        File.WriteAllBytes(_dir.File("r.mat"), Matrix("val", 30, 1, 12, new byte[24]));
        File.WriteAllText(_dir.File("r.hea"), "r 1 500 12\nr.mat 16 1000/mV 16 0 0 0 0 I\n");   // the matrix's true length
        var e = Assert.Throws<EcgFormatException>(() => RecordReader.Read(_dir.File("r")));
        Assert.Equal("byte_offset", e.Field);
        Assert.Contains("matrix 'val' starts at byte 24, but the header gives no byte offset (write it as 16+24)", e.Message);
    }
}
