using System.Security.Cryptography;
using EcgStream.Inference;
using EcgStream.Training.Checkpoints;
using EcgStream.Training.Data;
using EcgStream.Training.Evaluation;
using static TorchSharp.torch;

namespace EcgStream.Training.Distillation;

/// <summary>
/// The teacher's outputs for every training window, computed once by running the teacher's ONNX file
/// through ONNX Runtime (no teacher weights in libtorch needed) and cached in the run folder
/// (<see cref="FileName"/>, keyed by the teacher file's SHA-256 and the windows' <see cref="WindowSet.Fingerprint"/>, so a
/// resume reuses them and a different teacher, data set, split or seed recomputes them; until 2026-12-04 the key was the
/// window count, and a run folder reused with another seed would have distilled from another run's windows' targets).
/// </summary>
public static class SoftTargets
{
    public const string FileName = "teacher-targets.safetensors";
    private const string TeacherKey = "ecgstream.teacher_sha256";
    private const string WindowsKey = "ecgstream.windows_sha256";

    /// <summary>Loads the cached targets when they match, else runs the teacher (reporting windows done) and caches them.</summary>
    public static ModelOutputs ComputeOrLoad(string teacherPath, WindowSet windows, string runDirectory, InferenceOptions? options = null, Action<int>? progress = null)
    {
        var hash = TeacherHash(teacherPath);
        var fingerprint = windows.Fingerprint();
        var path = Path.Combine(runDirectory, FileName);
        if (File.Exists(path))
        {
            var tensors = SafeTensors.Load(path, out var metadata);
            try
            {
                if (metadata.GetValueOrDefault(TeacherKey) == hash && metadata.GetValueOrDefault(WindowsKey) == fingerprint)
                {
                    var logits = tensors["logits"];
                    var weights = tensors["layer_weights"];
                    return new ModelOutputs(logits.data<float>().ToArray(), (int)logits.shape[1], weights.data<float>().ToArray(), (int)weights.shape[1]);
                }
            }
            finally { foreach (var t in tensors.Values) t.Dispose(); }
        }
        using var session = InferenceSession.Load(teacherPath, options);
        var outputs = OnnxScoring.Run(session, windows, progress: progress);
        if (outputs.Layers == 0) throw new ArgumentException($"teacher {teacherPath} has no layer_weights output: distillation needs a PMA teacher");
        Directory.CreateDirectory(runDirectory);
        using var scope = NewDisposeScope();
        SafeTensors.Save(path, new Dictionary<string, Tensor>
        {
            ["logits"] = tensor(outputs.Logits, outputs.Count, outputs.Classes),
            ["layer_weights"] = tensor(outputs.LayerWeights, outputs.Count, outputs.Layers),
        }, new Dictionary<string, string> { [TeacherKey] = hash, [WindowsKey] = fingerprint });
        return outputs;
    }

    public static string TeacherHash(string teacherPath)
    {
        if (!File.Exists(teacherPath)) throw new FileNotFoundException($"teacher model {Path.GetFullPath(teacherPath)} does not exist", teacherPath);
        Core.Files.RegularFiles.Require(teacherPath);
        using var stream = File.OpenRead(teacherPath);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }
}
