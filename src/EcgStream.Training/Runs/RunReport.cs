using System.Globalization;
using System.Text.Json;
using EcgStream.Training.Evaluation;

namespace EcgStream.Training.Runs;

/// <summary>
/// The HTML report of a run with a loss per step (<c>report.html</c> beside <c>metrics.json</c>):
/// settings, a summary, and the loss curve (each step, and its moving mean).
/// </summary>
public static class RunReport
{
    public const string FileName = "report.html";

    /// <summary>Steps in the moving mean of the loss curve.</summary>
    public const int SmoothingSteps = 50;

    public static HtmlReport Build(string title, RunMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var report = new HtmlReport(title);
        var steps = metrics.Steps;
        report.Heading("Summary");
        if (steps.Count == 0) report.Paragraph("No step has run yet.");
        else
        {
            int n = Math.Min(SmoothingSteps, steps.Count);
            double first = steps.Take(n).Average(s => s.Loss), last = steps.Skip(steps.Count - n).Average(s => s.Loss);
            report.Table(["steps", "completed", "resumes", $"mean loss, first {n}", $"mean loss, last {n}", "change", "seconds", "s per step"],
            [[
                steps[^1].Step + 1 + "", metrics.Completed ? "yes" : "no", metrics.Resumes + "",
                HtmlReport.Number(first), HtmlReport.Number(last), HtmlReport.Number(last / first - 1, "P1"),
                HtmlReport.Number(steps[^1].Seconds, "F0"), HtmlReport.Number(steps[^1].Seconds / steps.Count, "F2"),
            ]]);
            var x = steps.Select(s => (double)s.Step).ToList();
            report.Svg(SvgLinePlot.Render($"{metrics.Kind} loss", "step", "loss",
            [
                new PlotSeries("loss per step", x, steps.Select(s => s.Loss).ToList()),
                new PlotSeries($"mean of {SmoothingSteps}", x, MovingMean(steps.Select(s => s.Loss).ToList(), SmoothingSteps)),
            ], width: 720, height: 360));
            if (steps.Any(s => double.IsFinite(s.LearningRate)))
                report.Svg(SvgLinePlot.Render("learning rate", "step", "rate", x, steps.Select(s => s.LearningRate).ToList(), width: 720, height: 220));
        }
        report.Heading("Settings");
        report.Code("config  " + metrics.Config.GetRawText() + "\noptions " + metrics.Options.GetRawText());
        return report;
    }

    public static void Write(string runDirectory, string title, RunMetrics metrics) =>
        Build(title, metrics).Save(Path.Combine(runDirectory, FileName));

    /// <summary>Mean of the last <paramref name="window"/> values at each position (fewer at the start).</summary>
    public static List<double> MovingMean(IReadOnlyList<double> values, int window)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        var result = new List<double>(values.Count);
        double sum = 0;
        for (int i = 0; i < values.Count; i++)
        {
            sum += values[i];
            if (i >= window) sum -= values[i - window];
            result.Add(sum / Math.Min(i + 1, window));
        }
        return result;
    }
}
