using EcgStream.Training.Heads;
using EcgStream.Training.Model;
using static TorchSharp.torch;

namespace EcgStream.Training.Distillation;

/// <summary>
/// The student as one module (encoder + PMA head), so one checkpoint holds both and one optimiser trains both.
/// A head with a rhythm path (contract v2) also reads each window's rhythm features.
/// </summary>
public sealed class DistillStudent : nn.Module
{
    public DistillStudent(StMemEncoder encoder, PmaHead head) : base(nameof(DistillStudent))
    {
        if (head.Layers != encoder.Depth || head.Dim != encoder.Config.Dim)
            throw new ArgumentException($"PMA head reads {head.Layers} layers of {head.Dim}; the encoder has {encoder.Depth} of {encoder.Config.Dim}", nameof(head));
        this.encoder = encoder;
        this.head = head;
        RegisterComponents();
    }

    // Fields named as registered (TorchSharp swaps fields by reflection on to(dtype)).
    public readonly StMemEncoder encoder;
    public readonly PmaHead head;

    /// <summary>Logits [B, C] and PMA weights [B, L] of the windows <paramref name="indices"/> of any lead sets (<see cref="Data.LeadSetBatch"/>).</summary>
    public HeadOutput Forward(Data.WindowSet data, ReadOnlySpan<int> indices, Tensor? rhythm = null)
    {
        using var scope = NewDisposeScope();
        var output = head.Forward(Data.LeadSetBatch.Encode(encoder, data, indices), rhythm);
        scope.MoveToOuter(output.Logits);
        if (output.LayerWeights is not null) scope.MoveToOuter(output.LayerWeights);
        return output;
    }
}
