using static TorchSharp.torch;

namespace EcgStream.Training.Distillation;

/// <summary>
/// The distillation objective, term by term (each a scalar tensor in the caller's dispose scope).
/// Labels are multi-label, so the teacher's soft target per class is its sigmoid, not a softmax.
/// A <c>mask</c> [B, C] (1 known, 0 unknown) leaves unknown labels out of both logit terms, as the
/// labels' own masks do; null means every label is known (class set v1's data).
/// </summary>
public static class DistillationLoss
{
    /// <summary>
    /// Soft term: BCE of σ(student/T) against σ(teacher/T), averaged over known labels, times T² (so its
    /// gradient keeps the hard term's scale as T changes, after Hinton et al.).
    /// </summary>
    public static Tensor Soft(Tensor studentLogits, Tensor teacherLogits, double temperature, Tensor? mask = null)
    {
        var target = (teacherLogits / temperature).sigmoid();
        var perLabel = nn.functional.binary_cross_entropy_with_logits(studentLogits / temperature, target, reduction: nn.Reduction.None);
        return Masked(perLabel, mask) * (temperature * temperature);
    }

    /// <summary>Hard term: BCE against the 0/1 labels, averaged over known labels.</summary>
    public static Tensor Hard(Tensor studentLogits, Tensor labels, Tensor? mask = null) =>
        Masked(nn.functional.binary_cross_entropy_with_logits(studentLogits, labels, reduction: nn.Reduction.None), mask);

    /// <summary>
    /// Layer-mixture term: the teacher's PMA weights over its Lt layers, summed in Ls contiguous groups
    /// (Lt a multiple of Ls: group j holds teacher layers j·Lt/Ls … (j+1)·Lt/Ls − 1), against the student's
    /// weights over its Ls layers: KL(teacher ‖ student), averaged over the batch.
    /// </summary>
    public static Tensor LayerMixture(Tensor studentWeights, Tensor teacherWeights)
    {
        long b = studentWeights.shape[0], ls = studentWeights.shape[1], lt = teacherWeights.shape[1];
        if (lt % ls != 0) throw new ArgumentException($"teacher has {lt} layers, not a multiple of the student's {ls}");
        var grouped = teacherWeights.reshape(b, ls, lt / ls).sum(2);
        return (grouped * ((grouped + 1e-8).log() - (studentWeights + 1e-8).log())).sum(1).mean();
    }

    /// <summary>
    /// (1 − α)·hard + α·soft + λ·layer-mixture (the last only when both weight sets are given and λ &gt; 0).
    /// <paramref name="mask"/> applies to both logit terms; <paramref name="hardMask"/> to the hard term only (labels
    /// that do not rule on a class say nothing about it, the teacher does).
    /// </summary>
    public static Tensor Total(Tensor studentLogits, Tensor teacherLogits, Tensor labels, DistillOptions options,
        Tensor? studentWeights = null, Tensor? teacherWeights = null, Tensor? mask = null, Tensor? hardMask = null)
    {
        var loss = Soft(studentLogits, teacherLogits, options.Temperature, mask) * options.Alpha
                 + Hard(studentLogits, labels, hardMask ?? mask) * (1 - options.Alpha);
        if (options.LayerWeight > 0 && studentWeights is not null && teacherWeights is not null)
            loss = loss + LayerMixture(studentWeights, teacherWeights) * options.LayerWeight;
        return loss;
    }

    private static Tensor Masked(Tensor perLabel, Tensor? mask) =>
        mask is null ? perLabel.mean() : (perLabel * mask).sum() / mask.sum().clamp_min(1);
}
