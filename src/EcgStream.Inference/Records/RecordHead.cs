using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;

namespace EcgStream.Inference.Records;

/// <summary>One class's record decision: p = sigmoid(weights · features + bias), decided at or above <see cref="Threshold"/>.</summary>
public sealed record RecordClassHead(RhythmClass Class, float[] Weights, float Bias, double Threshold)
{
    public float Probability(ReadOnlySpan<float> features)
    {
        double z = Bias;
        for (int i = 0; i < Weights.Length; i++) z += Weights[i] * features[i];
        return (float)(1 / (1 + Math.Exp(-z)));
    }
}

/// <summary>
/// A model's optional record head (metadata <see cref="ModelContract.Keys.RecordHead"/>): per class a logistic
/// regression over <see cref="RecordFeatures"/>, fitted on the train records' windows as the model scores them and with
/// its threshold chosen on the validation records (`ecgstream train record-head`). `classify` and `benchmark` decide a
/// record with it where it has a class; a class without one keeps the median of its windows and the model's threshold.
/// The stream does not use it: a stream has no whole record.
/// </summary>
public sealed class RecordHead
{
    private readonly RecordClassHead?[] _byClass = new RecordClassHead?[RhythmClasses.Count];

    /// <param name="maxWindows">The most windows a record it was fitted on had: longer records (a Holter recording against
    /// PhysioNet 2017's 9–60 s) lie outside what it learnt, and `classify` decides them by the median.</param>
    public RecordHead(IEnumerable<RecordClassHead> classes, int maxWindows)
    {
        if (maxWindows < 1) throw new ArgumentOutOfRangeException(nameof(maxWindows), maxWindows, "must be at least 1");
        MaxWindows = maxWindows;
        foreach (var c in classes)
        {
            if (c.Weights.Length != RecordFeatures.Count) throw new ArgumentException($"{c.Class}: {c.Weights.Length} weights, {RecordFeatures.Count} needed ({RecordFeatures.Version})");
            if (_byClass[(int)c.Class] is not null) throw new ArgumentException($"{c.Class} twice");
            _byClass[(int)c.Class] = c;
        }
        Classes = [.. _byClass.OfType<RecordClassHead>()];
    }

    /// <summary>Records with more windows than this are decided by the median, not by the head.</summary>
    public int MaxWindows { get; }

    /// <summary>Whether a record of <paramref name="windows"/> windows lies within what the head was fitted on.</summary>
    public bool Covers(int windows) => windows >= 1 && windows <= MaxWindows;

    /// <summary>The classes it decides, in class-set order.</summary>
    public IReadOnlyList<RecordClassHead> Classes { get; }

    public RecordClassHead? For(RhythmClass c) => _byClass[(int)c];

    /// <summary>Overwrites, for each class it has, the record probability (the median) with its own; the other classes keep theirs.</summary>
    public void Apply(ReadOnlySpan<float> features, Span<float> probabilities)
    {
        if (features.Length != RecordFeatures.Count) throw new ArgumentException($"{features.Length} features, {RecordFeatures.Count} needed", nameof(features));
        // A class whose windows gave no finite probability keeps that: the head would be reading zeros put in their place.
        foreach (var c in Classes)
            if (float.IsFinite(probabilities[(int)c.Class])) probabilities[(int)c.Class] = c.Probability(features);
    }

    public string ToJson()
    {
        var classes = new JsonArray();
        foreach (var c in Classes)
            classes.Add(new JsonObject
            {
                ["class"] = RhythmClasses.Name(c.Class),
                ["bias"] = c.Bias,
                ["threshold"] = c.Threshold,
                ["weights"] = new JsonArray([.. c.Weights.Select(w => JsonValue.Create(w))]),
            });
        return new JsonObject { ["features"] = RecordFeatures.Version, ["max_windows"] = MaxWindows, ["classes"] = classes }.ToJsonString();
    }

