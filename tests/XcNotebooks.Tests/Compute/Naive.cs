namespace XcNotebooks.Tests.Compute;

/// <summary>Straightforward double-precision reference versions of the backend operations.</summary>
internal static class Naive
{
    public static double[] Gemm(float[] a, int aRows, int aCols, bool ta, float[] b, int bRows, int bCols, bool tb,
        float[] c, float alpha, float beta)
    {
        int m = ta ? aCols : aRows, k = ta ? aRows : aCols, n = tb ? bRows : bCols;
        var result = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                    sum += (double)(ta ? a[p * aCols + i] : a[i * aCols + p]) * (tb ? b[j * bCols + p] : b[p * bCols + j]);
                result[i * n + j] = alpha * sum + (beta == 0 ? 0 : beta * (double)c[i * n + j]);
            }
        }
        return result;
    }

    public static double Erf(double x)
    {
        // Maclaurin series; exact to ~1e-12 for |x| <= 3.
        double sum = 0, term = x;
        for (int n = 0; n < 80; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    public static double Activate(string kind, double x, double slope = 0.01) => kind switch
    {
        "relu" => Math.Max(x, 0),
        "leaky" => x > 0 ? x : slope * x,
        "gelu" => 0.5 * x * (1 + Erf(x / Math.Sqrt(2))),
        "tanh" => Math.Tanh(x),
        "sigmoid" => 1 / (1 + Math.Exp(-x)),
        _ => x,
    };

    /// <summary>Central finite difference of the activation: an independent derivative.</summary>
    public static double Derivative(string kind, double x, double slope = 0.01)
    {
        const double h = 1e-6;
        return (Activate(kind, x + h, slope) - Activate(kind, x - h, slope)) / (2 * h);
    }

    public static double[] Softmax(float[] x, int rows, int cols, bool log)
    {
        var y = new double[x.Length];
        for (int i = 0; i < rows; i++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < cols; j++) max = Math.Max(max, x[i * cols + j]);
            double sum = 0;
            for (int j = 0; j < cols; j++) sum += Math.Exp(x[i * cols + j] - max);
            for (int j = 0; j < cols; j++)
                y[i * cols + j] = log ? x[i * cols + j] - max - Math.Log(sum) : Math.Exp(x[i * cols + j] - max) / sum;
        }
        return y;
    }

    public static double[] SparseTimesDense(float[,] x, float[] w, int n)
    {
        int rows = x.GetLength(0), d = x.GetLength(1);
        var y = new double[rows * n];
        for (int i = 0; i < rows; i++)
            for (int p = 0; p < d; p++)
                for (int j = 0; j < n; j++) y[i * n + j] += (double)x[i, p] * w[p * n + j];
        return y;
    }

    public static double[] TransposeTimes(float[,] x, float[] g, int n)
    {
        int rows = x.GetLength(0), d = x.GetLength(1);
        var y = new double[d * n];
        for (int i = 0; i < rows; i++)
            for (int p = 0; p < d; p++)
                for (int j = 0; j < n; j++) y[p * n + j] += (double)x[i, p] * g[i * n + j];
        return y;
    }

    /// <summary>Top-k by sorting (score descending, column ascending), NaN excluded, padded with -1.</summary>
    public static (int[] Indices, float[] Values) TopK(float[] scores, int rows, int cols, int k)
    {
        var indices = new int[rows * k];
        var values = new float[rows * k];
        for (int i = 0; i < rows; i++)
        {
            var order = Enumerable.Range(0, cols).Where(j => !float.IsNaN(scores[i * cols + j]))
                .OrderByDescending(j => scores[i * cols + j]).ThenBy(j => j).ToArray();
            for (int q = 0; q < k; q++)
            {
                indices[i * k + q] = q < order.Length ? order[q] : -1;
                values[i * k + q] = q < order.Length ? scores[i * cols + order[q]] : float.NegativeInfinity;
            }
        }
        return (indices, values);
    }
}
