using EcgStream.Onnx.Graph;

namespace EcgStream.Inference.Tests.Support;

/// <summary>Runs a writer-built graph once through the binding: float inputs in, one output's values out.</summary>
internal static class Graphs
{
    public static float[] RunSingle(GraphBuilder g, long[] outputShape, params (float[] Data, long[] Shape)[] inputs)
    {
        using var session = InferenceSession.Load(g.ToBytes());
        var inTensors = inputs.Select(i => OrtTensor.FromData(i.Data, i.Shape)).ToArray();
        using var output = OrtTensor.Create(outputShape);
        try
        {
            session.Run(inTensors, [output]);
            return output.Span.ToArray();
        }
        finally
        {
            foreach (var t in inTensors) t.Dispose();
        }
    }
}
