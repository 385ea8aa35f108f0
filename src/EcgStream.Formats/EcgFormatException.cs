using System.Text;

namespace EcgStream.Formats;

/// <summary>
/// A file does not hold what its format (or its own header) says it holds. The message always
/// names the file and, where they apply, the header line, the field and the byte offset, so that
/// a user can find the problem without a debugger.
/// </summary>
public sealed class EcgFormatException : FormatException
{
    public EcgFormatException(string filePath, string problem, int? line = null, string? field = null, long? byteOffset = null,
        Exception? inner = null)
        : base(Describe(filePath, problem, line, field, byteOffset), inner)
    {
        FilePath = filePath;
        Problem = problem;
        Line = line;
        Field = field;
        ByteOffset = byteOffset;
    }

    /// <summary>The file that is wrong (a header, a signal file, an annotation file).</summary>
    public string FilePath { get; }
    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }
    /// <summary>1-based line of a text header, when the problem is on one line.</summary>
    public int? Line { get; }
    /// <summary>The header field concerned (WFDB field names: "format", "adc_gain", "fs", …).</summary>
    public string? Field { get; }
    /// <summary>Byte offset in the file where the problem was found.</summary>
    public long? ByteOffset { get; }

    /// <summary>
    /// "file, line N, field 'f', byte offset B: problem" — the one-line form of every format
    /// message, shared with the warnings readers give for fields they ignore.
    /// </summary>
    internal static string Describe(string filePath, string problem, int? line = null, string? field = null, long? byteOffset = null)
    {
        var sb = new StringBuilder();
        AppendOneLine(sb, filePath);
        if (line is not null) sb.Append(", line ").Append(line.Value);
        if (field is not null) AppendOneLine(sb.Append(", field '"), field).Append('\'');
        if (byteOffset is not null) sb.Append(", byte offset ").Append(byteOffset.Value);
        AppendOneLine(sb.Append(": "), problem);
        return sb.ToString();
    }

    /// <summary>
    /// Control characters and line breaks escaped (\n, \r, \t, \x1b, \u2028): a message quotes bytes from the
    /// file, and one that broke the line or carried a terminal escape would forge or garble the log it lands in.
    /// </summary>
    private static StringBuilder AppendOneLine(StringBuilder sb, string text)
    {
        foreach (char c in text)
        {
            if (!char.IsControl(c) && char.GetUnicodeCategory(c) is not (System.Globalization.UnicodeCategory.LineSeparator
                                                                            or System.Globalization.UnicodeCategory.ParagraphSeparator))
                sb.Append(c);
            else if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (c == '\t') sb.Append("\\t");
            else if (c <= 0xFF) sb.Append("\\x").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            else sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb;
    }
}
