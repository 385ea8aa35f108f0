using System.Globalization;
using EcgStream.Training.Checkpoints;

namespace EcgStream.Training.Heads;

/// <summary>A head's weights with its kind and sizes in the safetensors metadata.</summary>
public static class HeadFile
{
    private const string KindKey = "ecgstream.head_kind", DimKey = "ecgstream.head_dim", LayersKey = "ecgstream.head_layers",
        ClassesKey = "ecgstream.head_classes", LayerKey = "ecgstream.head_layer", GateKey = "ecgstream.head_gate_hidden", GateKindKey = "ecgstream.head_gate",
        RhythmKey = "ecgstream.head_rhythm_features";

    public static void Save(RhythmHead head, string path)
    {
        ArgumentNullException.ThrowIfNull(head);
        var meta = new Dictionary<string, string>
        {
            [KindKey] = head.Kind.ToString(),
            [DimKey] = head.Dim.ToString(CultureInfo.InvariantCulture),
            [LayersKey] = head.Layers.ToString(CultureInfo.InvariantCulture),
            [ClassesKey] = head.Classes.ToString(CultureInfo.InvariantCulture),
            [LayerKey] = (head is LayerProbeHead p ? p.Layer : -1).ToString(CultureInfo.InvariantCulture),
            [GateKey] = (head is PmaHead m ? m.GateHidden : 0).ToString(CultureInfo.InvariantCulture),
            [GateKindKey] = (head is PmaHead g ? g.Gate : PmaGate.Joint).ToString(),
            [RhythmKey] = head.RhythmFeatures.ToString(CultureInfo.InvariantCulture),
        };
        head.save_safetensors(path, meta);
    }

    public static RhythmHead Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"head file {path} not found", path);
        var tensors = SafeTensors.Load(path, out var meta);
        try
        {
            string Get(string key) => meta.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"{path}: metadata lacks '{key}' (not a head written by EcgStream)");
            int Int(string key) => int.TryParse(Get(key), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : throw new InvalidDataException($"{path}: '{key}' is not an integer");
            if (!Enum.TryParse<HeadKind>(Get(KindKey), out var kind)) throw new InvalidDataException($"{path}: unknown head kind '{Get(KindKey)}'");
            var gate = meta.TryGetValue(GateKindKey, out var g) ? (Enum.TryParse<PmaGate>(g, out var parsed) ? parsed : throw new InvalidDataException($"{path}: unknown PMA gate '{g}'")) : PmaGate.Joint;
            int rhythm = meta.ContainsKey(RhythmKey) ? Int(RhythmKey) : 0;   // heads written before the rhythm path have none
            var head = RhythmHeads.Create(kind, Int(DimKey), Int(LayersKey), Int(ClassesKey), Int(LayerKey), Math.Max(1, Int(GateKey)), gate, rhythm);
            try { head.load_state_dict(tensors); }
            catch { head.Dispose(); throw; }
            return head;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
