using EcgStream.Onnx.Graph;

namespace EcgStream.Inference.Tests.Support;

/// <summary>Tiny models for binding tests.</summary>
internal static class SmallModels
{
    /// <summary>y = x·W + b with x [N, 4], W [4, 3]; W and b are fixed so results are checkable.</summary>
    public static readonly float[] W = [1, 2, 3, -1, 0, 1, 0.5f, 0.5f, 0.5f, 2, -2, 0];
    public static readonly float[] B = [0.1f, 0.2f, 0.3f];

    public static GraphBuilder Linear()
    {
        var g = new GraphBuilder("small_linear");
        var x = g.Input("x", ElementType.Float, "N", 4);
        g.Node("Add", [g.MatMul(x, g.Initializer("w", W, 4, 3)), g.Initializer("b", B, 3)], ["y"]);
        g.Output("y", ElementType.Float, "N", 3);
        return g;
    }

    public static float[] LinearReference(float[] x, int n) =>
        Reference.MatMul(x, W, 1, n, 4, 3).Select((v, i) => v + B[i % 3]).ToArray();
}
