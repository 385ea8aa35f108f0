using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Inference.Contract;
using EcgStream.Inference.Records;
using EcgStream.Inference.Tests.Support;

namespace EcgStream.Inference.Tests;

/// <summary>Record features and the record head a model may carry in its metadata: layout, arithmetic, what loads and what is refused.</summary>
public class RecordHeadTests
{
    private static float Logit(float p) => MathF.Log(p / (1 - p));

    private static float[] Window(params (RhythmClass Class, float P)[] values)
    {
        var p = new float[RhythmClasses.Count];
        p.AsSpan().Fill(0.5f);
        foreach (var (c, v) in values) p[(int)c] = v;
        return p;
    }

    [Fact]
    public void Features_hold_each_class_spread_over_windows_then_the_rhythm_features_then_count_and_leads()
    {
        var windows = new List<float[]> { Window((RhythmClass.AF, 0.1f)), Window((RhythmClass.AF, 0.9f)), Window((RhythmClass.AF, 0.3f)) };
        var rhythm = new float[3 * ModelContract.RhythmFeatureCount];
        for (int w = 0; w < 3; w++)
            for (int f = 0; f < ModelContract.RhythmFeatureCount; f++) rhythm[w * ModelContract.RhythmFeatureCount + f] = w == 1 ? 5 + f : w + 0.01f * f;

        var x = RecordFeatures.Compute(windows, rhythm, leads: 1);

        Assert.Equal(RecordFeatures.Count, x.Length);
        Assert.Equal(RecordFeatures.Count, RecordFeatures.Names.Count);
        int af = RecordFeatures.MedianLogit((int)RhythmClass.AF);
        Assert.Equal("AF median", RecordFeatures.Names[af]);
        Assert.Equal(Logit(0.3f), x[af], 5);                                              // median
        Assert.Equal((Logit(0.1f) + Logit(0.9f) + Logit(0.3f)) / 3, x[af + 1], 5);         // mean
        Assert.Equal(Logit(0.9f), x[af + 2], 5);                                           // max
        Assert.Equal(Logit(0.1f), x[af + 3], 5);                                           // min
        Assert.Equal(0, x[RecordFeatures.MedianLogit((int)RhythmClass.SR)], 6);            // p = 0.5 → logit 0
        int rr = RhythmClasses.Count * 4;
        Assert.Equal("rr0 last", RecordFeatures.Names[rr]);
        Assert.Equal(2 + 0.01f * 3, x[rr + 3], 5);                                         // the last window's
        Assert.Equal(5 + 3, x[rr + ModelContract.RhythmFeatureCount + 3], 5);               // the largest over windows
        Assert.Equal(MathF.Log(3), x[^2], 6);
        Assert.Equal(1 / 12f, x[^1], 6);
    }

    [Fact]
    public void Features_of_unscored_classes_a_v1_model_and_certain_windows_stay_finite()
    {
        var w = Window((RhythmClass.AF, 1f), (RhythmClass.SR, 0f));
        w[(int)RhythmClass.VF] = float.NaN;

        var x = RecordFeatures.Compute([w], [], leads: 12);

        Assert.All(x, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(Logit(1 - 1e-4f), x[RecordFeatures.MedianLogit((int)RhythmClass.AF)], 3);
        Assert.Equal(-Logit(1 - 1e-4f), x[RecordFeatures.MedianLogit((int)RhythmClass.SR)], 3);
        Assert.Equal(0, x[RecordFeatures.MedianLogit((int)RhythmClass.VF)]);
        Assert.Equal(0, x[^2]);                                                            // ln 1
        Assert.Equal(1, x[^1]);
        Assert.Contains("no windows", Assert.Throws<ArgumentException>(() => RecordFeatures.Compute([], [], 1)).Message);
        Assert.Contains("13 rhythm values for 1 windows × 14", Assert.Throws<ArgumentException>(() => RecordFeatures.Compute([w], new float[13], 1)).Message);
    }

    private static RecordHead Head(double afThreshold = 0.4)
    {
        var w = new float[RecordFeatures.Count];
        w[RecordFeatures.MedianLogit((int)RhythmClass.AF)] = 2;
        w[^1] = -1;
        return new RecordHead([new RecordClassHead(RhythmClass.AF, w, 0.5f, afThreshold)], maxWindows: 6);
    }

    [Fact]
    public void A_head_replaces_the_probability_of_its_classes_only()
    {
        var head = Head();
        var x = new float[RecordFeatures.Count];
        x[RecordFeatures.MedianLogit((int)RhythmClass.AF)] = 1.5f;
        x[^1] = 1;
        var p = new float[RhythmClasses.Count];
        p.AsSpan().Fill(0.25f);

        head.Apply(x, p);

        Assert.Equal(1 / (1 + Math.Exp(-(0.5 + 2 * 1.5 - 1))), p[(int)RhythmClass.AF], 6);
        Assert.Equal(0.25f, p[(int)RhythmClass.SR]);
        Assert.Same(head.Classes[0], head.For(RhythmClass.AF));
        Assert.Null(head.For(RhythmClass.SR));
    }

    [Fact]
    public void Head_survives_its_metadata_text_to_the_bit()
    {
        var rng = new Random(17);
        var weights = Enumerable.Range(0, RecordFeatures.Count).Select(_ => (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-6, 4)))).ToArray();
        var head = new RecordHead([new RecordClassHead(RhythmClass.AF, weights, -1.2345679f, 0.30470144748687744),
                                   new RecordClassHead(RhythmClass.SR, weights.Reverse().ToArray(), 3.3333333f, 0.1)], maxWindows: 6);
        var differences = new List<string>();

