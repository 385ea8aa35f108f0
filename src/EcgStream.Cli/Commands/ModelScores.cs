using System.Globalization;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Inference;
using EcgStream.Onnx.Proto;
using EcgStream.Training.Data;
using EcgStream.Training.Evaluation;
using Google.Protobuf;
using Spectre.Console;

namespace EcgStream.Cli.Commands;

/// <summary>
/// Trained contract models as files and as scores: read one, its decision thresholds, its record-level scores per source
/// on a window set, and the table and JSON those scores are reported in. Shared by `train distill`, `quantize`,
/// `thresholds` and `score`.
/// </summary>
internal static class ModelScores
{
    /// <summary>The model in <paramref name="path"/>; one with no graph (an empty file parses as one) is refused here, naming the file, not deep in a pass.</summary>
    public static ModelProto ReadModel(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"model file {Path.GetFullPath(path)} does not exist");
        ModelProto model;
        try { model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)); }
        catch (InvalidProtocolBufferException e) { throw new InvalidDataException($"{path}: not an ONNX model ({e.Message})", e); }
        return model.Graph is null ? throw new InvalidDataException($"{path}: not an ONNX model (it has no graph)") : model;
    }

    /// <summary>The model's AF decision threshold (ecgstream.thresholds metadata), 0.5 when absent.</summary>
    public static float AfThreshold(ModelProto model, string path) =>
        Thresholds(model, path) is { } all ? (float)all[(int)RhythmClass.AF] : 0.5f;

    /// <summary>
    /// The model's per-class thresholds (ecgstream.thresholds metadata) in class-set-v1 order; null when it has none.
    /// Refuses a model whose classes are not class set v1 or whose thresholds do not match them, naming the file.
    /// </summary>
    public static double[]? Thresholds(ModelProto model, string path)
    {
        var text = model.MetadataProps.FirstOrDefault(p => p.Key == ModelContract.Keys.Thresholds)?.Value;
        var classes = model.MetadataProps.FirstOrDefault(p => p.Key == ModelContract.Keys.Classes)?.Value?.Split(',');
        if (classes is not null && !classes.SequenceEqual(RhythmClasses.Names))
            throw new InvalidDataException($"{path}: classes {string.Join(",", classes)} are not class set v1 ({string.Join(",", RhythmClasses.Names)})");
        if (text is null || classes is null) return null;
        var values = text.Split(',');
        if (values.Length != classes.Length)
            throw new InvalidDataException($"{path}: metadata {ModelContract.Keys.Thresholds} has {values.Length} values for {classes.Length} classes");
        var result = new double[values.Length];
        // TryParse reads "NaN" and "Infinity": a threshold is a number strictly between 0 and 1, as the model contract says
        for (int k = 0; k < values.Length; k++)
            if (!double.TryParse(values[k], NumberStyles.Float, CultureInfo.InvariantCulture, out result[k]) || !(result[k] is > 0 and < 1))
                throw new InvalidDataException($"{path}: metadata {ModelContract.Keys.Thresholds} has \"{values[k]}\" for {classes[k]}, not a number strictly between 0 and 1");
        return result;
    }

    /// <summary>Record-level scores per source of a model (in memory) on a window set.</summary>
    public static List<SourceScore> Evaluate(ModelProto model, string name, WindowSet windows, double afThreshold, InferenceOptions options) =>
        RecordScores.Score(windows, Probabilities(model, name, windows, options), afThreshold);

    /// <summary>A model's (in memory) per-window class probabilities on a window set, window after window.</summary>
    public static float[] Probabilities(ModelProto model, string name, WindowSet windows, InferenceOptions options)
    {
        using var session = InferenceSession.Load(model.ToByteArray(), options, name);
        return OnnxScoring.Run(session, windows).Probabilities();
    }

    public static SourceScore All(List<SourceScore> scores) => scores.Single(s => s.Source == RecordScores.AllSources);

    public static object Json(SourceScore s) => new
    {
        source = s.Source, records = s.Records, windows = s.Windows, rows = s.Rows, afPositives = s.AfPositives,
        macroAuroc = Finite(s.MacroAuroc), afAuroc = Finite(s.AfAuroc), afF1 = Finite(s.AfF1),
        perClass = s.PerClassAuroc.Select((v, i) => (RhythmClasses.Names[i], v)).Where(x => double.IsFinite(x.v)).ToDictionary(x => x.Item1, x => x.v),
    };

    public static void PrintTable(List<(string Name, List<SourceScore> Scores)> scores)
    {
        var table = new Table().AddColumns("model", "source", "records", "rows", "macro AUROC", "AF AUROC", "AF F1");
        foreach (var (name, list) in scores)
            foreach (var s in list)
                table.AddRow(name, s.Source, s.Records.ToString(CultureInfo.InvariantCulture), s.Rows.ToString(CultureInfo.InvariantCulture), F(s.MacroAuroc), F(s.AfAuroc), F(s.AfF1));
        AnsiConsole.Write(table);
        static string F(double v) => double.IsFinite(v) ? v.ToString("F4", CultureInfo.InvariantCulture) : "–";
    }

    /// <summary>A score for JSON: null where it is not a number (a class without both labels).</summary>
    public static double? Finite(double v) => double.IsFinite(v) ? v : null;
}
