namespace EcgStream.Inference.Tests;

/// <summary>
/// The shipped models score a bed's window the same whatever other beds' windows share its batch: the runtime batches
/// windows across beds (one inference scheduler per process or worker), so anything else would let one patient's
/// signal move another patient's alarm. Static int8 (QDQ) meets this with its calibrated activation scales; dynamic
/// int8 does not (its activation scale is taken over the whole batch), which is why it is not the default.
/// </summary>
public sealed class ShippedModelTests
{
    private const int Leads = 12, Samples = 2250, Rhythm = 14;

    private static string Model(string file) => Path.Combine(EcgStream.Tests.TestData.RepoRoot, "models", file);

    /// <summary>Logits of window 0 when the batch holds <paramref name="windows"/> windows: 0 a quiet sinus-like trace, the rest loud.</summary>
    private static float[] FirstLogits(InferenceSession session, int windows)
    {
        var ecg = new float[windows * Leads * Samples];
        var mask = new float[windows * Leads];
        var rhythm = new float[windows * Rhythm];
        var rng = new Random(3);
        for (int w = 0; w < windows; w++)
            for (int l = 0; l < Leads; l++)
            {
                mask[w * Leads + l] = 1;
                for (int t = 0; t < Samples; t++)
                    ecg[(w * Leads + l) * Samples + t] = w == 0
                        ? (float)(Math.Exp(-Math.Pow((t % 200 - 100) / 6.0, 2)) * 4 - 0.3 + 0.05 * Math.Sin(t / 30.0 + l))
                        : (float)((rng.NextDouble() - 0.5) * 60);      // loud: activations far beyond window 0's
            }
        for (int w = 0; w < windows; w++)
            for (int f = 0; f < Rhythm; f++) rhythm[w * Rhythm + f] = w == 0 ? 0.1f * f : (float)(rng.NextDouble() * 20);
        using var x = OrtTensor.FromData(ecg, [windows, Leads, Samples]);
        using var m = OrtTensor.FromData(mask, [windows, Leads]);
        using var r = OrtTensor.FromData(rhythm, [windows, Rhythm]);
        float[] logits = [];
        session.RunNamed([("ecg", x), ("lead_mask", m), ("rhythm", r)], ["logits"], (_, values, shape) => logits = values[..(int)shape[1]].ToArray());
        return logits;
    }

    [Theory]
    [InlineData("ecgstream.onnx")]
    [InlineData("ecgstream-student.onnx")]
    [InlineData("ecgstream-teacher.onnx")]
    public void A_window_scores_the_same_alone_and_beside_other_beds_windows(string file)
    {
        using var session = InferenceSession.Load(Model(file));
        var alone = FirstLogits(session, 1);
        var batched = FirstLogits(session, 4);
        Assert.Equal(11, alone.Length);
        for (int c = 0; c < alone.Length; c++)
            Assert.True(Math.Abs(alone[c] - batched[c]) <= 1e-3 * (1 + Math.Abs(alone[c])), $"{file}: class {c} logit {alone[c]} alone, {batched[c]} in a batch");
    }
}