    /// <summary>
    /// Reads the metadata value; every problem goes into <paramref name="differences"/> (null then).
    /// <paramref name="scored"/>: the classes the model scores (null: any); a head for another class would decide a
    /// class the model has no probability for.
    /// </summary>
    public static RecordHead? Parse(string json, List<string> differences, IReadOnlyCollection<RhythmClass>? scored = null)
    {
        string key = ModelContract.Keys.RecordHead;
        try { return Read(json, differences, scored); }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            // JsonNode reads objects lazily: a repeated key, for one, surfaces only when the object is first read.
            differences.Add($"metadata '{key}' is not valid JSON: {e.Message}");
            return null;
        }
    }

    private static RecordHead? Read(string json, List<string> differences, IReadOnlyCollection<RhythmClass>? scored)
    {
        string key = ModelContract.Keys.RecordHead;
        var root = JsonNode.Parse(json);
        if (root is not JsonObject o) { differences.Add($"metadata '{key}' is not a JSON object"); return null; }
        var layout = o["features"] is JsonValue fv && fv.TryGetValue<string>(out var s) ? s : null;
        if (layout != RecordFeatures.Version)
        {
            differences.Add($"metadata '{key}' features are {(layout is null ? "missing" : $"\"{layout}\"")}, this runtime computes \"{RecordFeatures.Version}\"");
            return null;
        }
        if (o["max_windows"] is not JsonValue mw || !mw.TryGetValue<int>(out var maxWindows) || maxWindows < 1)
        {
            differences.Add($"metadata '{key}' max_windows must be a whole number of at least 1");
            return null;
        }
        if (o["classes"] is not JsonArray list || list.Count == 0) { differences.Add($"metadata '{key}' has no \"classes\" (an array of at least one class)"); return null; }
        var heads = new List<RecordClassHead>();
        int before = differences.Count;
        for (int i = 0; i < list.Count; i++)
        {
            string at = $"metadata '{key}' classes[{i}]";
            if (list[i] is not JsonObject entry) { differences.Add($"{at} is not an object"); continue; }
            string? name = entry["class"] is JsonValue cv && cv.TryGetValue<string>(out var n) ? n : null;
            if (name is null || !RhythmClasses.TryParse(name, out var cls)) { differences.Add($"{at} class \"{name}\" is not a class of class set v1"); continue; }
            if (heads.Any(h => h.Class == cls)) { differences.Add($"{at} names {name} twice"); continue; }
            if (scored is not null && !scored.Contains(cls)) { differences.Add($"{at} decides {name}, which the model does not score"); continue; }
            double? threshold = Number(entry["threshold"]);
            if (threshold is not (> 0 and < 1)) { differences.Add($"{at} ({name}) threshold must be a number strictly between 0 and 1"); continue; }
            double? bias = Number(entry["bias"]);
            if (bias is null) { differences.Add($"{at} ({name}) bias must be a finite float32 number"); continue; }
            if (entry["weights"] is not JsonArray w || w.Count != RecordFeatures.Count)
            {
                differences.Add($"{at} ({name}) must have {RecordFeatures.Count} weights ({RecordFeatures.Version})");
                continue;
            }
            var weights = new float[w.Count];
            bool finite = true;
            for (int j = 0; j < w.Count && finite; j++)
                if (Number(w[j]) is { } v) weights[j] = (float)v; else finite = false;
            if (!finite) { differences.Add($"{at} ({name}) weights must be finite float32 numbers"); continue; }
            heads.Add(new RecordClassHead(cls, weights, (float)bias.Value, threshold.Value));
        }
        return differences.Count > before ? null : new RecordHead(heads, maxWindows);
    }

    /// <summary>A number that stays finite as float32 (1e39 would turn into infinity, and 0 · ∞ into NaN); null otherwise.</summary>
    private static double? Number(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<double>(out var d) && float.IsFinite((float)d) ? d : null;

    public override string ToString() =>
        $"record head ({RecordFeatures.Version}, up to {MaxWindows} windows): {string.Join(", ", Classes.Select(c => $"{RhythmClasses.Name(c.Class)} ≥ {c.Threshold.ToString("F3", CultureInfo.InvariantCulture)}"))}";
}
