using MathNet.Numerics.LinearAlgebra;
using XcNotebooks.Compute;
using Xunit;

namespace XcNotebooks.Tests.Compute;

/// <summary>The blocked CPU GEMM on shapes that cross every block boundary, against MathNet in double precision.</summary>
public sealed class CpuGemmTests
{
    [Theory]
    [InlineData(101, 263, 300, false, false)] // k > one packed depth (256), n > one tile (256), ragged edges
    [InlineData(200, 45, 513, true, false)]
    [InlineData(37, 300, 260, false, true)]
    [InlineData(130, 131, 257, true, true)]
    public void MatchesMathNetOnLargeRaggedShapes(int m, int n, int k, bool ta, bool tb)
    {
        var a = Numbers.Uniform(40, m * k);
        var b = Numbers.Uniform(41, k * n);
        var c0 = Numbers.Uniform(42, m * n);
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        var ma = Matrix<double>.Build.Dense(aRows, aCols, (i, j) => a[i * aCols + j]);
        var mb = Matrix<double>.Build.Dense(bRows, bCols, (i, j) => b[i * bCols + j]);
        var mc = Matrix<double>.Build.Dense(m, n, (i, j) => c0[i * n + j]);
        var expected = ((ta ? ma.Transpose() : ma) * (tb ? mb.Transpose() : mb) * 1.5 - mc * 0.5).ToRowMajorArray();

        using var backend = new CpuBackend();
        using var ta_ = backend.Upload(a, aRows, aCols);
        using var tb_ = backend.Upload(b, bRows, bCols);
        using var c = backend.Upload(c0, m, n);
        backend.Gemm(ta_, ta, tb_, tb, c, alpha: 1.5f, beta: -0.5f);
        Numbers.Close(expected, c.ToArray(), 1e-5, $"gemm {m}x{n}x{k}");
    }

    [Fact]
    public void SameInputsGiveTheSameBitsRunToRun()
    {
        using var backend = new CpuBackend();
        var a = Numbers.Uniform(43, 300 * 280);
        var b = Numbers.Uniform(44, 280 * 310);
        float[] Run()
        {
            using var ta = backend.Upload(a, 300, 280);
            using var tb = backend.Upload(b, 280, 310);
            using var c = backend.Allocate(300, 310);
            backend.Gemm(ta, false, tb, false, c);
            return c.ToArray();
        }
        var first = Run();
        for (int r = 0; r < 3; r++) Assert.Equal(first, Run());
    }

    [Fact]
    public void EmptyDepthScalesTheOutputByBeta()
    {
        using var backend = new CpuBackend();
        using var a = backend.Allocate(3, 0);
        using var b = backend.Allocate(0, 2);
        using var c = backend.Upload([1, 2, 3, 4, 5, 6], 3, 2);
        backend.Gemm(a, false, b, false, c, beta: 2f);
        Assert.Equal([2f, 4, 6, 8, 10, 12], c.ToArray());
    }
}
