using System.Buffers;
using XcNotebooks.Core;

namespace XcNotebooks.Compute;

/// <summary>
/// A CSR matrix (typically a mini-batch of feature rows) copied to a backend, with the transposed index over the
/// columns it touches, so that both X W (forward of a sparse input layer) and X^T G (its weight gradient, written
/// only to the touched rows of W) run without atomics and in a fixed summation order. Create it with
/// <see cref="IComputeBackend.Upload(CsrMatrix)"/>; dispose it after the step.
/// </summary>
public sealed class SparseTensor : IDisposable
{
    private readonly int[] _touched;

    internal SparseTensor(IComputeBackend backend, CsrMatrix source)
    {
        if (source.NonZeros > int.MaxValue)
            throw new ArgumentException($"{source} has more than {int.MaxValue} non-zeros; upload it in smaller row batches");
        Backend = backend;
        Source = source;
        int nnz = (int)source.NonZeros;
        var rowPointers = new int[source.Rows + 1];
        for (int i = 0; i <= source.Rows; i++) rowPointers[i] = (int)source.RowPointers[i];
        ReadOnlySpan<int> columns = source.ColumnIndices.AsSpan(0, nnz);

        // Touched columns and the transposed index by counting sort, with a pooled column -> slot map: O(nnz) plus
        // sorting the distinct columns. Rows within a column stay increasing, which fixes the order of X^T G sums.
        int[] transposePointers, transposeRows;
        float[] transposeValues;
        var slotOfColumn = ArrayPool<int>.Shared.Rent(Math.Max(1, source.Cols));
        try
        {
            slotOfColumn.AsSpan(0, source.Cols).Fill(-1);
            var touched = new List<int>();
            foreach (var c in columns)
            {
                if (slotOfColumn[c] >= 0) continue;
                slotOfColumn[c] = 0;
                touched.Add(c);
            }
            touched.Sort();
            _touched = [.. touched];
            transposePointers = new int[_touched.Length + 1];
            for (int t = 0; t < _touched.Length; t++) slotOfColumn[_touched[t]] = t;
            foreach (var c in columns) transposePointers[slotOfColumn[c] + 1]++;
            for (int t = 0; t < _touched.Length; t++) transposePointers[t + 1] += transposePointers[t];
            var next = transposePointers[.._touched.Length];
            transposeRows = new int[nnz];
            transposeValues = new float[nnz];
            for (int i = 0; i < source.Rows; i++)
            {
                for (int p = rowPointers[i]; p < rowPointers[i + 1]; p++)
                {
                    int dst = next[slotOfColumn[columns[p]]]++;
                    transposeRows[dst] = i;
                    transposeValues[dst] = source.Values[p];
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(slotOfColumn);
        }

        RowPointers = backend.UploadInt(rowPointers, 1, rowPointers.Length);
        ColumnIndices = backend.AllocateInt(1, nnz);
        ColumnIndices.CopyFrom(columns);
        Values = backend.Allocate(1, nnz);
        Values.CopyFrom(source.Values.AsSpan(0, nnz));
        TouchedIndex = backend.UploadInt(_touched, 1, _touched.Length);
        TransposePointers = backend.UploadInt(transposePointers, 1, transposePointers.Length);
        TransposeRows = backend.UploadInt(transposeRows, 1, nnz);
        TransposeValues = backend.Upload(transposeValues, 1, nnz);
    }

    /// <summary>The backend holding the copy.</summary>
    public IComputeBackend Backend { get; }

    /// <summary>The host matrix this was made from.</summary>
    public CsrMatrix Source { get; }

    /// <summary>Number of rows (points in the batch).</summary>
    public int Rows => Source.Rows;

    /// <summary>Number of columns (feature dimension).</summary>
    public int Cols => Source.Cols;

    /// <summary>Stored values.</summary>
    public int NonZeros => Values.Cols;

    /// <summary>The distinct columns used by some row, increasing: the rows of W that X^T G can change.</summary>
    public IReadOnlyList<int> TouchedColumns => _touched;

    internal IntTensor RowPointers { get; }
    internal IntTensor ColumnIndices { get; }
    internal Tensor Values { get; }
    internal IntTensor TouchedIndex { get; }
    internal IntTensor TransposePointers { get; }
    internal IntTensor TransposeRows { get; }
    internal Tensor TransposeValues { get; }

    /// <summary>Frees the device copies.</summary>
    public void Dispose()
    {
        RowPointers.Dispose();
        ColumnIndices.Dispose();
        Values.Dispose();
        TouchedIndex.Dispose();
        TransposePointers.Dispose();
        TransposeRows.Dispose();
        TransposeValues.Dispose();
    }

    /// <summary>Shape and density.</summary>
    public override string ToString() => $"SparseTensor {Rows} x {Cols}, {NonZeros:N0} non-zeros, {_touched.Length:N0} touched columns on {Backend.Name}";
}
