using ILGPU;

namespace XcNotebooks.Compute.Kernels;

/// <summary>Shape and scalars of one GEMM launch.</summary>
internal struct GemmArgs
{
    public int M, N, K, ACols, BCols, TransposeA, TransposeB, Tile;
    public float Alpha, Beta;
}

/// <summary>
/// Tiled GEMM: each group of Tile x Tile threads computes a Tile x Tile block of C, staging Tile-wide slabs of op(A)
/// and op(B) in shared memory. Transposes are folded into the loads. Tile is 16 on GPUs and 4 on ILGPU's CPU
/// accelerator (16 threads per group).
/// </summary>
internal static class GemmKernels
{
    public const int MaxTile = 16;

    public static void Tiled(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmArgs s)
    {
        var tileA = SharedMemory.Allocate<float>(MaxTile * MaxTile);
        var tileB = SharedMemory.Allocate<float>(MaxTile * MaxTile);
        int t = s.Tile;
        int tx = Group.IdxX, ty = Group.IdxY;
        int row = Grid.IdxY * t + ty, col = Grid.IdxX * t + tx;
        float sum = 0f;
        for (int k0 = 0; k0 < s.K; k0 += t)
        {
            int ka = k0 + tx, kb = k0 + ty;
            tileA[ty * t + tx] = row < s.M && ka < s.K
                ? (s.TransposeA != 0 ? a[ka * s.ACols + row] : a[row * s.ACols + ka])
                : 0f;
            tileB[ty * t + tx] = kb < s.K && col < s.N
                ? (s.TransposeB != 0 ? b[col * s.BCols + kb] : b[kb * s.BCols + col])
                : 0f;
            Group.Barrier();
            for (int p = 0; p < t; p++) sum += tileA[ty * t + p] * tileB[p * t + tx];
            Group.Barrier();
        }
        if (row < s.M && col < s.N)
        {
            int at = row * s.N + col;
            c[at] = s.Beta == 0f ? s.Alpha * sum : s.Alpha * sum + s.Beta * c[at];
        }
    }
}
