using System.Globalization;
using System.Net;
using System.Text;

namespace EcgStream.Training.Evaluation;

/// <summary>One line of a <see cref="SvgLinePlot"/>: its name (the legend) and its points.</summary>
public sealed record PlotSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>
/// A minimal SVG line chart (no plotting library is available): series, axes, about five ticks per
/// axis, labels, a legend when there are several series. Markers are drawn only for short series;
/// long ones (a loss per step) are thinned to at most <see cref="MaxPointsPerSeries"/> points.
/// </summary>
public static class SvgLinePlot
{
    public const int MaxPointsPerSeries = 600;
    private const int MarkerLimit = 40;
    private static readonly string[] s_colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<double> x, IReadOnlyList<double> y, int width = 480, int height = 300) =>
        Render(title, xLabel, yLabel, [new PlotSeries(yLabel, x, y)], width, height);

    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<PlotSeries> series, int width = 480, int height = 300)
    {
        if (series.Count == 0) throw new ArgumentException("a plot needs at least one series", nameof(series));
        foreach (var s in series)
            if (s.X.Count != s.Y.Count || s.X.Count == 0)
                throw new ArgumentException($"series '{s.Name}': {s.X.Count} x values for {s.Y.Count} y values; need at least one point");
        const int left = 60, right = 20, top = 30, bottom = 45;
        var xs = series.SelectMany(s => s.X).Where(double.IsFinite).ToList();
        var ys = series.SelectMany(s => s.Y).Where(double.IsFinite).ToList();
        double x0 = xs.Count > 0 ? xs.Min() : 0, x1 = xs.Count > 0 ? xs.Max() : 1, y0 = ys.Count > 0 ? ys.Min() : 0, y1 = ys.Count > 0 ? ys.Max() : 1;
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
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 5}\" y=\"{F(Py(v) + 4)}\" text-anchor=\"end\">{v.ToString(y1 - y0 < 0.01 ? "0.##E+0" : "0.000", CultureInfo.InvariantCulture)}</text>\n");
        }
        foreach (var v in XTicks(xs, x0, x1))
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(Px(v))}\" y=\"{height - bottom + 15}\" text-anchor=\"middle\">{F(v)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{(left + width - right) / 2}\" y=\"{height - 8}\" text-anchor=\"middle\">{WebUtility.HtmlEncode(xLabel)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{(top + height - bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {(top + height - bottom) / 2})\">{WebUtility.HtmlEncode(yLabel)}</text>\n");
        for (int k = 0; k < series.Count; k++)
        {
            var s = series[k];
            var colour = s_colours[k % s_colours.Length];
            var finite = Enumerable.Range(0, s.X.Count).Where(i => double.IsFinite(s.X[i]) && double.IsFinite(s.Y[i])).ToList();
            var kept = Thin(finite, MaxPointsPerSeries);
            var points = kept.Select(i => $"{F(Px(s.X[i]))},{F(Py(s.Y[i]))}").ToList();
            sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"{(series.Count > 1 && k == 0 ? 1 : 2)}\" points=\"{string.Join(' ', points)}\"/>\n");
            if (s.X.Count <= MarkerLimit)
                foreach (var p in points)
                {
                    var xy = p.Split(',');
                    sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{xy[0]}\" cy=\"{xy[1]}\" r=\"3\" fill=\"{colour}\"/>\n");
                }
            if (series.Count > 1)
            {
                int ly = top + 4 + 14 * k;
                sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{width - right - 130}\" y1=\"{ly}\" x2=\"{width - right - 110}\" y2=\"{ly}\" stroke=\"{colour}\" stroke-width=\"2\"/>\n");
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{width - right - 105}\" y=\"{ly + 4}\">{WebUtility.HtmlEncode(s.Name)}</text>\n");
            }
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>Every distinct x when there are few (layers 0…7), else five evenly spaced values.</summary>
    private static IEnumerable<double> XTicks(List<double> xs, double x0, double x1)
    {
        var distinct = xs.Distinct().Order().ToList();
        return distinct.Count <= 16 ? distinct : Enumerable.Range(0, 5).Select(i => Math.Round(x0 + (x1 - x0) * i / 4));
    }

    /// <summary>At most <paramref name="limit"/> of <paramref name="indices"/>, evenly spaced, first and last kept.</summary>
    private static List<int> Thin(List<int> indices, int limit)
    {
        if (indices.Count <= limit) return indices;
        var kept = new List<int>(limit);
        for (int i = 0; i < limit; i++) kept.Add(indices[(int)((long)i * (indices.Count - 1) / (limit - 1))]);
        return kept;
    }
}
