namespace EcgStream.Core.Models;

/// <summary>
/// Model contracts v1 and v2 (DESIGN.md) as names and numbers: what an exporter writes into an ONNX model
/// and what the runtime checks when it loads one. Shared by training (export) and inference (check)
/// so the two cannot drift.
/// </summary>
public static class ModelContract
{
    /// <summary>The newest contract version exporters write; the runtime loads <see cref="Version"/> and every earlier one.</summary>
    public const int Version = 2;

    /// <summary>
    /// Contract v2 adds the rhythm path's input <c>rhythm</c> float32 [N, <see cref="RhythmFeatureCount"/>]: RR-interval
    /// features of the stream's last 60 s of beats at the window's end (EcgStream.Signal's RhythmFeatures, layout named
    /// by <see cref="RhythmFeaturesVersion"/> in metadata). v1 models have only <c>ecg</c> and <c>lead_mask</c>.
    /// </summary>
    public const string RhythmInput = "rhythm";
    public const int RhythmFeatureCount = 14;
    public const string RhythmFeaturesVersion = "rr60-v1";

    public const string EcgInput = "ecg";
    public const string LeadMaskInput = "lead_mask";
    public const string LogitsOutput = "logits";
    /// <summary>Optional output: the PMA gate's per-sample weights over layers, [N, L].</summary>
    public const string LayerWeightsOutput = "layer_weights";
    /// <summary>Name of the dynamic batch axis in exported models.</summary>
    public const string BatchDim = "N";

    public const int SampleRate = 250;
    public const int WindowSamples = 2250;
    public const int PatchSamples = 75;
    public const int LeadCount = Leads.Leads.Count;

    /// <summary>Lead order of the <c>ecg</c> input's second axis, as written into metadata.</summary>
    public const string LeadOrder = "I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6";

    /// <summary>Keys of ONNX <c>metadata_props</c>. Required ones are checked at load.</summary>
    public static class Keys
    {
        public const string ContractVersion = "ecgstream.contract_version";
        /// <summary>Comma-separated class names in logits-column order (a subset of RhythmClasses).</summary>
        public const string Classes = "ecgstream.classes";
        /// <summary>Comma-separated decision thresholds in (0, 1), one per class, invariant culture.</summary>
        public const string Thresholds = "ecgstream.thresholds";
        public const string SampleRate = "ecgstream.sample_rate";
        public const string Window = "ecgstream.window";
        public const string Patch = "ecgstream.patch";
        public const string LeadOrder = "ecgstream.lead_order";
        /// <summary>Identifies the model in events (<c>model id</c>).</summary>
        public const string ModelId = "ecgstream.model_id";
        /// <summary>Contract v2: the layout of the <c>rhythm</c> input (<see cref="RhythmFeaturesVersion"/>).</summary>
        public const string RhythmFeatures = "ecgstream.rhythm_features";
        /// <summary>Optional: the record head (JSON, layout <c>record-v1</c>) that `classify` decides whole records with.</summary>
        public const string RecordHead = "ecgstream.record_head";

        // Informational (not checked): what a person wants to know about the model.
        public const string Preprocessing = "ecgstream.preprocessing";
        public const string TrainingData = "ecgstream.training_data";
        public const string Metrics = "ecgstream.metrics";
        public const string Commit = "ecgstream.commit";
        public const string Description = "ecgstream.description";

        public static IReadOnlyList<string> Required { get; } =
            [ContractVersion, Classes, Thresholds, SampleRate, Window, Patch, LeadOrder, ModelId];
    }
}
