using XcNotebooks.Core;

namespace XcNotebooks.Tests.Data;

/// <summary>Seeded random matrices and data sets for round-trip tests.</summary>
internal static class RandomData
{
    /// <summary>A random CSR matrix with roughly <paramref name="density"/> of its cells stored (some rows empty).</summary>
    public static CsrMatrix Matrix(int rows, int cols, double density, int seed, bool binary = false)
    {
        var rng = new Random(seed);
        var dense = new float[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                if (rng.NextDouble() < density)
                    dense[i, j] = binary ? 1f : (float)(rng.NextDouble() * 4 - 2) + 0.001f;
        return CsrMatrix.FromDense(dense);
    }

    /// <summary>A random multi-label data set with label names.</summary>
    public static Dataset Dataset(int points, int features, int labels, int seed) =>
        new Dataset(Matrix(points, features, 0.2, seed), new LabelMatrix(Matrix(points, labels, 0.15, seed + 1, binary: true)))
        {
            Name = "random",
            LabelNames = Enumerable.Range(0, labels).Select(l => $"label_{l}").ToArray(),
        };

    /// <summary>Asserts two matrices have the same shape and stored entries.</summary>
    public static void AssertSame(CsrMatrix expected, CsrMatrix actual)
    {
        Xunit.Assert.Equal(expected.Rows, actual.Rows);
        Xunit.Assert.Equal(expected.Cols, actual.Cols);
        Xunit.Assert.Equal(expected.RowPointers, actual.RowPointers);
        Xunit.Assert.Equal(expected.ColumnIndices, actual.ColumnIndices);
        Xunit.Assert.Equal(expected.Values, actual.Values);
    }
}
