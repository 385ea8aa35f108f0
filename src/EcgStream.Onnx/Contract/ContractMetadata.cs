using System.Globalization;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Onnx.Graph;

namespace EcgStream.Onnx.Contract;

/// <summary>What a contract-v1 model says about itself; written into <c>metadata_props</c>.</summary>
public sealed record ContractModelInfo
{
    public required string ModelId { get; init; }
    /// <summary>Class names in logits-column order; defaults to the whole class set v1.</summary>
    public IReadOnlyList<string> Classes { get; init; } = RhythmClasses.Names;
    /// <summary>One decision threshold per class in (0, 1); defaults to 0.5 each.</summary>
    public IReadOnlyList<float>? Thresholds { get; init; }
    public string Description { get; init; } = "";
    public string Preprocessing { get; init; } = "resample 250 Hz; causal band-pass 0.67-40 Hz; per-window standardisation over present leads";
    public string TrainingData { get; init; } = "";
    public string Metrics { get; init; } = "";
    public string Commit { get; init; } = "";
    /// <summary>The model has the rhythm path (input <c>rhythm</c>): contract v2, else v1.</summary>
    public bool RhythmPath { get; init; }
}

/// <summary>Writes contract-v1 metadata (keys from <see cref="ModelContract.Keys"/>) into a graph.</summary>
public static class ContractMetadata
{
    public static GraphBuilder WriteContractMetadata(this GraphBuilder g, ContractModelInfo info)
    {
        var thresholds = info.Thresholds ?? Enumerable.Repeat(0.5f, info.Classes.Count).ToArray();
        if (thresholds.Count != info.Classes.Count)
            throw new ArgumentException($"{thresholds.Count} thresholds for {info.Classes.Count} classes", nameof(info));
        g.Metadata(ModelContract.Keys.ContractVersion, info.RhythmPath ? "2" : "1")
         .Metadata(ModelContract.Keys.ModelId, info.ModelId)
         .Metadata(ModelContract.Keys.Classes, string.Join(",", info.Classes))
         .Metadata(ModelContract.Keys.Thresholds, string.Join(",", thresholds.Select(t => t.ToString("R", CultureInfo.InvariantCulture))))
         .Metadata(ModelContract.Keys.SampleRate, ModelContract.SampleRate.ToString(CultureInfo.InvariantCulture))
         .Metadata(ModelContract.Keys.Window, ModelContract.WindowSamples.ToString(CultureInfo.InvariantCulture))
         .Metadata(ModelContract.Keys.Patch, ModelContract.PatchSamples.ToString(CultureInfo.InvariantCulture))
         .Metadata(ModelContract.Keys.LeadOrder, ModelContract.LeadOrder)
         .Metadata(ModelContract.Keys.Preprocessing, info.Preprocessing);
        if (info.RhythmPath) g.Metadata(ModelContract.Keys.RhythmFeatures, ModelContract.RhythmFeaturesVersion);
        if (info.Description.Length > 0) g.Metadata(ModelContract.Keys.Description, info.Description);
        if (info.TrainingData.Length > 0) g.Metadata(ModelContract.Keys.TrainingData, info.TrainingData);
        if (info.Metrics.Length > 0) g.Metadata(ModelContract.Keys.Metrics, info.Metrics);
        if (info.Commit.Length > 0) g.Metadata(ModelContract.Keys.Commit, info.Commit);
        return g;
    }

    /// <summary>Declares contract v2's <c>rhythm</c> input [N, 14] and returns its name.</summary>
    public static string RhythmInput(this GraphBuilder g) =>
        g.Input(ModelContract.RhythmInput, ElementType.Float, ModelContract.BatchDim, ModelContract.RhythmFeatureCount);

    /// <summary>Declares the contract's inputs (<c>ecg</c> [N,12,2250], <c>lead_mask</c> [N,12]) and returns their names.</summary>
    public static (string Ecg, string LeadMask) ContractInputs(this GraphBuilder g) =>
        (g.Input(ModelContract.EcgInput, ElementType.Float, ModelContract.BatchDim, ModelContract.LeadCount, ModelContract.WindowSamples),
         g.Input(ModelContract.LeadMaskInput, ElementType.Float, ModelContract.BatchDim, ModelContract.LeadCount));
}
