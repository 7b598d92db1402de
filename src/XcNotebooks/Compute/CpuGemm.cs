using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace XcNotebooks.Compute;

/// <summary>
/// Single-precision GEMM for the CPU backend, organised like BLIS: op(B) is packed into k x NR micro-panels and
/// op(A) into MR x k micro-panels (transposes cost nothing beyond the packing), and a register-blocked MR x NR
/// micro-kernel of SIMD fused multiply-adds runs over cache-sized blocks, in parallel over output tiles. Every
/// output value is summed over k in the same order whatever the thread count, so results are reproducible.
/// </summary>
internal static unsafe class CpuGemm
{
    private const int MR = 6;          // rows of the micro-tile (6 x 2 vector accumulators fit in 16 registers)
    private const int KC = 256;        // depth of a packed block: an A micro-panel (6 KB) and a B micro-panel stay in L1/L2
    private const int MBlock = 1536;   // rows of A packed at once (1.5 MB), bounding the scratch size
    private const int NBlock = 4096;   // columns of B packed at once (4 MB)
    private const int TileRows = 96;   // a parallel task's rows (16 micro-panels of A, ~96 KB: L2)
    private const int TileCols = 256;  // a parallel task's columns
    private static readonly int VW = Vector<float>.Count;
    private static readonly int NR = 2 * VW; // columns of the micro-tile

