using System.Globalization;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;

namespace EcgStream.Inference.Contract;

/// <summary>What a contract-v1 or v2 model declares about its classes, as read from its metadata.</summary>
/// <param name="Version">1, or 2 for a model with the rhythm path (input <c>rhythm</c>).</param>
public sealed record ContractDescription(string ModelId, IReadOnlyList<RhythmClass> Classes, IReadOnlyList<float> Thresholds, bool HasLayerWeights, int LayerCount,
    int Version = 1, Records.RecordHead? RecordHead = null)
{
    public bool HasRhythmInput => Version >= 2;
}

/// <summary>
/// Checks a session against model contract v1 or v2 (DESIGN.md) and collects every difference.
/// Decisions: inputs are exactly <c>ecg</c> and <c>lead_mask</c> (any order), and in v2 also <c>rhythm</c>
/// [N, 14] with metadata naming the same feature layout as this runtime computes; the batch axis must be
/// dynamic; outputs are <c>logits</c> and optionally <c>layer_weights</c>, nothing else. Class names
/// must be known class-set-v1 names without repeats: a subset (in any order) is accepted and the
/// missing classes get NaN ("no opinion"); an unknown name is refused, because nothing downstream
/// could act on it. Thresholds: one per class, each strictly between 0 and 1.
/// </summary>
public static class ContractCheck
{
    public static ContractDescription Check(InferenceSession session)
    {
        var differences = new List<string>();
        int version = session.Metadata[ModelContract.Keys.ContractVersion]?.Trim() == "2" ? 2 : 1;
        CheckInputs(session, version, differences);
        var (hasLayerWeights, layerCount, logitsWidth) = CheckOutputs(session, differences);
        var description = CheckMetadata(session.Metadata, logitsWidth, differences);
        if (differences.Count > 0) throw new ModelContractException(session.ModelName, differences, version);
        return description! with { HasLayerWeights = hasLayerWeights, LayerCount = layerCount, Version = version };
    }

