namespace EcgStream.Training.Model;

/// <summary>Fixed 1-D sine-cosine position table (MAE / ST-MEM): row p = [sin(p·ωᵢ)…, cos(p·ωᵢ)…], ωᵢ = 10000^(−2i/d).</summary>
public static class SinCosPositions
{
    /// <summary>A [<paramref name="positions"/>, <paramref name="dim"/>] table, row-major.</summary>
    public static float[] Table(int positions, int dim)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(positions);
        if (dim <= 0 || dim % 2 != 0) throw new ArgumentOutOfRangeException(nameof(dim), dim, "dim must be positive and even");
        int half = dim / 2;
        var table = new float[positions * dim];
        for (int p = 0; p < positions; p++)
            for (int i = 0; i < half; i++)
            {
                double omega = 1.0 / Math.Pow(10000.0, (double)i / half);
                table[p * dim + i] = (float)Math.Sin(p * omega);
                table[p * dim + half + i] = (float)Math.Cos(p * omega);
            }
        return table;
    }
}
