using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using EcgStream.Onnx.Proto;
using EcgStream.Training.Model;
using static TorchSharp.torch;

namespace EcgStream.Training.Export;

/// <summary>
/// Reads the encoder back out of a model our exporter wrote (<see cref="PmaOnnxExporter"/>): the initializers are
/// named after the modules (<c>patch_embed</c>, <c>lead_embedding</c>, <c>block{l}.attn.q</c>, …) and stored
/// [in, out]; the SEP tokens are stored with their fixed sin-cos positions added, which are subtracted again. So a
/// shipped model whose training files are gone (the repository keeps ONNX, not safetensors) can still serve as the
/// encoder of a new head. Heads are not read back.
/// </summary>
public static partial class OnnxEncoderImport
{
    [GeneratedRegex(@"heads=(\d+)")]
    private static partial Regex HeadsInDescription();

    public static StMemEncoder Import(string path)
    {
        ModelProto model;
        try { model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)); }
        catch (Google.Protobuf.InvalidProtocolBufferException e) { throw new InvalidDataException($"{path}: not an ONNX model ({e.Message})", e); }
        return Import(model, path);
    }

    /// <param name="path">The file the model was read from, for messages.</param>
    public static StMemEncoder Import(ModelProto model, string path)
    {
        // an empty file parses as a model without a graph
        if (model.Graph is null) throw new InvalidDataException($"{path}: not an ONNX model (it has no graph)");
        var init = model.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        float[] Get(string name, long count)
        {
            if (!init.TryGetValue(name, out var t)) throw new InvalidDataException($"{path}: no initializer '{name}' (not an encoder written by EcgStream's exporter)");
            var values = t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray() : t.FloatData.ToArray();
            if (values.Length != count) throw new InvalidDataException($"{path}: initializer '{name}' holds {values.Length} values, {count} expected");
            return values;
        }
        int Length(string name) => init.TryGetValue(name, out var t) ? (t.RawData.Length > 0 ? t.RawData.Length / sizeof(float) : t.FloatData.Count)
            : throw new InvalidDataException($"{path}: no initializer '{name}' (not an encoder written by EcgStream's exporter)");
        int dim = Length("patch_embed.bias");
        int depth = 0;
        while (init.ContainsKey($"block{depth}.ln1.scale")) depth++;
        if (depth == 0) throw new InvalidDataException($"{path}: no encoder block 'block0' (not an encoder written by EcgStream's exporter)");
        var description = model.MetadataProps.FirstOrDefault(p => p.Key == Core.Models.ModelContract.Keys.Description)?.Value ?? model.Graph.DocString;
        var heads = HeadsInDescription().Match(description ?? "");
        if (!heads.Success) throw new InvalidDataException($"{path}: the description does not say the encoder's head count (\"heads=N\")");
        int hidden = Length("block0.fc1.bias");
        var config = EncoderConfig.Small() with
        {
            Dim = dim, Depth = depth, Heads = int.Parse(heads.Groups[1].Value, CultureInfo.InvariantCulture), MlpRatio = (double)hidden / dim,
        };
        config.Validate();

        var encoder = new StMemEncoder(config);
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        void Set(Tensor target, float[] values, bool transpose2d = false)
        {
            var t = transpose2d ? tensor(values, target.shape[1], target.shape[0]).t() : tensor(values, target.shape);
            target.copy_(t);
        }
        const int p = EncoderConfig.PatchSize, leads = EncoderConfig.Leads;
        Set(encoder.patch_embed.weight, Get("patch_embed.weight", (long)p * dim), transpose2d: true);
        Set(encoder.patch_embed.bias!, Get("patch_embed.bias", dim));
        // sep_start = sep + pos[0] (the positions are fixed sin-cos, not learned).
        var sepStart = tensor(Get("sep_start", dim), new long[] { dim });
        encoder.sep_embedding.copy_(sepStart - encoder.pos_embedding.select(0, 0));
        Set(encoder.lead_embedding.weight!, Get("lead_embedding", (long)leads * dim));
        for (int l = 0; l < depth; l++)
        {
            var b = encoder.Blocks[l];
            string n = $"block{l}";
            Set(b.norm1.weight!, Get($"{n}.ln1.scale", dim));
            Set(b.norm1.bias!, Get($"{n}.ln1.bias", dim));
            var q = tensor(Get($"{n}.attn.q.weight", (long)dim * dim), dim, dim).t();
            var k = tensor(Get($"{n}.attn.k.weight", (long)dim * dim), dim, dim).t();
            var v = tensor(Get($"{n}.attn.v.weight", (long)dim * dim), dim, dim).t();
            b.attn.in_proj_weight.copy_(cat([q, k, v], 0));
            b.attn.in_proj_bias.copy_(cat([tensor(Get($"{n}.attn.q.bias", dim)), tensor(Get($"{n}.attn.k.bias", dim)), tensor(Get($"{n}.attn.v.bias", dim))], 0));
            Set(b.attn.out_proj.weight, Get($"{n}.attn.out.weight", (long)dim * dim), transpose2d: true);
            Set(b.attn.out_proj.bias!, Get($"{n}.attn.out.bias", dim));
            Set(b.norm2.weight!, Get($"{n}.ln2.scale", dim));
            Set(b.norm2.bias!, Get($"{n}.ln2.bias", dim));
            Set(b.fc1.weight, Get($"{n}.fc1.weight", (long)dim * hidden), transpose2d: true);
            Set(b.fc1.bias!, Get($"{n}.fc1.bias", hidden));
            Set(b.fc2.weight, Get($"{n}.fc2.weight", (long)hidden * dim), transpose2d: true);
            Set(b.fc2.bias!, Get($"{n}.fc2.bias", dim));
        }
        encoder.eval();
        return encoder;
    }
}
