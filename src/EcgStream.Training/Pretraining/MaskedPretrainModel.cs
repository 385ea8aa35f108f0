using TorchSharp;
using TorchSharp.Modules;
using EcgStream.Training.Modules;
using EcgStream.Training.Model;
using static TorchSharp.torch;

namespace EcgStream.Training.Pretraining;

/// <summary>
/// Masked ECG modelling: the encoder sees the kept patches of every lead, the decoder reconstructs
/// all 30 per lead, and the loss is the MSE against each patch normalised by its own mean and
/// standard deviation, averaged over masked patches of present leads only. With a
/// <see cref="LayerGrouping"/> of several groups this is IPASTMEM.
/// </summary>
public sealed class MaskedPretrainModel : nn.Module
{
    private const double PatchNormEps = 1e-6;

    public MaskedPretrainModel(EncoderConfig config, LayerGrouping? grouping = null) : base(nameof(MaskedPretrainModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Grouping = grouping ?? LayerGrouping.LastLayer(config.Depth);
        foreach (var group in Grouping.Groups)
            foreach (var layer in group)
                if (layer < 0 || layer >= config.Depth)
                    throw new ArgumentException($"layer grouping {Grouping} names layer {layer}; the encoder has layers 0…{config.Depth - 1}", nameof(grouping));
        encoder = new StMemEncoder(config);
        encoder_norm = nn.LayerNorm(config.Dim, EncoderConfig.NormEps);
        decoder = new StMemDecoder(config, config.Dim * Grouping.Count);
        register_module(nameof(encoder), encoder);
        register_module(nameof(encoder_norm), encoder_norm);
        register_module(nameof(decoder), decoder);
    }

    public readonly StMemEncoder encoder;
    /// <summary>Normalises each group's average before the decoder reads it (shared by the groups).</summary>
    public readonly LayerNorm encoder_norm;
    public readonly StMemDecoder decoder;
    public LayerGrouping Grouping { get; }

    /// <summary>
    /// The reconstruction loss (a scalar) of one batch: <paramref name="ecg"/> [B, 12, 2250],
    /// <paramref name="leadMask"/> [B, 12], masking drawn by <see cref="PatchMask.Sample"/>; or, with
    /// <paramref name="leadIndex"/> [n], only those n lead slots (<see cref="Data.WindowSet.CompactBatch"/>).
    /// </summary>
    public Tensor forward(Tensor ecg, Tensor leadMask, PatchMask mask, Tensor? leadIndex = null)
    {
        long b = ecg.shape[0], slots = StMemEncoder.LeadSlots(leadIndex);
        using var scope = NewDisposeScope();
        var patches = ecg.reshape(b, slots, EncoderConfig.PatchesPerLead, EncoderConfig.PatchSize);
        long kept = mask.Keep.shape[2];
        using var encoded = encoder.Encode(patches, mask.Keep, leadMask, Grouping.NeedsAllLayers(encoder.Depth), leadIndex);
        var features = new Tensor[Grouping.Count];
        for (int g = 0; g < Grouping.Count; g++)
        {
            var layers = Grouping.Groups[g];
            Tensor sum = Hidden(encoded, layers[0]);
            for (int i = 1; i < layers.Count; i++) sum = sum + Hidden(encoded, layers[i]);
            var mean = layers.Count == 1 ? sum : sum / layers.Count;
            // [B, n·(K+2), d] → drop the SEP tokens → [B, n, K, d]
            features[g] = encoder_norm.forward(mean).reshape(b, slots, kept + 2, encoder.Config.Dim).narrow(2, 1, kept);
        }
        var visible = features.Length == 1 ? features[0] : cat(features, 3);
        var reconstruction = decoder.forward(visible, mask.Restore);

        var mu = patches.mean([3], keepdim: true);
        var variance = (patches - mu).square().mean([3], keepdim: true);
        var target = (patches - mu) / (variance + PatchNormEps).sqrt();
        var perPatch = (reconstruction - target).square().mean([3]);                      // [B, 12, 30]
        var weight = mask.Masked * leadMask.unsqueeze(2);
        return scope.MoveToOuter((perPatch * weight).sum() / weight.sum());
    }

    private Tensor Hidden(EncoderOutput encoded, int layer) =>
        Grouping.NeedsAllLayers(encoder.Depth) ? encoded.Hidden[layer] : encoded.LastHidden;
}
