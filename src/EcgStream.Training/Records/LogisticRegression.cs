using MathNet.Numerics.LinearAlgebra;

namespace EcgStream.Training.Records;

/// <summary>
/// L2-penalised logistic regression fitted by Newton's method (iteratively reweighted least squares): minimises
/// Σ log-loss + λ/2 ‖w‖² over standardised features (the bias is not penalised), then folds the standardisation into
/// the weights so they apply to raw features. Deterministic: the same rows give the same weights on every machine.
/// ML.NET's L-BFGS trainer would do the same job; for one 74-feature model per class a 75 × 75 Newton step (Math.NET's
/// Cholesky) is exact, converges in a few steps and needs no data-view plumbing.
/// </summary>
public static class LogisticRegression
{
    /// <summary>Features whose spread over the rows is below this are left out (weight 0): nothing to learn from them.</summary>
    public const double ConstantSpread = 1e-8;

    /// <param name="rows">Feature rows, all of one length.</param>
    /// <param name="labels">Per row, positive or not.</param>
    /// <param name="lambda">L2 penalty on the standardised weights (&gt; 0).</param>
    public static (float[] Weights, float Bias) Fit(IReadOnlyList<float[]> rows, IReadOnlyList<bool> labels, double lambda, int maxIterations = 100)
    {
        int n = rows.Count;
        if (n == 0) throw new ArgumentException("no rows", nameof(rows));
        if (labels.Count != n) throw new ArgumentException($"{labels.Count} labels for {n} rows", nameof(labels));
        // λ > 0 keeps the Newton system positive definite, also with the columns of constant features set to 0.
        if (!(lambda > 0)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "the penalty must be above 0");
        int d = rows[0].Length;
        var mean = new double[d];
        var spread = new double[d];
        foreach (var r in rows)
        {
            if (r.Length != d) throw new ArgumentException($"rows of {r.Length} and {d} features", nameof(rows));
            for (int j = 0; j < d; j++) mean[j] += r[j];
        }
        for (int j = 0; j < d; j++) mean[j] /= n;
        foreach (var r in rows)
            for (int j = 0; j < d; j++) spread[j] += (r[j] - mean[j]) * (r[j] - mean[j]);
        for (int j = 0; j < d; j++) spread[j] = Math.Sqrt(spread[j] / n);

        // Design matrix: standardised features, then a column of ones for the bias.
        var x = Matrix<double>.Build.Dense(n, d + 1);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) x[i, j] = spread[j] > ConstantSpread ? (rows[i][j] - mean[j]) / spread[j] : 0;
            x[i, d] = 1;
        }
        var y = Vector<double>.Build.Dense(n, i => labels[i] ? 1 : 0);
        var penalty = Vector<double>.Build.Dense(d + 1, j => j < d ? lambda : 1e-9);   // a whisker on the bias keeps H positive definite
        var w = Vector<double>.Build.Dense(d + 1);
        double loss = Loss(x, y, w, penalty);
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            var p = (x * w).Map(Sigmoid);
            var gradient = x.TransposeThisAndMultiply(p - y) + penalty.PointwiseMultiply(w);
            var weighted = x.Clone();
            for (int i = 0; i < n; i++)
            {
                double s = Math.Max(p[i] * (1 - p[i]), 1e-12);
                for (int j = 0; j <= d; j++) weighted[i, j] *= s;
            }
            var hessian = x.TransposeThisAndMultiply(weighted) + Matrix<double>.Build.DiagonalOfDiagonalVector(penalty);
            var step = hessian.Cholesky().Solve(gradient);
            // Halve the step until the loss does not rise (separable rows make a full step overshoot).
            double scale = 1, next = double.PositiveInfinity;
            Vector<double> candidate = w;
            for (int halving = 0; halving < 30; halving++, scale /= 2)
            {
                candidate = w - scale * step;
                next = Loss(x, y, candidate, penalty);
                if (next <= loss) break;
            }
            if (!(next <= loss)) break;
            bool converged = loss - next < 1e-10 * Math.Max(1, loss) && (scale * step).AbsoluteMaximum() < 1e-8;
            w = candidate;
            loss = next;
            if (converged) break;
        }

        var weights = new float[d];
        double bias = w[d];
        for (int j = 0; j < d; j++)
        {
            if (spread[j] <= ConstantSpread) continue;
            weights[j] = (float)(w[j] / spread[j]);
            bias -= w[j] * mean[j] / spread[j];
        }
        return (weights, (float)bias);
    }

    /// <summary>Mean log-loss of raw-feature weights on rows (probabilities clipped to [1e-7, 1 − 1e-7]).</summary>
    public static double MeanLogLoss(IReadOnlyList<float[]> rows, IReadOnlyList<bool> labels, float[] weights, float bias)
    {
        double sum = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            double p = Math.Clamp(Probability(rows[i], weights, bias), 1e-7, 1 - 1e-7);
            sum -= labels[i] ? Math.Log(p) : Math.Log(1 - p);
        }
        return sum / rows.Count;
    }

    public static double Probability(ReadOnlySpan<float> row, float[] weights, float bias)
    {
        double z = bias;
        for (int j = 0; j < weights.Length; j++) z += weights[j] * row[j];
        return Sigmoid(z);
    }

    private static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    private static double Loss(Matrix<double> x, Vector<double> y, Vector<double> w, Vector<double> penalty)
    {
        var z = x * w;
        double sum = 0;
        for (int i = 0; i < z.Count; i++)
        {
            // log(1 + e^z) − y z, computed without overflow
            double softplus = z[i] > 0 ? z[i] + Math.Log(1 + Math.Exp(-z[i])) : Math.Log(1 + Math.Exp(z[i]));
            sum += softplus - y[i] * z[i];
        }
        return sum + 0.5 * w.PointwiseMultiply(w).PointwiseMultiply(penalty).Sum();
    }
}
