using XcNotebooks.Compute;
using XcNotebooks.Tests.Compute;
using Xunit;

namespace XcNotebooks.Tests.Neural;

/// <summary>
/// Central finite differences of a scalar function of float inputs, compared with an analytic gradient. The scalar
/// is evaluated in double from float outputs; with eps = 1e-2 and outputs of order 1, rounding contributes ~1e-5
/// and truncation ~1e-4, so a 2e-3 relative tolerance separates right from wrong gradients (wrong ones miss by O(1)).
/// </summary>
internal static class GradientCheck
{
    public static void Check(string what, float[] x, Func<float[], double> function, float[] analytic,
        double eps = 1e-2, double tolerance = 2e-3)
    {
        Assert.Equal(x.Length, analytic.Length);
        double scale = Math.Max(1e-3, analytic.Max(v => Math.Abs((double)v)));
        for (int i = 0; i < x.Length; i++)
        {
            var plus = (float[])x.Clone();
            var minus = (float[])x.Clone();
            plus[i] += (float)eps;
            minus[i] -= (float)eps;
            double numeric = (function(plus) - function(minus)) / ((double)plus[i] - minus[i]);
            double error = Math.Abs(numeric - analytic[i]);
            if (!(error <= tolerance * Math.Max(scale, Math.Abs(numeric))))
                Assert.Fail($"{what}: d/dx[{i}] analytic {analytic[i]}, finite difference {numeric}");
        }
    }

    /// <summary>Σ output ⊙ weights in double: a scalar whose gradient with respect to the output is the weights.</summary>
    public static double Project(Tensor output, float[] weights)
    {
        var values = output.ToArray();
        double sum = 0;
        for (int i = 0; i < values.Length; i++) sum += (double)values[i] * weights[i];
        return sum;
    }

    public static float[] Weights(int seed, int count) => Numbers.Uniform(seed, count);
}
