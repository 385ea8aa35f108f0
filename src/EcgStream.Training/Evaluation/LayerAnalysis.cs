using EcgStream.Core.Rhythms;
using EcgStream.Training.Data;
using EcgStream.Training.Heads;
using EcgStream.Training.Model;
using static EcgStream.Torch.torch;

namespace EcgStream.Training.Evaluation;

/// <summary>One head's held-out scores.</summary>
public sealed record HeadScore(string Head, int Layer, double MacroAuroc, double[] PerClassAuroc, double AfF1);

/// <summary>
/// Layer analysis (ECG-Soup's finding that middle layers beat the last): a linear probe per layer
/// on a frozen encoder, trained on one window set and scored (macro AUROC, AF F1) on another.
/// </summary>
public static class LayerAnalysis
{
    /// <summary>Trains and scores a head on a frozen encoder.</summary>
    public static HeadScore Score(StMemEncoder encoder, RhythmHead head, WindowSet train, WindowSet heldOut, HeadTrainOptions options, string name)
    {
        HeadTrainer.Train(encoder, head, train, options with { FreezeEncoder = true });
        using var scope = NewDisposeScope();
        var features = HeadTrainer.ExtractFeatures(encoder, heldOut);
        head.eval();
        using var _ = no_grad();
        using var output = head.forward(features);
        var probabilities = output.Logits.sigmoid().ToArray<float>();
        var masks = Enumerable.Range(0, heldOut.Count).Select(heldOut.ClassMask).ToArray();
        var (perClass, macro) = Auroc.MultiLabel(probabilities, masks, RhythmClasses.Count);
        double afF1 = Auroc.F1(probabilities, masks, RhythmClasses.Count, (int)RhythmClass.AF);
        return new HeadScore(name, head is LayerProbeHead p ? p.Layer : -1, macro, perClass, afF1);
    }

    /// <summary>A probe per layer (layer 0 … L−1), each trained with the same options and seed.</summary>
    public static List<HeadScore> ProbeEveryLayer(StMemEncoder encoder, WindowSet train, WindowSet heldOut, HeadTrainOptions options)
    {
        var scores = new List<HeadScore>(encoder.Depth);
        for (int layer = 0; layer < encoder.Depth; layer++)
        {
            manual_seed(options.Seed);
            using var head = new LayerProbeHead(encoder.Config.Dim, encoder.Depth, RhythmClasses.Count, layer);
            scores.Add(Score(encoder, head, train, heldOut, options, $"probe-{layer}"));
        }
        return scores;
    }
}
