using System.Globalization;
using System.Net;
using System.Text;

namespace EcgStream.Training.Runs;

/// <summary>
/// A self-contained HTML page (inline SVG, no scripts, no external files) built section by section:
/// the report of a training run, readable in any browser and diffable as text.
/// </summary>
public sealed class HtmlReport
{
    private readonly StringBuilder _body = new();

    public HtmlReport(string title) => Title = title;

    public string Title { get; }

    public HtmlReport Heading(string text)
    {
        _body.Append("<h2>").Append(WebUtility.HtmlEncode(text)).Append("</h2>\n");
        return this;
    }

    public HtmlReport Paragraph(string text)
    {
        _body.Append("<p>").Append(WebUtility.HtmlEncode(text)).Append("</p>\n");
        return this;
    }

    /// <summary>Preformatted text (a command line, a configuration).</summary>
    public HtmlReport Code(string text)
    {
        _body.Append("<pre>").Append(WebUtility.HtmlEncode(text)).Append("</pre>\n");
        return this;
    }

    /// <summary>An SVG document produced by our own plotting code (inserted as is).</summary>
    public HtmlReport Svg(string svg)
    {
        if (!svg.StartsWith("<svg", StringComparison.Ordinal)) throw new ArgumentException("not an SVG document", nameof(svg));
        _body.Append("<figure>").Append(svg).Append("</figure>\n");
        return this;
    }

    public HtmlReport Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        _body.Append("<table>\n<tr>");
        foreach (var h in header) _body.Append("<th>").Append(WebUtility.HtmlEncode(h)).Append("</th>");
        _body.Append("</tr>\n");
        foreach (var row in rows)
        {
            if (row.Count != header.Count) throw new ArgumentException($"a row of {row.Count} cells under a header of {header.Count}", nameof(rows));
            _body.Append("<tr>");
            foreach (var cell in row) _body.Append("<td>").Append(WebUtility.HtmlEncode(cell)).Append("</td>");
            _body.Append("</tr>\n");
        }
        _body.Append("</table>\n");
        return this;
    }

    public string Render() =>
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + WebUtility.HtmlEncode(Title) + "</title>\n" +
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}table{border-collapse:collapse}" +
        "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}th{background:#f4f4f4}pre{background:#f8f8f8;padding:6px;overflow-x:auto}</style>\n" +
        "</head><body>\n<h1>" + WebUtility.HtmlEncode(Title) + "</h1>\n" +
        "<p>Written " + DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC by ecgstream.</p>\n" +
        _body + "</body></html>\n";

    /// <summary>Writes the page atomically (a reader never sees half a report).</summary>
    public void Save(string path)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, Render());
        File.Move(tmp, path, overwrite: true);
    }

    public static string Number(double value, string format = "F4") =>
        double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "–";
}
