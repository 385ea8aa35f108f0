using System.Text.Json;
using EcgStream.Training.Checkpoints;

namespace EcgStream.Training.Model;

/// <summary>An encoder's weights with its sizes in the safetensors metadata, so the file alone rebuilds it.</summary>
public static class EncoderFile
{
    public const string ConfigKey = "ecgstream.encoder_config";

    public static void Save(StMemEncoder encoder, string path)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        encoder.save_safetensors(path, new Dictionary<string, string> { [ConfigKey] = JsonSerializer.Serialize(encoder.Config) });
    }

    public static StMemEncoder Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"encoder file {path} not found", path);
        var tensors = SafeTensors.Load(path, out var metadata);
        try
        {
            if (!metadata.TryGetValue(ConfigKey, out var json))
                throw new InvalidDataException($"{path}: metadata lacks '{ConfigKey}' (not an encoder written by EcgStream)");
            EncoderConfig config;
            try { config = JsonSerializer.Deserialize<EncoderConfig>(json) ?? throw new InvalidDataException($"{path}: empty encoder config"); }
            catch (JsonException e) { throw new InvalidDataException($"{path}: encoder config is not valid JSON ({e.Message})", e); }
            var encoder = new StMemEncoder(config);
            try { encoder.load_state_dict(tensors); }
            catch { encoder.Dispose(); throw; }
            return encoder;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
