using EcgStream.Core.Leads;
using EcgStream.Core.Models;
using EcgStream.Core.Rhythms;
using EcgStream.Core.Samples;
using EcgStream.Inference.Contract;
using EcgStream.Inference.Tests.Support;
using EcgStream.Onnx.Contract;
using EcgStream.Onnx.Graph;

namespace EcgStream.Inference.Tests;

/// <summary>Model contract v1: what RhythmModel accepts, refuses, and how it turns logits into per-class probabilities.</summary>
public class ContractTests
{
    [Fact]
    public void Rule_like_test_model_follows_the_contract_and_says_it_is_a_test_model()
    {
        using var model = RhythmModel.Load(ContractModels.RuleLikeGraph().ToBytes(), new InferenceOptions { MaxBatch = 4 });

        Assert.Equal("contract-test", model.ModelId);
        Assert.Equal(RhythmClasses.Names, model.Contract.Classes.Select(RhythmClasses.Name));
        Assert.All(model.Thresholds, t => Assert.Equal(0.5, t));
        Assert.Contains("NOT TRAINED", model.Session.Metadata[ModelContract.Keys.Description]);
        Assert.Equal("1", model.Session.Metadata[ModelContract.Keys.ContractVersion]);
    }

    [Theory]
    [InlineData(120.0, RhythmClass.STACH)]
    [InlineData(75.0, RhythmClass.SR)]
    [InlineData(45.0, RhythmClass.SBRAD)]
    public void Rule_like_model_scores_rate_sensibly(double bpm, RhythmClass expected)
    {
        using var model = RhythmModel.Load(ContractModels.RuleLikeGraph().ToBytes(), new InferenceOptions { MaxBatch = 1 });
        Windows.Regular(bpm, seed: (int)bpm).CopyTo(model.Ecg(0));
        model.LeadMask(0).Fill(1f);

        model.Run(1);

        var p = model.Probabilities(0);
        int best = 0;
        for (int c = 1; c < p.Length; c++) if (p[c] > p[best]) best = c;
        Assert.True((RhythmClass)best == expected, $"{bpm}/min: expected {expected}, probabilities {string.Join(", ", p.ToArray().Select((v, i) => $"{(RhythmClass)i}={v:F3}"))}");
        Assert.True(p[(int)expected] > 0.5f);
    }

    [Fact]
    public void Rule_like_model_calls_an_irregular_rhythm_af()
    {
        using var model = RhythmModel.Load(ContractModels.RuleLikeGraph().ToBytes(), new InferenceOptions { MaxBatch = 2 });
        Windows.Irregular(seed: 5).CopyTo(model.Ecg(0));
        Windows.Regular(75, seed: 6).CopyTo(model.Ecg(1));
        model.LeadMask(0).Fill(1f);
        model.LeadMask(1).Fill(1f);

        model.Run(2);

        Assert.True(model.Probabilities(0)[(int)RhythmClass.AF] > 0.5f, $"AF {model.Probabilities(0)[(int)RhythmClass.AF]}");
        Assert.True(model.Probabilities(1)[(int)RhythmClass.AF] < 0.5f, $"AF {model.Probabilities(1)[(int)RhythmClass.AF]}");
    }

    [Fact]
    public void Batched_run_gives_each_slot_what_a_single_run_gives()
    {
        using var model = RhythmModel.Load(ContractModels.RuleLikeGraph().ToBytes(), new InferenceOptions { MaxBatch = 3 });
        double[] rates = [50, 90, 140];
        var single = new float[3][];
        for (int i = 0; i < 3; i++)
        {
            Windows.Regular(rates[i], seed: i).CopyTo(model.Ecg(0));
            model.LeadMask(0).Fill(1f);
            model.Run(1);
            single[i] = model.Probabilities(0).ToArray();
        }
        for (int i = 0; i < 3; i++)
        {
            Windows.Regular(rates[i], seed: i).CopyTo(model.Ecg(i));
            model.LeadMask(i).Fill(1f);
        }

        model.Run(3);

        for (int i = 0; i < 3; i++) Reference.AssertClose(single[i], model.Probabilities(i));
    }

