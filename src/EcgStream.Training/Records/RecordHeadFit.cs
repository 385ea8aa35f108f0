using EcgStream.Core.Rhythms;
using EcgStream.Inference.Records;
using EcgStream.Training.Evaluation;

namespace EcgStream.Training.Records;

/// <summary>
/// One labelled record as a model scored it: its windows, its <see cref="RecordFeatures"/>, the median of its windows'
/// probabilities per class (what `classify` decides without a head) and its label (classes positive, classes known).
/// </summary>
public sealed record RecordRow(string Source, string Record, int Windows, float[] Features, float[] Median, int ClassMask, int KnownMask)
{
    public bool Knows(int c) => (KnownMask & (1 << c)) != 0;
    public bool Has(int c) => (ClassMask & (1 << c)) != 0;
}

/// <summary>What fitting one class's record head found on the validation records, and whether the head is used.</summary>
public sealed record ClassFit(string Class, int TrainRecords, int TrainPositives, int ValidationRecords, int ValidationPositives,
    double? Lambda, double? ValidationLogLoss, double? HeadAuroc, double? MedianAuroc, double? HeadF1, double? MedianF1, double? MedianBestF1,
    double? Threshold, bool Used, string Reason);

/// <summary>
/// Fits a model's record head (<see cref="RecordHead"/>): per class, a logistic regression over the train records'
/// features (<see cref="LogisticRegression"/>), its penalty the one of <see cref="Lambdas"/> with the lowest validation
/// log-loss and its threshold the best F1 on the validation records (<see cref="Thresholds"/>' rule). A class keeps its
/// head only where that F1 is at least what the record would get without it: the median of its windows at the model's
/// threshold (`classify`'s fallback). Until session 17 the head was compared with the median at the median's own best
/// threshold, which the fallback does not use: a retrained model lost its AF head to a median F1 of 0.750 and then
/// decided its validation records at 0.692 (docs/runs/2026-12-05/retrain-12k/). The median's best F1 is still
/// reported (<see cref="ClassFit.MedianBestF1"/>). The head's threshold is tuned on those validation records and the
/// fallback's is not; that is the threshold the head then decides with. Otherwise, with fewer than
/// <see cref="MinTrainEach"/> train or <see cref="MinValidationEach"/> validation records on either side, or for a class
/// the model does not score, the class is left to the median.
/// <para>
/// The model was trained on the train records, so its probabilities there are surer than on records it never saw; the
/// head learns from those. Penalty, threshold and the choice are therefore read on the validation records, which the
/// model did not train on.
/// </para> Only records whose label rules on a class count for it. The
/// head covers records up to the most windows a train record had (<see cref="RecordHead.MaxWindows"/>).
/// </summary>
public static class RecordHeadFit
{
    public static IReadOnlyList<double> Lambdas { get; } = [0.1, 1, 10, 100, 1000];
    public const int MinTrainEach = 20, MinValidationEach = 5;

    /// <param name="decidedElsewhere">Classes a record head must not take (classify decides the rate classes by the record's heart rate).</param>
    public static (RecordHead Head, List<ClassFit> Report) Fit(IReadOnlyList<RecordRow> train, IReadOnlyList<RecordRow> validation, IReadOnlyList<double> modelThresholds,
        IReadOnlyCollection<RhythmClass>? decidedElsewhere = null)
    {
        var heads = new List<RecordClassHead>();
        var report = new List<ClassFit>();
        for (int c = 0; c < RhythmClasses.Count; c++)
        {
            string name = RhythmClasses.Names[c];
            var tr = train.Where(r => r.Knows(c)).ToList();
            var va = validation.Where(r => r.Knows(c)).ToList();
            int trPos = tr.Count(r => r.Has(c)), vaPos = va.Count(r => r.Has(c));
            ClassFit Skip(string why) => new(name, tr.Count, trPos, va.Count, vaPos, null, null, null, null, null, null, null, null, false, why);
            if (double.IsNaN(modelThresholds[c])) { report.Add(Skip("the model does not score it")); continue; }
            if (decidedElsewhere?.Contains((RhythmClass)c) == true) { report.Add(Skip("decided by the record's heart rate")); continue; }
            if (Math.Min(trPos, tr.Count - trPos) < MinTrainEach) { report.Add(Skip($"fewer than {MinTrainEach} train records on one side")); continue; }
            if (Math.Min(vaPos, va.Count - vaPos) < MinValidationEach) { report.Add(Skip($"fewer than {MinValidationEach} validation records on one side")); continue; }

            var trX = tr.Select(r => r.Features).ToList();
            var trY = tr.Select(r => r.Has(c)).ToList();
            var vaX = va.Select(r => r.Features).ToList();
            var vaY = va.Select(r => r.Has(c)).ToList();
            (float[] W, float B, double Lambda, double Loss)? best = null;
            foreach (var lambda in Lambdas)
            {
                var (w, b) = LogisticRegression.Fit(trX, trY, lambda);
                double loss = LogisticRegression.MeanLogLoss(vaX, vaY, w, b);
                if (best is null || loss < best.Value.Loss) best = (w, b, lambda, loss);
            }
            var (weights, bias, chosenLambda, validationLoss) = best!.Value;

            var head = va.Select(r => (float)LogisticRegression.Probability(r.Features, weights, bias)).ToArray();
            var median = va.Select(r => r.Median[c]).ToArray();
            var masks = vaY.Select(y => y ? 1 : 0).ToArray();
            var labels = vaY.ToArray();
            double threshold = Thresholds.Choose(head, masks, [name])[0].Threshold;
            double headF1 = Auroc.F1(head, masks, 1, 0, threshold);
            double medianF1 = Auroc.F1(median, masks, 1, 0, modelThresholds[c]);
            double medianBestF1 = Auroc.F1(median, masks, 1, 0, Thresholds.Choose(median, masks, [name])[0].Threshold);
            double headAuroc = Auroc.Compute(head, labels), medianAuroc = Auroc.Compute(median, labels);
            bool used = headF1 >= medianF1;
            report.Add(new ClassFit(name, tr.Count, trPos, va.Count, vaPos, chosenLambda, validationLoss, headAuroc, medianAuroc, headF1, medianF1, medianBestF1,
                threshold, used, used ? "validation F1 at least the median's at the model's threshold" : "validation F1 below the median's at the model's threshold"));
            if (used) heads.Add(new RecordClassHead((RhythmClass)c, weights, bias, threshold));
        }
        return (new RecordHead(heads, Math.Max(1, train.Count == 0 ? 1 : train.Max(r => r.Windows))), report);
    }
}
