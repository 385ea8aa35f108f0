using EcgStream.Training.Model;
using static TorchSharp.torch;

namespace EcgStream.Training.Pretraining;

/// <summary>
/// A random masking of every lead's 30 patches (independently per window and lead, as ST-MEM):
/// <see cref="Keep"/> [B, 12, K] the kept patch indices, <see cref="Restore"/> [B, 12, 30] each
/// slot's index in kept-then-masked order, <see cref="Masked"/> [B, 12, 30] 1 where masked.
/// </summary>
public sealed class PatchMask : IDisposable
{
    private PatchMask(Tensor keep, Tensor restore, Tensor masked) => (Keep, Restore, Masked) = (keep, restore, masked);

    public Tensor Keep { get; }
    public Tensor Restore { get; }
    public Tensor Masked { get; }

    /// <summary>Patches kept per lead for <paramref name="ratio"/>: ⌊30 · (1 − ratio)⌋ (ST-MEM's rule; 7 at 0.75), at least 1.</summary>
    public static int KeptPerLead(double ratio)
    {
        if (ratio is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "mask ratio must be in [0, 1)");
        return Math.Max(1, (int)(EncoderConfig.PatchesPerLead * (1 - ratio)));
    }

    /// <summary>Draws a masking of <paramref name="leadSlots"/> lead slots from libtorch's generator (seed it for reproducible runs).</summary>
    public static PatchMask Sample(long batch, double ratio, long leadSlots = EncoderConfig.Leads)
    {
        int kept = KeptPerLead(ratio);
        using var scope = NewDisposeScope();
        var shuffle = rand([batch, leadSlots, EncoderConfig.PatchesPerLead]).argsort(2);
        var restore = shuffle.argsort(2);
        var keep = shuffle.narrow(2, 0, kept).contiguous();
        var masked = restore.ge((double)kept).to_type(ScalarType.Float32);
        return new PatchMask(scope.MoveToOuter(keep), scope.MoveToOuter(restore), scope.MoveToOuter(masked));
    }

    public void Dispose()
    {
        Keep.Dispose();
        Restore.Dispose();
        Masked.Dispose();
    }
}