    private static void CheckInputs(InferenceSession session, int version, List<string> differences)
    {
        ExpectTensor(session.Inputs, ModelContract.EcgInput, [-1, ModelContract.LeadCount, ModelContract.WindowSamples], "input", differences);
        ExpectTensor(session.Inputs, ModelContract.LeadMaskInput, [-1, ModelContract.LeadCount], "input", differences);
        if (version >= 2)
        {
            ExpectTensor(session.Inputs, ModelContract.RhythmInput, [-1, ModelContract.RhythmFeatureCount], "input", differences);
            var layout = session.Metadata[ModelContract.Keys.RhythmFeatures]?.Trim();
            if (layout != ModelContract.RhythmFeaturesVersion)
                differences.Add($"metadata '{ModelContract.Keys.RhythmFeatures}' is {(layout is null ? "missing" : $"\"{layout}\"")}, this runtime computes \"{ModelContract.RhythmFeaturesVersion}\"");
        }
        foreach (var extra in session.Inputs.Where(i => i.Name is not ModelContract.EcgInput and not ModelContract.LeadMaskInput
                                                        && !(version >= 2 && i.Name == ModelContract.RhythmInput)))
            differences.Add(version >= 2
                ? $"unexpected input '{extra.Name}' {extra.ShapeText}: contract v2 has only '{ModelContract.EcgInput}', '{ModelContract.LeadMaskInput}' and '{ModelContract.RhythmInput}'"
                : $"unexpected input '{extra.Name}' {extra.ShapeText}: contract v1 has only '{ModelContract.EcgInput}' and '{ModelContract.LeadMaskInput}'");
    }

    private static (bool HasLayerWeights, int LayerCount, long LogitsWidth) CheckOutputs(InferenceSession session, List<string> differences)
    {
        long logitsWidth = -1;
        var logits = ExpectTensor(session.Outputs, ModelContract.LogitsOutput, [-1, -1], "output", differences);
        if (logits is not null && logits.Rank == 2) logitsWidth = logits.Shape[1];
        var layerWeights = session.Outputs.FirstOrDefault(o => o.Name == ModelContract.LayerWeightsOutput);
        int layers = 0;
        if (layerWeights is not null)
        {
            ExpectTensor(session.Outputs, ModelContract.LayerWeightsOutput, [-1, -1], "output", differences);
            if (layerWeights.Rank == 2 && layerWeights.Shape[1] < 0)
                differences.Add($"output '{ModelContract.LayerWeightsOutput}' {layerWeights.ShapeText} must have a fixed layer count L");
            else if (layerWeights.Rank == 2) layers = (int)layerWeights.Shape[1];
        }
        foreach (var extra in session.Outputs.Where(o => o.Name is not ModelContract.LogitsOutput and not ModelContract.LayerWeightsOutput))
            differences.Add($"unexpected output '{extra.Name}' {extra.ShapeText}: contract v1 has '{ModelContract.LogitsOutput}' and optionally '{ModelContract.LayerWeightsOutput}'");
        return (layerWeights is not null, layers, logitsWidth);
    }

    /// <summary>Checks name, float32, rank, dynamic batch axis and the fixed sizes in <paramref name="shape"/> (-1: any).</summary>
    private static TensorInfo? ExpectTensor(IReadOnlyList<TensorInfo> declared, string name, long[] shape, string role, List<string> differences)
    {
        var t = declared.FirstOrDefault(i => i.Name == name);
        if (t is null)
        {
            differences.Add($"missing {role} '{name}' (has: {string.Join(", ", declared.Select(d => d.ToString()))})");
            return null;
        }
        if (t.ElementType != TensorElementType.Float)
            differences.Add($"{role} '{name}' is {t.ElementType}, contract v1 needs Float (float32)");
        if (t.Rank != shape.Length)
        {
            differences.Add($"{role} '{name}' has shape {t.ShapeText} (rank {t.Rank}), contract v1 needs rank {shape.Length}");
            return t;
        }
        if (t.Shape[0] >= 0)
            differences.Add($"{role} '{name}' has a fixed batch axis {t.Shape[0]} ({t.ShapeText}); contract v1 needs a dynamic batch axis N");
        for (int d = 1; d < shape.Length; d++)
            if (shape[d] >= 0 && t.Shape[d] != shape[d])
                differences.Add($"{role} '{name}' dimension {d} is {(t.Shape[d] < 0 ? "dynamic" : t.Shape[d].ToString(CultureInfo.InvariantCulture))} ({t.ShapeText}), contract v1 needs {shape[d]}");
        return t;
    }

    private static ContractDescription? CheckMetadata(ModelMetadata metadata, long logitsWidth, List<string> differences)
    {
        foreach (var key in ModelContract.Keys.Required)
            if (metadata[key] is null or { Length: 0 }) differences.Add($"metadata '{key}' is missing");

        if (metadata[ModelContract.Keys.ContractVersion] is { Length: > 0 } v && v.Trim() is not ("1" or "2"))
            differences.Add($"metadata '{ModelContract.Keys.ContractVersion}' is \"{v}\", this runtime loads contract versions 1 and 2");
        ExpectValue(metadata, ModelContract.Keys.SampleRate, ModelContract.SampleRate.ToString(CultureInfo.InvariantCulture), differences);
        ExpectValue(metadata, ModelContract.Keys.Window, ModelContract.WindowSamples.ToString(CultureInfo.InvariantCulture), differences);
        ExpectValue(metadata, ModelContract.Keys.Patch, ModelContract.PatchSamples.ToString(CultureInfo.InvariantCulture), differences);
        if (metadata[ModelContract.Keys.LeadOrder] is { Length: > 0 } order &&
            !order.Split(',').Select(s => s.Trim()).SequenceEqual(ModelContract.LeadOrder.Split(',')))
            differences.Add($"metadata '{ModelContract.Keys.LeadOrder}' is \"{order}\", contract v1 needs \"{ModelContract.LeadOrder}\"");

        var classes = new List<RhythmClass>();
        if (metadata[ModelContract.Keys.Classes] is { Length: > 0 } classText)
        {
            foreach (var raw in classText.Split(','))
            {
                var name = raw.Trim();
                if (!RhythmClasses.TryParse(name, out var c))
                    differences.Add($"metadata '{ModelContract.Keys.Classes}' names unknown class \"{name}\" (class set v1: {string.Join(",", RhythmClasses.Names)})");
                else if (classes.Contains(c))
                    differences.Add($"metadata '{ModelContract.Keys.Classes}' names \"{name}\" twice");
                else classes.Add(c);
            }
            int declared = classText.Split(',').Length;
            if (logitsWidth >= 0 && logitsWidth != declared)
                differences.Add($"output '{ModelContract.LogitsOutput}' has {logitsWidth} columns but metadata '{ModelContract.Keys.Classes}' names {declared} classes");
        }

        var thresholds = new List<float>();
        if (metadata[ModelContract.Keys.Thresholds] is { Length: > 0 } thresholdText)
        {
            var parts = thresholdText.Split(',');
            foreach (var raw in parts)
            {
                if (!float.TryParse(raw.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var t) || !(t > 0f && t < 1f))
                    differences.Add($"metadata '{ModelContract.Keys.Thresholds}' has \"{raw.Trim()}\", a threshold must be a number strictly between 0 and 1");
                else thresholds.Add(t);
            }
            if (metadata[ModelContract.Keys.Classes] is { Length: > 0 } ct && parts.Length != ct.Split(',').Length)
                differences.Add($"metadata '{ModelContract.Keys.Thresholds}' has {parts.Length} values for {ct.Split(',').Length} classes");
        }
        var recordHead = metadata[ModelContract.Keys.RecordHead] is { Length: > 0 } headText ? Records.RecordHead.Parse(headText, differences, classes) : null;
        return new ContractDescription(metadata[ModelContract.Keys.ModelId] ?? "", classes, thresholds, false, 0, RecordHead: recordHead);
    }

    private static void ExpectValue(ModelMetadata metadata, string key, string expected, List<string> differences)
    {
        if (metadata[key] is { Length: > 0 } value && value.Trim() != expected)
            differences.Add($"metadata '{key}' is \"{value}\", contract v1 needs \"{expected}\"");
    }
}
