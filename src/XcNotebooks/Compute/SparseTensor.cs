using XcNotebooks.Data;

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
        var columns = source.ColumnIndices.AsSpan(0, nnz);

        // Touched columns, sorted and distinct; then a counting sort of the entries by touched column gives the
        // transposed index (rows within a column stay increasing, which fixes the summation order of X^T G).
        _touched = columns.ToArray();
        Array.Sort(_touched);
        int distinct = 0;
        for (int j = 0; j < _touched.Length; j++)
            if (distinct == 0 || _touched[j] != _touched[distinct - 1]) _touched[distinct++] = _touched[j];
        Array.Resize(ref _touched, distinct);

        var transposePointers = new int[distinct + 1];
        var slotOf = new int[nnz];
        for (int p = 0; p < nnz; p++)
        {
            slotOf[p] = Array.BinarySearch(_touched, columns[p]);
            transposePointers[slotOf[p] + 1]++;
        }
        for (int t = 0; t < distinct; t++) transposePointers[t + 1] += transposePointers[t];
        var next = transposePointers[..distinct];
        var transposeRows = new int[nnz];
        var transposeValues = new float[nnz];
        for (int i = 0; i < source.Rows; i++)
        {
            for (int p = rowPointers[i]; p < rowPointers[i + 1]; p++)
            {
                int dst = next[slotOf[p]]++;
                transposeRows[dst] = i;
                transposeValues[dst] = source.Values[p];
            }
        }

        RowPointers = backend.UploadInt(rowPointers, 1, rowPointers.Length);
        ColumnIndices = backend.UploadInt(source.ColumnIndices[..nnz], 1, nnz);
        Values = backend.Upload(source.Values[..nnz], 1, nnz);
        TouchedIndex = backend.UploadInt(_touched, 1, distinct);
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
