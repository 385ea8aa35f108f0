namespace EcgStream.Inference.Tests.Support;

/// <summary>Reference math in double precision, written from the ONNX operator definitions, to check ORT's results against.</summary>
internal static class Reference
{
    public static float[] Random(int count, int seed, float scale = 1f)
    {
        var rng = new Random(seed);
        var a = new float[count];
        for (int i = 0; i < count; i++) a[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return a;
    }

    /// <summary>[batch, m, k] · [k, n] → [batch, m, n] (batch may be 1).</summary>
    public static float[] MatMul(float[] a, float[] b, int batch, int m, int k, int n)
    {
        var c = new float[batch * m * n];
        for (int z = 0; z < batch; z++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += (double)a[z * m * k + i * k + p] * b[p * n + j];
                    c[z * m * n + i * n + j] = (float)s;
                }
        return c;
    }

    /// <summary>Per-batch matrices on both sides: [batch, m, k] · [batch, k, n].</summary>
    public static float[] BatchedMatMul(float[] a, float[] b, int batch, int m, int k, int n)
    {
        var c = new float[batch * m * n];
        for (int z = 0; z < batch; z++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += (double)a[z * m * k + i * k + p] * b[z * k * n + p * n + j];
                    c[z * m * n + i * n + j] = (float)s;
                }
        return c;
    }

    /// <summary>Softmax over the last axis of rows of length <paramref name="n"/>.</summary>
    public static float[] Softmax(float[] x, int n)
    {
        var y = new float[x.Length];
        for (int r = 0; r < x.Length / n; r++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int j = 0; j < n; j++) max = Math.Max(max, x[r * n + j]);
            for (int j = 0; j < n; j++) sum += Math.Exp(x[r * n + j] - max);
            for (int j = 0; j < n; j++) y[r * n + j] = (float)(Math.Exp(x[r * n + j] - max) / sum);
        }
        return y;
    }

    /// <summary>LayerNormalization over the last axis: (x − mean)/√(var + ε)·scale + bias (population variance).</summary>
    public static float[] LayerNorm(float[] x, int n, float[] scale, float[] bias, double epsilon)
    {
        var y = new float[x.Length];
        for (int r = 0; r < x.Length / n; r++)
        {
            double mean = 0, var = 0;
            for (int j = 0; j < n; j++) mean += x[r * n + j];
            mean /= n;
            for (int j = 0; j < n; j++) var += (x[r * n + j] - mean) * (x[r * n + j] - mean);
            var /= n;
            for (int j = 0; j < n; j++) y[r * n + j] = (float)((x[r * n + j] - mean) / Math.Sqrt(var + epsilon) * scale[j] + bias[j]);
        }
        return y;
    }

    /// <summary>erf by Abramowitz–Stegun 7.1.26 refined with two Newton steps on erf⁻¹… kept simple: series for |x| &lt; 3, asymptotic 1 beyond.</summary>
    public static double Erf(double x)
    {
        if (Math.Abs(x) >= 6) return Math.Sign(x);
        // Maclaurin series: erf x = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1)); converges for all x, 120 terms are ample for |x| < 6.
        double sum = 0, term = x;
        for (int n = 0; n < 200; n++)
        {
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.Abs(add) < 1e-17 * Math.Abs(sum)) break;
            term *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    public static double Gelu(double x) => 0.5 * x * (1 + Erf(x / Math.Sqrt(2)));

    /// <summary>Transpose of a row-major tensor by <paramref name="perm"/>.</summary>
    public static float[] Transpose(float[] x, int[] shape, int[] perm)
    {
        int rank = shape.Length;
        var outShape = perm.Select(p => shape[p]).ToArray();
        var inStrides = Strides(shape);
        var y = new float[x.Length];
        var idx = new int[rank];
        for (int o = 0; o < y.Length; o++)
        {
            int rem = o;
            for (int d = rank - 1; d >= 0; d--) { idx[d] = rem % outShape[d]; rem /= outShape[d]; }
            int src = 0;
            for (int d = 0; d < rank; d++) src += idx[d] * inStrides[perm[d]];
            y[o] = x[src];
        }
        return y;
    }

    public static int[] Strides(int[] shape)
    {
        var s = new int[shape.Length];
        int acc = 1;
        for (int d = shape.Length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]; }
        return s;
    }

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(expected[i] - actual[i]) / Math.Max(1.0, Math.Abs(expected[i]));
            if (!(err <= tolerance))
                Assert.Fail($"element {i}: expected {expected[i]:R}, got {actual[i]:R} (error {err:E2} > {tolerance:E0})");
        }
    }
}