    /// <summary>
    /// c (m x n) ← alpha · op(a) op(b) + beta · c, where a is stored with <paramref name="aCols"/> columns and b with
    /// <paramref name="bCols"/>.
    /// </summary>
    public static void Multiply(float[] a, int aCols, bool transposeA, float[] b, int bCols, bool transposeB,
        float[] c, int m, int n, int k, float alpha, float beta)
    {
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f)
        {
            ScaleOutput(c, m * n, beta);
            return;
        }
        int nr = NR;
        var packB = ArrayPool<float>.Shared.Rent(KC * RoundUp(Math.Min(n, NBlock), nr));
        var packA = ArrayPool<float>.Shared.Rent(RoundUp(Math.Min(m, MBlock), MR) * KC);
        try
        {
            for (int j0 = 0; j0 < n; j0 += NBlock)
            {
                int nb = Math.Min(NBlock, n - j0);
                for (int pc = 0; pc < k; pc += KC)
                {
                    int kc = Math.Min(KC, k - pc);
                    bool first = pc == 0;
                    For(RoundUp(nb, nr) / nr, (long)kc * nb, jp => PackB(b, bCols, transposeB, pc, kc, j0 + jp * nr, j0 + nb, packB, jp * kc * nr));
                    for (int i0 = 0; i0 < m; i0 += MBlock)
                    {
                        int mb = Math.Min(MBlock, m - i0);
                        For(RoundUp(mb, MR) / MR, (long)kc * mb, ip => PackA(a, aCols, transposeA, pc, kc, i0 + ip * MR, i0 + mb, packA, ip * kc * MR));
                        int rowTiles = (mb + TileRows - 1) / TileRows, colTiles = (nb + TileCols - 1) / TileCols;
                        For(rowTiles * colTiles, (long)kc * TileRows * TileCols / 4, tile =>
                        {
                            int r0 = tile / colTiles * TileRows, c0 = tile % colTiles * TileCols;
                            var block = new Block(i0, j0, n, kc, alpha, beta, first);
                            ComputeTile(packA, packB, c, block, r0, Math.Min(r0 + TileRows, mb), c0, Math.Min(c0 + TileCols, nb));
                        });
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packA);
            ArrayPool<float>.Shared.Return(packB);
        }
    }

    /// <summary>Where a packed block sits in c and how to merge into it.</summary>
    private readonly record struct Block(int RowOffset, int ColOffset, int Ldc, int Depth, float Alpha, float Beta, bool First);

    private static void ComputeTile(float[] packA, float[] packB, float[] c, Block block, int r0, int r1, int c0, int c1)
    {
        int nr = NR, kc = block.Depth, n = block.Ldc;
        float alpha = block.Alpha, beta = block.Beta;
        bool first = block.First;
        float* edge = stackalloc float[MR * 64];
        fixed (float* pa = packA, pb = packB, pcBase = c)
        {
            for (int j = c0; j < c1; j += nr)
            {
                int cols = Math.Min(nr, c1 - j);
                float* bPanel = pb + (long)(j / nr) * kc * nr;
                for (int r = r0; r < r1; r += MR)
                {
                    int rows = Math.Min(MR, r1 - r);
                    float* aPanel = pa + (long)(r / MR) * kc * MR;
                    float* cTile = pcBase + (long)(block.RowOffset + r) * n + block.ColOffset + j;
                    if (rows == MR && cols == nr)
                    {
                        MicroKernel(aPanel, bPanel, kc, cTile, n, alpha, beta, first);
                    }
                    else
                    {
                        // Ragged edge: compute the full zero-padded tile into scratch, then merge the valid part.
                        MicroKernel(aPanel, bPanel, kc, edge, nr, 1f, 0f, true);
                        for (int ri = 0; ri < rows; ri++)
                        {
                            for (int ci = 0; ci < cols; ci++)
                            {
                                float v = alpha * edge[ri * nr + ci];
                                float* dst = cTile + (long)ri * n + ci;
                                *dst = first ? (beta == 0f ? v : v + beta * *dst) : *dst + v;
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The MR x NR register tile: Σ_p a[p, r] b[p, :] over a packed depth of kc, then merged into c.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernel(float* a, float* b, int kc, float* c, int ldc, float alpha, float beta, bool first)
    {
        int vw = VW;
        Vector<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = *(Vector<float>*)b;
            var b1 = *(Vector<float>*)(b + vw);
            var a0 = new Vector<float>(a[0]);
            c00 = Vector.MultiplyAddEstimate(a0, b0, c00);
            c01 = Vector.MultiplyAddEstimate(a0, b1, c01);
            var a1 = new Vector<float>(a[1]);
            c10 = Vector.MultiplyAddEstimate(a1, b0, c10);
            c11 = Vector.MultiplyAddEstimate(a1, b1, c11);
            var a2 = new Vector<float>(a[2]);
            c20 = Vector.MultiplyAddEstimate(a2, b0, c20);
            c21 = Vector.MultiplyAddEstimate(a2, b1, c21);
            var a3 = new Vector<float>(a[3]);
            c30 = Vector.MultiplyAddEstimate(a3, b0, c30);
            c31 = Vector.MultiplyAddEstimate(a3, b1, c31);
            var a4 = new Vector<float>(a[4]);
            c40 = Vector.MultiplyAddEstimate(a4, b0, c40);
            c41 = Vector.MultiplyAddEstimate(a4, b1, c41);
            var a5 = new Vector<float>(a[5]);
            c50 = Vector.MultiplyAddEstimate(a5, b0, c50);
            c51 = Vector.MultiplyAddEstimate(a5, b1, c51);
            a += MR;
            b += 2 * vw;
        }
        Store(c, vw, c00, c01, alpha, beta, first);
        Store(c + ldc, vw, c10, c11, alpha, beta, first);
        Store(c + 2 * ldc, vw, c20, c21, alpha, beta, first);
        Store(c + 3 * ldc, vw, c30, c31, alpha, beta, first);
        Store(c + 4 * ldc, vw, c40, c41, alpha, beta, first);
        Store(c + 5 * ldc, vw, c50, c51, alpha, beta, first);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, int vw, Vector<float> v0, Vector<float> v1, float alpha, float beta, bool first)
    {
        var va = new Vector<float>(alpha);
        var lo = (Vector<float>*)c;
        var hi = (Vector<float>*)(c + vw);
        if (!first)
        {
            *lo = Vector.MultiplyAddEstimate(va, v0, *lo);
            *hi = Vector.MultiplyAddEstimate(va, v1, *hi);
        }
        else if (beta == 0f)
        {
            *lo = va * v0;
            *hi = va * v1;
        }
        else
        {
            var vb = new Vector<float>(beta);
            *lo = Vector.MultiplyAddEstimate(va, v0, vb * *lo);
            *hi = Vector.MultiplyAddEstimate(va, v1, vb * *hi);
        }
    }

    /// <summary>Packs columns j0 .. j0+NR of op(B), rows pc .. pc+kc, as kc rows of NR values (zero from column n on).</summary>
    private static void PackB(float[] b, int bCols, bool transposeB, int pc, int kc, int j0, int n, float[] dst, int offset)
    {
        int nr = NR;
        int cols = Math.Min(nr, n - j0);
        var target = dst.AsSpan(offset, kc * nr);
        if (!transposeB)
        {
            for (int p = 0; p < kc; p++)
            {
                var row = target.Slice(p * nr, nr);
                b.AsSpan((pc + p) * bCols + j0, cols).CopyTo(row);
                row[cols..].Clear();
            }
        }
        else
        {
            if (cols < nr) target.Clear();
            for (int jj = 0; jj < cols; jj++)
            {
                var source = b.AsSpan((j0 + jj) * bCols + pc, kc);
                for (int p = 0; p < kc; p++) target[p * nr + jj] = source[p];
            }
        }
    }

    /// <summary>Packs rows i0 .. i0+MR of op(A), columns pc .. pc+kc, as kc columns of MR values (zero from row m on).</summary>
    private static void PackA(float[] a, int aCols, bool transposeA, int pc, int kc, int i0, int m, float[] dst, int offset)
    {
        int rows = Math.Min(MR, m - i0);
        var target = dst.AsSpan(offset, kc * MR);
        if (rows < MR) target.Clear();
        if (!transposeA)
        {
            for (int r = 0; r < rows; r++)
            {
                var source = a.AsSpan((i0 + r) * aCols + pc, kc);
                for (int p = 0; p < kc; p++) target[p * MR + r] = source[p];
            }
        }
        else
        {
            for (int p = 0; p < kc; p++)
                a.AsSpan((pc + p) * aCols + i0, rows).CopyTo(target.Slice(p * MR, rows));
        }
    }

    private static void ScaleOutput(float[] c, int length, float beta)
    {
        var span = c.AsSpan(0, length);
        if (beta == 0f) span.Clear();
        else if (beta != 1f) System.Numerics.Tensors.TensorPrimitives.Multiply(span, beta, span);
    }

    /// <summary>Runs <paramref name="body"/> for 0..count-1, in parallel only when the total work is worth it.</summary>
    private static void For(int count, long work, Action<int> body)
    {
        if (count == 1 || work < 1 << 16)
        {
            for (int i = 0; i < count; i++) body(i);
        }
        else
        {
            Parallel.For(0, count, body);
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