        var back = RecordHead.Parse(head.ToJson(), differences);

        Assert.Empty(differences);
        Assert.Equal(6, back!.MaxWindows);
        Assert.True(back.Covers(1) && back.Covers(6));
        Assert.False(back.Covers(7) || back.Covers(0));
        Assert.Equal([RhythmClass.SR, RhythmClass.AF], back.Classes.Select(c => c.Class));
        foreach (var c in head.Classes)
        {
            var b = back.For(c.Class)!;
            Assert.Equal(c.Threshold, b.Threshold);
            Assert.Equal(BitConverter.SingleToInt32Bits(c.Bias), BitConverter.SingleToInt32Bits(b.Bias));
            Assert.Equal(c.Weights.Select(BitConverter.SingleToInt32Bits), b.Weights.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void A_class_without_a_finite_median_keeps_it()
    {
        var p = new float[RhythmClasses.Count];
        p[(int)RhythmClass.AF] = float.NaN;

        Head().Apply(new float[RecordFeatures.Count], p);

        Assert.True(float.IsNaN(p[(int)RhythmClass.AF]));
    }

    [Theory]
    [InlineData("not json", "metadata 'ecgstream.record_head' is not valid JSON: ")]
    [InlineData("[1]", "metadata 'ecgstream.record_head' is not a JSON object")]
    [InlineData("{\"features\":\"record-v0\",\"classes\":[]}", "metadata 'ecgstream.record_head' features are \"record-v0\", this runtime computes \"record-v1\"")]
    [InlineData("{\"classes\":[]}", "metadata 'ecgstream.record_head' features are missing, this runtime computes \"record-v1\"")]
    [InlineData("{\"features\":\"record-v1\",\"max_windows\":6}", "metadata 'ecgstream.record_head' has no \"classes\" (an array of at least one class)")]
    [InlineData("{\"features\":\"record-v1\",\"max_windows\":6,\"classes\":[]}", "metadata 'ecgstream.record_head' has no \"classes\" (an array of at least one class)")]
    [InlineData("{\"features\":\"record-v1\",\"features\":\"record-v1\",\"max_windows\":6,\"classes\":[]}", "metadata 'ecgstream.record_head' is not valid JSON: ")]
    [InlineData("{\"features\":\"record-v1\",\"max_windows\":6,\"classes\":[{\"class\":\"XYZ\",\"bias\":0,\"threshold\":0.5,\"weights\":[]}]}", "metadata 'ecgstream.record_head' classes[0] class \"XYZ\" is not a class of class set v1")]
    [InlineData("{\"features\":\"record-v1\",\"max_windows\":6,\"classes\":[{\"class\":\"AF\",\"bias\":0,\"threshold\":1,\"weights\":[]}]}", "metadata 'ecgstream.record_head' classes[0] (AF) threshold must be a number strictly between 0 and 1")]
    [InlineData("{\"features\":\"record-v1\",\"max_windows\":6,\"classes\":[{\"class\":\"AF\",\"threshold\":0.5,\"weights\":[]}]}", "metadata 'ecgstream.record_head' classes[0] (AF) bias must be a finite float32 number")]
    [InlineData("{\"features\":\"record-v1\",\"max_windows\":6,\"classes\":[{\"class\":\"AF\",\"bias\":0,\"threshold\":0.5,\"weights\":[1,2]}]}", "metadata 'ecgstream.record_head' classes[0] (AF) must have 74 weights (record-v1)")]
    [InlineData("{\"features\":\"record-v1\",\"classes\":[]}", "metadata 'ecgstream.record_head' max_windows must be a whole number of at least 1")]
    [InlineData("{\"features\":\"record-v1\",\"max_windows\":0,\"classes\":[]}", "metadata 'ecgstream.record_head' max_windows must be a whole number of at least 1")]
    public void A_malformed_head_is_refused_naming_what_is_wrong(string json, string expected)
    {
        var differences = new List<string>();

        Assert.Null(RecordHead.Parse(json, differences));

        Assert.StartsWith(expected, Assert.Single(differences));
    }

    [Fact]
    public void A_head_naming_a_class_twice_or_with_a_non_numeric_weight_is_refused()
    {
        var head = Head().ToJson();
        var node = System.Text.Json.Nodes.JsonNode.Parse(head)!;
        var classes = node["classes"]!.AsArray();
        classes.Add(classes[0]!.DeepClone());
        var twice = new List<string>();
        Assert.Null(RecordHead.Parse(node.ToJsonString(), twice));
        Assert.Equal(["metadata 'ecgstream.record_head' classes[1] names AF twice"], twice);

        foreach (System.Text.Json.Nodes.JsonNode weight in new System.Text.Json.Nodes.JsonNode[] { "x", 1e39 })
        {
            var text = System.Text.Json.Nodes.JsonNode.Parse(head)!;
            text["classes"]![0]!["weights"]![3] = weight;
            var bad = new List<string>();
            Assert.Null(RecordHead.Parse(text.ToJsonString(), bad));
            Assert.Equal(["metadata 'ecgstream.record_head' classes[0] (AF) weights must be finite float32 numbers"], bad);
        }
        var huge = System.Text.Json.Nodes.JsonNode.Parse(head)!;
        huge["classes"]![0]!["bias"] = -1e39;
        var hugeBias = new List<string>();
        Assert.Null(RecordHead.Parse(huge.ToJsonString(), hugeBias));
        Assert.Equal(["metadata 'ecgstream.record_head' classes[0] (AF) bias must be a finite float32 number"], hugeBias);
    }

    [Fact]
    public void A_model_loads_with_its_record_head_and_is_refused_with_a_broken_one()
    {
        var good = ContractTestModels.Linear(["SR", "AF"]).Metadata(ModelContract.Keys.RecordHead, Head(0.3).ToJson());
        using (var model = RhythmModel.Load(good.ToBytes(), new InferenceOptions { MaxBatch = 1 }))
            Assert.Equal(0.3, model.Contract.RecordHead!.For(RhythmClass.AF)!.Threshold);
        using (var plain = RhythmModel.Load(ContractTestModels.Linear(["SR", "AF"]).ToBytes(), new InferenceOptions { MaxBatch = 1 }))
            Assert.Null(plain.Contract.RecordHead);

        var bad = ContractTestModels.Linear(["SR", "AF"]).Metadata(ModelContract.Keys.RecordHead, "{\"features\":\"record-v9\",\"classes\":[]}");
        var e = Assert.Throws<ModelContractException>(() => RhythmModel.Load(bad.ToBytes(), name: "head.onnx"));
        Assert.Equal(["metadata 'ecgstream.record_head' features are \"record-v9\", this runtime computes \"record-v1\""], e.Differences);

        // A head for a class the model does not score would decide a class with no probability of its own.
        var noise = new RecordHead([new RecordClassHead(RhythmClass.NOISE, new float[RecordFeatures.Count], 0, 0.5)], maxWindows: 3);
        var unscored = ContractTestModels.Linear(["SR", "AF"]).Metadata(ModelContract.Keys.RecordHead, noise.ToJson());
        e = Assert.Throws<ModelContractException>(() => RhythmModel.Load(unscored.ToBytes(), name: "head.onnx"));
        Assert.Equal(["metadata 'ecgstream.record_head' classes[0] decides NOISE, which the model does not score"], e.Differences);
    }
}
