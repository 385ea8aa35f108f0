using EcgStream.Core.Rhythms;
using EcgStream.Training.Data;
using EcgStream.Training.Heads;
using EcgStream.Training.Model;
using static TorchSharp.torch;

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
        using var features = Features.Of(encoder, train, heldOut);
        return Score(head, features, options, name);
    }

    /// <summary>Trains a head on cached train features and scores it on the cached held-out ones.</summary>
    public static HeadScore Score(RhythmHead head, Features features, HeadTrainOptions options, string name)
    {
        HeadTrainer.TrainOnFeatures(head, features.Train, features.TrainLabels, options);
        return Evaluate(head, features.HeldOut, features.HeldOutMasks, name);
    }

    /// <summary>Scores a trained head on held-out features [N, L, d] with their class masks.</summary>
    public static HeadScore Evaluate(RhythmHead head, Tensor heldOut, int[] heldOutMasks, string name) =>
        Score(Probabilities(head, heldOut), heldOutMasks, name, head is LayerProbeHead p ? p.Layer : -1);

    /// <summary>A head's sigmoid probabilities [N × C] on features [N, L, d] (eval mode, no gradients).</summary>
    public static float[] Probabilities(RhythmHead head, Tensor features, Tensor? rhythm = null)
    {
        using var scope = NewDisposeScope();
        head.eval();
        using var _ = no_grad();
        using var output = head.Forward(features, rhythm);
        return output.Logits.sigmoid().data<float>().ToArray();
    }

    /// <summary>Macro and per-class AUROC and AF F1 (at 0.5) of probabilities [N × C] against class masks.</summary>
    public static HeadScore Score(float[] probabilities, int[] masks, string name, int layer = -1)
    {
        var (perClass, macro) = Auroc.MultiLabel(probabilities, masks, RhythmClasses.Count);
        double afF1 = Auroc.F1(probabilities, masks, RhythmClasses.Count, (int)RhythmClass.AF);
        return new HeadScore(name, layer, macro, perClass, afF1);
    }

    /// <summary>A probe per layer (layer 0 … L−1), each trained with the same options and seed.</summary>
    public static List<HeadScore> ProbeEveryLayer(StMemEncoder encoder, WindowSet train, WindowSet heldOut, HeadTrainOptions options)
    {
        using var features = Features.Of(encoder, train, heldOut);
        return ProbeEveryLayer(encoder, features, options);
    }

    public static List<HeadScore> ProbeEveryLayer(StMemEncoder encoder, Features features, HeadTrainOptions options)
    {
        var scores = new List<HeadScore>(encoder.Depth);
        for (int layer = 0; layer < encoder.Depth; layer++)
        {
            manual_seed((long)options.Seed);
            using var head = new LayerProbeHead(encoder.Config.Dim, encoder.Depth, RhythmClasses.Count, layer);
            scores.Add(Score(head, features, options, $"probe-{layer}"));
        }
        return scores;
    }

    /// <summary>Per-layer pooled features of a train and a held-out set, encoded once for many heads.</summary>
    public sealed class Features : IDisposable
    {
        private Features(Tensor train, Tensor trainLabels, Tensor heldOut, int[] heldOutMasks) =>
            (Train, TrainLabels, HeldOut, HeldOutMasks) = (train, trainLabels, heldOut, heldOutMasks);

        public Tensor Train { get; }
        public Tensor TrainLabels { get; }
        public Tensor HeldOut { get; }
        public int[] HeldOutMasks { get; }

        public static Features Of(StMemEncoder encoder, WindowSet train, WindowSet heldOut)
        {
            using var scope = NewDisposeScope();
            var f = new Features(HeadTrainer.ExtractFeatures(encoder, train), HeadTrainer.Labels(train), HeadTrainer.ExtractFeatures(encoder, heldOut),
                Enumerable.Range(0, heldOut.Count).Select(heldOut.ClassMask).ToArray());
            scope.MoveToOuter(f.Train);
            scope.MoveToOuter(f.TrainLabels);
            scope.MoveToOuter(f.HeldOut);
            return f;
        }

        public void Dispose()
        {
            Train.Dispose();
            TrainLabels.Dispose();
            HeldOut.Dispose();
        }
    }
}