    [Fact]
    public void SetWindow_fills_data_and_lead_mask_and_absent_leads_do_not_matter()
    {
        using var model = RhythmModel.Load(ContractModels.RuleLikeGraph().ToBytes(), new InferenceOptions { MaxBatch = 2 });
        var data = Windows.Regular(80, seed: 9);
        var leads = LeadSet.Of(Lead.I, Lead.II);
        var clean = (float[])data.Clone();
        clean.AsSpan(2 * Windows.Length).Clear();
        var scribbled = (float[])clean.Clone();
        for (int i = 2 * Windows.Length; i < scribbled.Length; i++) scribbled[i] = (i % 13) - 6;

        model.SetWindow(0, new EcgWindow("bed-1", 10_000, 250, Windows.Length, leads, clean));
        model.SetWindow(1, new EcgWindow("bed-2", 10_000, 250, Windows.Length, leads, scribbled));
        model.Run(2);

        Assert.Equal([1f, 1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f], model.LeadMask(1).ToArray());
        Reference.AssertClose(model.Probabilities(0), model.Probabilities(1));
    }

    [Fact]
    public void SetWindow_and_Run_refuse_what_does_not_fit()
    {
        using var model = RhythmModel.Load(ContractModels.RuleLikeGraph().ToBytes(), new InferenceOptions { MaxBatch = 2 });
        var shortWindow = new EcgWindow("bed", 1000, 250, 1000, LeadSet.All, new float[12 * 1000]);

        Assert.Contains("window of 1000 samples at 250 Hz; the model takes 2250 at 250 Hz", Assert.Throws<ArgumentException>(() => model.SetWindow(0, shortWindow)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Run(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Run(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Ecg(2));
    }

    [Fact]
    public void Model_with_a_subset_of_classes_scores_those_and_leaves_the_rest_NaN()
    {
        using var model = RhythmModel.Load(ContractTestModels.Linear(["AF", "SR"]).ToBytes(), new InferenceOptions { MaxBatch = 1 });
        model.Ecg(0).Fill(0.5f);
        model.LeadMask(0).Fill(1f);

        model.Run(1);

        var p = model.Probabilities(0);
        // logits = (0.5 + 1)·Σ_lead W[lead, column]; W[l, c] = ((l·2 + c) mod 7 − 3)/4.
        float Expected(int column)
        {
            double s = 0;
            for (int l = 0; l < 12; l++) s += ((l * 2 + column) % 7 - 3) * 0.25;
            return (float)(1 / (1 + Math.Exp(-1.5 * s)));
        }
        Assert.Equal(Expected(0), p[(int)RhythmClass.AF], 5);
        Assert.Equal(Expected(1), p[(int)RhythmClass.SR], 5);
        for (int c = 0; c < RhythmClasses.Count; c++)
            if (c is not (int)RhythmClass.AF and not (int)RhythmClass.SR)
            {
                Assert.True(float.IsNaN(p[c]));
                Assert.True(double.IsNaN(model.Thresholds[c]));
            }
    }

    [Fact]
    public void Layer_weights_output_is_exposed_per_slot()
    {
        using var model = RhythmModel.Load(ContractTestModels.Linear(RhythmClasses.Names, layerWeights: 4).ToBytes(), new InferenceOptions { MaxBatch = 2 });
        model.LeadMask(0).Fill(1f);
        model.LeadMask(1).Fill(0f);

        model.Run(2);

        Assert.Equal(4, model.LayerWeights(0).Length);
        Assert.Equal(1.0, model.LayerWeights(0).ToArray().Sum(v => (double)v), 5);
        Reference.AssertClose([0.25f, 0.25f, 0.25f, 0.25f], model.LayerWeights(1));   // mask 0 → equal gate
    }

    [Fact]
    public void Contract_mismatch_is_refused_listing_every_difference()
    {
        var g = new GraphBuilder("bad_model");
        var ecg = g.Input("ecg", ElementType.Float, 1, 12, 2000);
        g.Node("ReduceMean", [ecg, g.ConstantInt64("axes", 2)], ["logits"], [Attr.Int("keepdims", 0)]);
        g.Node("Identity", ["logits"], ["extra"]);
        g.Output("logits", ElementType.Float, 1, 12);
        g.Output("extra", ElementType.Float, 1, 12);
        g.Metadata(ModelContract.Keys.ContractVersion, "3")
         .Metadata(ModelContract.Keys.Classes, "SR,AF,XYZ,SR")
         .Metadata(ModelContract.Keys.Thresholds, "0.5,1.5")
         .Metadata(ModelContract.Keys.SampleRate, "500")
         .Metadata(ModelContract.Keys.Window, "2250")
         .Metadata(ModelContract.Keys.Patch, "75");

        var e = Assert.Throws<ModelContractException>(() => RhythmModel.Load(g.ToBytes(), name: "bad.onnx"));

        string[] expected =
        [
            "input 'ecg' has a fixed batch axis 1 ([1,12,2000]); contract v1 needs a dynamic batch axis N",
            "input 'ecg' dimension 2 is 2000 ([1,12,2000]), contract v1 needs 2250",
            "missing input 'lead_mask' (has: ecg: Float [1,12,2000])",
            "output 'logits' has a fixed batch axis 1 ([1,12]); contract v1 needs a dynamic batch axis N",
            "unexpected output 'extra' [1,12]: contract v1 has 'logits' and optionally 'layer_weights'",
            "metadata 'ecgstream.lead_order' is missing",
            "metadata 'ecgstream.model_id' is missing",
            "metadata 'ecgstream.contract_version' is \"3\", this runtime loads contract versions 1 and 2",
            "metadata 'ecgstream.sample_rate' is \"500\", contract v1 needs \"250\"",
            "metadata 'ecgstream.classes' names unknown class \"XYZ\" (class set v1: SR,AF,AFL,STACH,SBRAD,SVT,VT,VF,PACE,VECT,NOISE)",
            "metadata 'ecgstream.classes' names \"SR\" twice",
            "output 'logits' has 12 columns but metadata 'ecgstream.classes' names 4 classes",
            "metadata 'ecgstream.thresholds' has \"1.5\", a threshold must be a number strictly between 0 and 1",
            "metadata 'ecgstream.thresholds' has 2 values for 4 classes",
        ];
        Assert.Equal(expected.Order(), e.Differences.Order());
        Assert.StartsWith("bad.onnx does not follow model contract v1:", e.Message);
        foreach (var d in expected) Assert.Contains(d, e.Message);
    }

    [Fact]
    public void Contract_sized_encoder_runs_and_ignores_absent_leads()
    {
        using var model = RhythmModel.Load(ContractModels.EncoderGraph(dModel: 32, depth: 1, heads: 2).ToBytes(), new InferenceOptions { MaxBatch = 2 });
        Assert.Equal("contract-test-encoder", model.ModelId);
        var data = Windows.Regular(70, seed: 3);
        for (int slot = 0; slot < 2; slot++)
        {
            data.CopyTo(model.Ecg(slot));
            model.LeadMask(slot).Clear();
            model.LeadMask(slot)[(int)Lead.II] = 1f;
        }
        // Slot 1's absent leads carry garbage: masked from attention and pooling, they change nothing.
        var garbage = model.Ecg(1);
        for (int i = 0; i < garbage.Length; i++) if (i / Windows.Length != (int)Lead.II) garbage[i] = (i % 17) - 8;

        model.Run(2);

        Assert.All(model.Probabilities(0).ToArray(), p => Assert.InRange(p, 0f, 1f));
        Reference.AssertClose(model.Probabilities(0), model.Probabilities(1));
    }
}
