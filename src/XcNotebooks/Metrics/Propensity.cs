using XcNotebooks.Core;

namespace XcNotebooks.Metrics;

/// <summary>
/// Inverse label propensities of Jain et al. (2016) as pyxclib computes them:
/// w_l = 1 + C (n_l + B)^-A with C = (ln N - 1)(B + 1)^A, N training points, n_l points with label l.
/// </summary>
public static class Propensity
{
    /// <summary>The constants for most data sets (EURLex, Bibtex, ...): A = 0.55, B = 1.5.</summary>
    public static readonly (double A, double B) Default = (0.55, 1.5);

    /// <summary>Amazon data sets: A = 0.6, B = 2.6.</summary>
    public static readonly (double A, double B) Amazon = (0.6, 2.6);

    /// <summary>Wikipedia data sets: A = 0.5, B = 0.4.</summary>
    public static readonly (double A, double B) Wikipedia = (0.5, 0.4);

    /// <summary>Inverse propensity 1/p_l of every label from the training labels.</summary>
    public static double[] Inverse(LabelMatrix trainLabels, double a = 0.55, double b = 1.5)
    {
        int n = trainLabels.Rows;
        var counts = new double[trainLabels.NumLabels];
        var m = trainLabels.Matrix;
        for (long p = 0; p < m.NonZeros; p++) counts[m.ColumnIndices[p]] += m.Values[p];
        double c = (Math.Log(n) - 1) * Math.Pow(b + 1, a);
        return counts.Select(nl => 1 + c * Math.Pow(nl + b, -a)).ToArray();
    }
}
