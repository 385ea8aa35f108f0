using EcgStream.Core.Models;

namespace EcgStream.Training.Model;

/// <summary>
/// Sizes of the ST-MEM-style encoder and its pretraining decoder. Geometry is contract v1's
/// (12 lead slots, 30 patches of 75 samples per lead); only widths and depths vary. Use the named
/// factories; they only set sizes.
/// </summary>
public sealed record EncoderConfig
{
    public const int Leads = ModelContract.LeadCount;
    public const int PatchSize = ModelContract.PatchSamples;
    public const int PatchesPerLead = ModelContract.WindowSamples / ModelContract.PatchSamples;   // 30
    /// <summary>A lead's tokens: SEP, 30 patches, SEP.</summary>
    public const int TokensPerLead = PatchesPerLead + 2;
    /// <summary>LayerNorm epsilon of every block; equal to the ONNX writer's, so export is exact.</summary>
    public const double NormEps = 1e-6;

    public required int Dim { get; init; }
    public required int Depth { get; init; }
    public required int Heads { get; init; }
    public double MlpRatio { get; init; } = 4;
    public required int DecoderDim { get; init; }
    public required int DecoderDepth { get; init; }
    public required int DecoderHeads { get; init; }
    public double DecoderMlpRatio { get; init; } = 4;
    public double Dropout { get; init; }

    /// <summary>For tests: trains in seconds on one core.</summary>
    public static EncoderConfig Tiny() => new()
    {
        Dim = 32, Depth = 4, Heads = 2, MlpRatio = 2, DecoderDim = 16, DecoderDepth = 1, DecoderHeads = 2, DecoderMlpRatio = 2,
    };

    /// <summary>
    /// The default: about 1.6 M encoder parameters, sized so masked pretraining (the encoder sees a
    /// quarter of the patches) makes useful progress within 2 hours on 2 CPU cores.
    /// </summary>
    public static EncoderConfig Small() => new()
    {
        Dim = 128, Depth = 8, Heads = 4, MlpRatio = 4, DecoderDim = 64, DecoderDepth = 2, DecoderHeads = 4,
    };

    /// <summary>
    /// The distilled student: d 64, 4 blocks, 2 heads — about 1/6 of <see cref="Small"/>'s multiply-adds
    /// per 12-lead window (<see cref="MacsPerWindow"/>). The decoder sizes are unused (students are not pretrained).
    /// </summary>
    public static EncoderConfig Student() => new()
    {
        Dim = 64, Depth = 4, Heads = 2, MlpRatio = 4, DecoderDim = 32, DecoderDepth = 1, DecoderHeads = 2,
    };

    /// <summary>
    /// Multiply-adds of the encoder for one window of <paramref name="leads"/> leads (32 tokens each):
    /// patch embedding, and per block the q/k/v/out projections (4·d²), the MLP (2·r·d²) per token and
    /// attention's two token × token products (2·T·d). LayerNorm, softmax and the head are left out (small).
    /// </summary>
    public long MacsPerWindow(int leads = Leads)
    {
        long tokens = (long)leads * TokensPerLead, d = Dim;
        long perBlock = tokens * (4 * d * d + (long)(2 * MlpRatio * d * d)) + 2 * tokens * tokens * d;
        return (long)leads * PatchesPerLead * PatchSize * d + Depth * perBlock;
    }

    /// <summary>ST-MEM's published encoder size (ViT-B-like), for machines with an accelerator.</summary>
    public static EncoderConfig Base() => new()
    {
        Dim = 768, Depth = 12, Heads = 12, MlpRatio = 4, DecoderDim = 256, DecoderDepth = 4, DecoderHeads = 4,
    };

    /// <summary>Throws naming the first size that cannot build a model.</summary>
    public void Validate()
    {
        if (Dim <= 0 || Dim % 2 != 0) throw new ArgumentException($"Dim {Dim} must be positive and even (sin-cos positions)");
        if (Depth <= 0) throw new ArgumentException($"Depth {Depth} must be positive");
        if (Heads <= 0 || Dim % Heads != 0) throw new ArgumentException($"Dim {Dim} is not divisible into {Heads} heads");
        if (DecoderDim <= 0 || DecoderDim % 2 != 0) throw new ArgumentException($"DecoderDim {DecoderDim} must be positive and even");
        if (DecoderDepth <= 0) throw new ArgumentException($"DecoderDepth {DecoderDepth} must be positive");
        if (DecoderHeads <= 0 || DecoderDim % DecoderHeads != 0) throw new ArgumentException($"DecoderDim {DecoderDim} is not divisible into {DecoderHeads} heads");
        if (!(MlpRatio > 0) || !(DecoderMlpRatio > 0)) throw new ArgumentException("MLP ratios must be positive");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"Dropout {Dropout} must be in [0, 1)");
    }
}
