using ILGPU;

namespace XcNotebooks.Compute.Kernels;

/// <summary>Embedding-bag launch parameters.</summary>
internal struct BagArgs
{
    public int MaxLength, Cols, Mean;
}

/// <summary>
/// Sparse products and embedding bags. Index2D launches put the output column in X (adjacent threads read
/// adjacent values: coalesced) and the row in Y.
/// </summary>
internal static class SparseKernels
{
    /// <summary>output[i, j] = Σ_p x[i, p] W[p, j] over row i's stored entries.</summary>
    public static void Multiply(Index2D at, ArrayView<int> rowPointers, ArrayView<int> columns, ArrayView<float> values,
        ArrayView<float> weights, ArrayView<float> output, int cols)
    {
        int i = at.Y, j = at.X;
        float sum = 0f;
        for (int p = rowPointers[i]; p < rowPointers[i + 1]; p++) sum += values[p] * weights[columns[p] * cols + j];
        output[i * cols + j] = sum;
    }

    /// <summary>
    /// Adds (Xᵀ G)[c, j] for the t-th touched column c, summing its rows in increasing order; each output row has
    /// a single writer, so no atomics are needed.
    /// </summary>
    public static void TransposeMultiply(Index2D at, ArrayView<int> pointers, ArrayView<int> rows, ArrayView<float> values,
        ArrayView<int> touched, ArrayView<float> gradient, ArrayView<float> output, int cols, int compact)
    {
        int t = at.Y, j = at.X;
        float sum = 0f;
        for (int e = pointers[t]; e < pointers[t + 1]; e++) sum += values[e] * gradient[rows[e] * cols + j];
        int target = compact != 0 ? t : touched[t];
        output[target * cols + j] += sum;
    }

    public static void ToDense(Index1D i, ArrayView<int> rowPointers, ArrayView<int> columns, ArrayView<float> values,
        ArrayView<float> output, int cols)
    {
        for (int p = rowPointers[i]; p < rowPointers[i + 1]; p++) output[i * cols + columns[p]] = values[p];
    }

    public static void EmbeddingBag(Index2D at, ArrayView<int> tokens, ArrayView<int> lengths, ArrayView<float> table,
        ArrayView<float> output, BagArgs a)
    {
        int i = at.Y, j = at.X, length = lengths[i];
        float sum = 0f;
        for (int p = 0; p < length; p++) sum += table[tokens[i * a.MaxLength + p] * a.Cols + j];
        output[i * a.Cols + j] = a.Mean != 0 && length > 0 ? sum / length : sum;
    }

    /// <summary>Scatter-add of the output gradient into the table rows of the row's tokens (atomic: tokens repeat).</summary>
    public static void EmbeddingBagBackward(Index2D at, ArrayView<int> tokens, ArrayView<int> lengths, ArrayView<float> gradOutput,
        ArrayView<float> gradTable, BagArgs a)
    {
        int i = at.Y, j = at.X, length = lengths[i];
        if (length == 0) return;
        float g = gradOutput[i * a.Cols + j];
        if (a.Mean != 0) g /= length;
        for (int p = 0; p < length; p++) Atomic.Add(ref gradTable[tokens[i * a.MaxLength + p] * a.Cols + j], g);
    }
}
