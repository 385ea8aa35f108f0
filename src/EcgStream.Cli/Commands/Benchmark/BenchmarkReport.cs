using System.Text;
using static EcgStream.Cli.Commands.Benchmark.BenchmarkLines;

namespace EcgStream.Cli.Commands.Benchmark;

/// <summary>The markdown summary of a benchmark run (or of pooled folds): the pooled figures as tables.</summary>
public static class BenchmarkReport
{
    public static string Markdown(IReadOnlyCollection<ClassRecord> classes, IReadOnlyCollection<EpisodeRecord> episodes, IEnumerable<string> header)
    {
        var md = new StringBuilder();
        md.AppendLine("# Benchmark (record and episode level)").AppendLine();
        foreach (var line in header) md.AppendLine($"- {line}");
        md.AppendLine();
        foreach (var group in classes.Where(r => r.Benchmark == Cinc2017).GroupBy(r => r.Dataset))
        {
            var s = new Cinc2017Score();
            foreach (var r in group) s.Add(r.Reference[0], r.Decision[0][0]);
            md.AppendLine($"## PhysioNet/CinC 2017 ({group.Key}, {s.Records} records, model, classify's record decision)").AppendLine();
            var (aurocA, aurocN) = Cinc2017Rankings(group.ToList());
            md.AppendLine("| F1 N | F1 A | F1 O | F1 ~ | overall (mean of N, A, O) | AUROC p(AF): A against the rest | AUROC p(SR): N against A, O |").AppendLine("|---|---|---|---|---|---|---|");
            md.AppendLine($"| {F(s.F1('N'))} | {F(s.F1('A'))} | {F(s.F1('O'))} | {F(s.F1('~'))} | {F(s.Overall)} | {F(aurocA)} | {F(aurocN)} |").AppendLine();
            md.AppendLine("Confusion (rows reference, columns decision): ").AppendLine();
            md.AppendLine("| | N | A | O | ~ |").AppendLine("|---|---|---|---|---|");
            foreach (char a in Cinc2017Score.Labels)
                md.AppendLine($"| {a} | {string.Join(" | ", Cinc2017Score.Labels.Select(b => s.Count(a, b)))} |");
            md.AppendLine();
        }
        var twelve = classes.Where(r => r.Benchmark == TwelveLead).ToList();
        if (twelve.Count > 0)
        {
            string datasets = string.Join(" + ", twelve.Select(r => r.Dataset).Distinct().Order(StringComparer.Ordinal));
            md.AppendLine($"## 12-lead records ({datasets}, {twelve.Count} records, model, record level)").AppendLine();
            md.AppendLine("| class | positive records | AUROC | F1 (the record decision) |").AppendLine("|---|---|---|---|");
            foreach (var (cls, positives, _, auroc, f1) in TwelveLeadClasses(twelve))
                md.AppendLine($"| {cls} | {positives} | {F(auroc)} | {F(f1)} |");
            md.AppendLine();
        }
        if (episodes.Count > 0)
        {
            md.AppendLine("## Episodes in the stream (EC57-style, whole-record replay)").AppendLine();
            md.AppendLine("| records | source | rhythm | reference episodes | detected | episode Se | episode +P | duration Se | duration +P | median onset latency (s) | hours without the rhythm | false episodes / h there |");
            md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
            var datasets = episodes.Select(r => r.Dataset).Distinct().Order(StringComparer.Ordinal).ToList();
            var groups = datasets.Select(d => (Name: d, Records: episodes.Where(r => r.Dataset == d).ToList())).ToList();
            if (datasets.Count > 1) groups.Add((string.Join(" + ", datasets), episodes.ToList()));
            foreach (var (name, group) in groups)
                foreach (var g in group.GroupBy(r => (r.Metrics.Rhythm, r.Source)).OrderBy(g => g.Key.Rhythm, StringComparer.Ordinal).ThenBy(g => SourceOrder(g.Key.Source)))
                {
                    var (m, _, freeHours, freeDetections) = EpisodeRecord.Pool(g.Key.Rhythm, g.ToList());
                    md.AppendLine($"| {name} ({g.Count()}) | {g.Key.Source} | {g.Key.Rhythm} | {m.ReferenceEpisodes} | {m.DetectedEpisodes} | {F(m.EpisodeSensitivity)} | " +
                                  $"{F(m.EpisodePositivePredictivity)} | {F(m.DurationSensitivity)} | {F(m.DurationPositivePredictivity)} | {F(m.MedianOnsetLatency, "0.0")} | " +
                                  $"{F(freeHours, "0.00")} | {(freeHours > 0 ? F(freeDetections / freeHours, "0.00") : "–")} |");
                }
            md.AppendLine();
            md.AppendLine("Per record (false episodes / h only on records whose reference has none of the rhythm):").AppendLine();
            md.AppendLine("| record | source | rhythm | reference | detected | Se | +P | duration Se | duration +P | median latency (s) | false / h |");
            md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var r in episodes.OrderBy(r => r.Dataset, StringComparer.Ordinal).ThenBy(r => r.Record, StringComparer.Ordinal).ThenBy(r => SourceOrder(r.Source)))
            {
                var m = r.Metrics;
                md.AppendLine($"| {r.Dataset}/{r.Record} | {r.Source} | {m.Rhythm} | {m.ReferenceEpisodes} | {m.DetectedEpisodes} | {F(m.EpisodeSensitivity)} | {F(m.EpisodePositivePredictivity)} | " +
                              $"{F(m.DurationSensitivity)} | {F(m.DurationPositivePredictivity)} | {F(m.MedianOnsetLatency, "0.0")} | {F(r.FalsePerHour, "0.00")} |");
            }
        }
        return md.ToString();
    }

    private static int SourceOrder(string source) => source switch { "fused" => 0, "rule" => 1, "model" => 2, _ => 3 };
}
