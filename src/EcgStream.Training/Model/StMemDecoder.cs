using TorchSharp;
using TorchSharp.Modules;
using EcgStream.Training.Modules;
using static TorchSharp.torch;

namespace EcgStream.Training.Model;

/// <summary>
/// The small pretraining decoder, applied lead by lead (as ST-MEM's): the encoder's visible patch
/// tokens are projected to the decoder width, a learned mask token fills each masked slot, the
/// lead's 30 tokens are put back in time order, given fixed sin-cos positions, run through a few
/// pre-norm blocks as a 30-token sequence per lead, and projected back to 75 samples per patch.
/// </summary>
public sealed class StMemDecoder : nn.Module
{
    /// <param name="inputDim">Width of what the encoder hands over (d, or d × groups with IPASTMEM).</param>
    public StMemDecoder(EncoderConfig config, int inputDim) : base(nameof(StMemDecoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputDim);
        Config = config;
        int dd = config.DecoderDim;
        decoder_embed = nn.Linear(inputDim, dd);
        mask_token = nn.Parameter(nn.init.normal_(zeros([dd]), 0, 0.02));
        pos_embedding = tensor(SinCosPositions.Table(EncoderConfig.PatchesPerLead, dd), EncoderConfig.PatchesPerLead, dd);
        register_module(nameof(decoder_embed), decoder_embed);
        register_parameter(nameof(mask_token), mask_token);
        register_buffer(nameof(pos_embedding), pos_embedding);
        blocks = new TransformerBlock[config.DecoderDepth];
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i] = new TransformerBlock(dd, config.DecoderHeads, config.DecoderMlpRatio, config.Dropout, EncoderConfig.NormEps);
            register_module($"block{i}", blocks[i]);
        }
        norm = nn.LayerNorm(dd, EncoderConfig.NormEps);
        pred = nn.Linear(dd, EncoderConfig.PatchSize);
        register_module(nameof(norm), norm);
        register_module(nameof(pred), pred);
    }

    public EncoderConfig Config { get; }
    public readonly Linear decoder_embed;
    public readonly Parameter mask_token;
    public readonly Tensor pos_embedding;
    private readonly TransformerBlock[] blocks;
    public readonly LayerNorm norm;
    public readonly Linear pred;

    /// <summary>
    /// <paramref name="visible"/> [B, n, K, inputDim] (n lead slots, 12 or fewer): features of the kept patches in kept order;
    /// <paramref name="restore"/> [B, 12, 30] int64: for each time slot, its index in kept-then-masked
    /// order. Returns the reconstructed patches [B, 12, 30, 75].
    /// </summary>
    public Tensor forward(Tensor visible, Tensor restore)
    {
        long b = visible.shape[0], slots = visible.shape[1], k = visible.shape[2], n = EncoderConfig.PatchesPerLead, dd = Config.DecoderDim;
        using var scope = NewDisposeScope();
        var x = decoder_embed.forward(visible);                                            // [B, 12, K, dd]
        if (k < n)
            x = cat([x, mask_token.reshape(1, 1, 1, dd).expand(b, slots, n - k, dd)], 2);
        x = x.gather(2, restore.unsqueeze(3).expand(b, slots, n, dd)) + pos_embedding;
        x = x.reshape(b * slots, n, dd);                                    // lead by lead
        foreach (var block in blocks) x = block.forward(x, null);
        var patches = pred.forward(norm.forward(x));
        return scope.MoveToOuter(patches.reshape(b, slots, n, EncoderConfig.PatchSize));
    }
}
