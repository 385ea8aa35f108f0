using TorchSharp;
using TorchSharp.Modules;
using EcgStream.Training.Modules;
using static TorchSharp.torch;

namespace EcgStream.Training.Model;

/// <summary>
/// The ST-MEM-style encoder (after Na et al., ICLR 2024) with our lead mask. Each lead's window is
/// cut into 30 patches of 75 samples, embedded by one Linear(75→d), given fixed sin-cos positions
/// 1…30 and framed by a learned SEP token at positions 0 and 31; a learned lead embedding (looked
/// up by lead index) is added to all of a lead's tokens; all 12 leads form one attention sequence
/// of 384 tokens. Tokens of absent leads are masked out of attention (as keys) and of pooling, so
/// any subset of leads works. Pre-norm blocks, no CLS token, no final norm (heads and the decoder
/// normalise what they read).
/// </summary>
public sealed class StMemEncoder : nn.Module
{
    public StMemEncoder(EncoderConfig config) : base(nameof(StMemEncoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        patch_embed = nn.Linear(EncoderConfig.PatchSize, config.Dim);
        sep_embedding = nn.Parameter(nn.init.normal_(zeros([config.Dim]), 0, 0.02));
        lead_embedding = nn.Embedding(EncoderConfig.Leads, config.Dim);
        // N(0, 0.02²), as ViT's learned embeddings. The scope disposes the handle the in-place op returns.
        using (no_grad())
        using (NewDisposeScope())
            lead_embedding.weight!.mul_(0.02);
        pos_embedding = tensor(SinCosPositions.Table(EncoderConfig.TokensPerLead, config.Dim), EncoderConfig.TokensPerLead, config.Dim);
        register_module(nameof(patch_embed), patch_embed);
        register_parameter(nameof(sep_embedding), sep_embedding);
        register_module(nameof(lead_embedding), lead_embedding);
        register_buffer(nameof(pos_embedding), pos_embedding);
        blocks = new TransformerBlock[config.Depth];
        for (int i = 0; i < config.Depth; i++)
        {
            blocks[i] = new TransformerBlock(config.Dim, config.Heads, config.MlpRatio, config.Dropout, EncoderConfig.NormEps);
            register_module($"block{i}", blocks[i]);
        }
    }

    public EncoderConfig Config { get; }
    public readonly Linear patch_embed;
    public readonly Parameter sep_embedding;
    public readonly Embedding lead_embedding;
    /// <summary>[32, d] fixed sin-cos table: row 0 and 31 for the SEP tokens, rows 1…30 for the patches.</summary>
    public readonly Tensor pos_embedding;
    public IReadOnlyList<TransformerBlock> Blocks => blocks;
    private readonly TransformerBlock[] blocks;

    /// <summary>Number of layers whose representations the encoder reports.</summary>
    public int Depth => Config.Depth;

    /// <summary>
    /// Encodes whole windows: <paramref name="ecg"/> [B, 12, 2250] (preprocessed, absent leads zero) and
    /// <paramref name="leadMask"/> [B, 12] (1 present, 0 absent; at least one lead per window).
    /// With <paramref name="leadIndex"/> [n] (int64 contract lead indices) the second axis holds only
    /// those n lead slots (<see cref="Data.WindowSet.CompactBatch"/>): the same result, less work.
    /// </summary>
    public EncoderOutput ForwardEncoding(Tensor ecg, Tensor leadMask, bool keepAllLayers = false, Tensor? leadIndex = null)
    {
        var shape = ecg.shape;
        long slots = LeadSlots(leadIndex);
        if (shape.Length != 3 || shape[1] != slots || shape[2] != EncoderConfig.PatchesPerLead * EncoderConfig.PatchSize)
            throw new ArgumentException($"ecg must be [batch, {slots}, 2250], got [{string.Join(", ", shape)}]", nameof(ecg));
        using var scope = NewDisposeScope();
        var patches = ecg.reshape(shape[0], slots, EncoderConfig.PatchesPerLead, EncoderConfig.PatchSize);
        var output = Encode(patches, null, leadMask, keepAllLayers, leadIndex);
        scope.MoveToOuter(output.LayerPooled);
        foreach (var h in output.Hidden) scope.MoveToOuter(h);
        return output;
    }

    /// <summary>
    /// Encodes the patches [B, 12, 30, 75] whose indices <paramref name="keep"/> [B, 12, K] (int64) lists
    /// per lead, or all 30 when null. Each lead then has K + 2 tokens (SEP, kept patches, SEP).
    /// With <paramref name="leadIndex"/> [n] the lead axis holds those n contract leads instead of all 12.
    /// </summary>
    public EncoderOutput Encode(Tensor patches, Tensor? keep, Tensor leadMask, bool keepAllLayers, Tensor? leadIndex = null)
    {
        long slots = LeadSlots(leadIndex);
        CheckLeadMask(leadMask, patches.shape[0], slots);
        using var scope = NewDisposeScope();
        var tokens = Embed(patches, keep, leadIndex);                        // [B, n, T, d]
        long b = tokens.shape[0], t = tokens.shape[2], d = Config.Dim;
        var x = tokens.reshape(b, slots * t, d);

        // Key padding: every token of an absent lead. Pooling weights: present leads' patch tokens.
        var absent = leadMask.eq(0.0).unsqueeze(2).expand(b, slots, t).reshape(b, slots * t);
        var patchSlots = new float[t];
        for (int i = 1; i < t - 1; i++) patchSlots[i] = 1f;
        var poolWeights = (leadMask.unsqueeze(2) * tensor(patchSlots, 1, 1, t)).reshape(b, slots * t, 1);
        var poolCount = poolWeights.sum(1);                                  // [B, 1]

        var pooled = new Tensor[blocks.Length];
        var hidden = new List<Tensor>(keepAllLayers ? blocks.Length : 1);
        for (int l = 0; l < blocks.Length; l++)
        {
            x = blocks[l].forward(x, absent);
            pooled[l] = (x * poolWeights).sum(1) / poolCount;               // [B, d]
            if (keepAllLayers || l == blocks.Length - 1) hidden.Add(x);
        }
        var layerPooled = stack(pooled, 1);                                   // [B, L, d]
        scope.MoveToOuter(layerPooled);
        foreach (var h in hidden) scope.MoveToOuter(h);
        return new EncoderOutput(layerPooled, [.. hidden]);
    }

    /// <summary>
    /// Token embeddings [B, n, K + 2, d] of the kept patches (all 30 when <paramref name="keep"/> is null)
    /// of the n = 12 leads, or of the leads <paramref name="leadIndex"/> names.
    /// </summary>
    public Tensor Embed(Tensor patches, Tensor? keep, Tensor? leadIndex = null)
    {
        var shape = patches.shape;
        long slots = LeadSlots(leadIndex);
        if (shape.Length != 4 || shape[1] != slots || shape[2] != EncoderConfig.PatchesPerLead || shape[3] != EncoderConfig.PatchSize)
            throw new ArgumentException($"patches must be [batch, {slots}, 30, 75], got [{string.Join(", ", shape)}]", nameof(patches));
        long b = shape[0], d = Config.Dim;
        using var scope = NewDisposeScope();
        var x = patch_embed.forward(patches) + pos_embedding.narrow(0, 1, EncoderConfig.PatchesPerLead);   // [B, 12, 30, d]
        if (keep is not null)
        {
            long k = keep.shape[2];
            x = x.gather(2, keep.unsqueeze(3).expand(b, slots, k, d));
        }
        long n = x.shape[2];
        var sepStart = (sep_embedding + pos_embedding.select(0, 0)).reshape(1, 1, 1, d).expand(b, slots, 1, d);
        var sepEnd = (sep_embedding + pos_embedding.select(0, EncoderConfig.TokensPerLead - 1)).reshape(1, 1, 1, d).expand(b, slots, 1, d);
        x = cat([sepStart, x, sepEnd], 2);                                    // [B, n, K + 2, d]
        var leads = lead_embedding.forward(leadIndex ?? arange(0, EncoderConfig.Leads));   // looked up by lead index
        return scope.MoveToOuter(x + leads.reshape(1, slots, 1, d));
    }

    /// <summary>Lead slots on the lead axis: 12, or the length of <paramref name="leadIndex"/> (checked).</summary>
    public static long LeadSlots(Tensor? leadIndex)
    {
        if (leadIndex is null) return EncoderConfig.Leads;
        var shape = leadIndex.shape;
        if (shape.Length != 1 || shape[0] < 1 || shape[0] > EncoderConfig.Leads || leadIndex.dtype != ScalarType.Int64)
            throw new ArgumentException($"lead_index must be int64 [1…12], got {leadIndex.dtype} [{string.Join(", ", shape)}]", nameof(leadIndex));
        return shape[0];
    }

    private static void CheckLeadMask(Tensor leadMask, long batch, long slots)
    {
        var shape = leadMask.shape;
        if (shape.Length != 2 || shape[0] != batch || shape[1] != slots)
            throw new ArgumentException($"lead_mask must be [{batch}, {slots}], got [{string.Join(", ", shape)}]", nameof(leadMask));
        using var scope = NewDisposeScope();
        if (leadMask.sum(1).amin().item<float>() <= 0)
            throw new ArgumentException("a window has no present lead (its lead_mask row is all zero)", nameof(leadMask));
    }
}
