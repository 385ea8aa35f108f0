using System.Globalization;
using System.Net;
using System.Text;

namespace EcgStream.Training.Evaluation;

/// <summary>A minimal SVG line chart (no plotting library is available): one series, axes, ticks, labels.</summary>
public static class SvgLinePlot
{
    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<double> x, IReadOnlyList<double> y, int width = 480, int height = 300)
    {
        if (x.Count != y.Count || x.Count == 0) throw new ArgumentException($"{x.Count} x values for {y.Count} y values; need at least one point");
        const int left = 60, right = 20, top = 30, bottom = 45;
        var finite = y.Where(double.IsFinite).ToList();
        double x0 = x.Min(), x1 = x.Max(), y0 = finite.Count > 0 ? finite.Min() : 0, y1 = finite.Count > 0 ? finite.Max() : 1;
        if (x1 == x0) { x0 -= 0.5; x1 += 0.5; }
        if (y1 == y0) { y0 -= 0.05; y1 += 0.05; }
        double Px(double v) => left + (v - x0) / (x1 - x0) * (width - left - right);
        double Py(double v) => height - bottom - (v - y0) / (y1 - y0) * (height - top - bottom);
        static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"18\" text-anchor=\"middle\" font-size=\"13\">{WebUtility.HtmlEncode(title)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\" stroke=\"black\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{height - bottom}\" stroke=\"black\"/>\n");
        for (int i = 0; i <= 4; i++)
        {
            double v = y0 + (y1 - y0) * i / 4;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 5}\" y=\"{F(Py(v) + 4)}\" text-anchor=\"end\">{v.ToString("0.000", CultureInfo.InvariantCulture)}</text>\n");
        }
        foreach (var v in x.Distinct())
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(Px(v))}\" y=\"{height - bottom + 15}\" text-anchor=\"middle\">{F(v)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{(left + width - right) / 2}\" y=\"{height - 8}\" text-anchor=\"middle\">{WebUtility.HtmlEncode(xLabel)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{(top + height - bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {(top + height - bottom) / 2})\">{WebUtility.HtmlEncode(yLabel)}</text>\n");
        var points = Enumerable.Range(0, x.Count).Where(i => double.IsFinite(y[i])).Select(i => $"{F(Px(x[i]))},{F(Py(y[i]))}").ToList();
        sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"{string.Join(' ', points)}\"/>\n");
        foreach (var p in points)
        {
            var xy = p.Split(',');
            sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{xy[0]}\" cy=\"{xy[1]}\" r=\"3\" fill=\"#1f77b4\"/>\n");
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }
}
