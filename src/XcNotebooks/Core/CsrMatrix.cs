using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace XcNotebooks.Core;

/// <summary>
/// Compressed sparse row matrix of float32 values: the feature matrix of every method.
/// Column indices within a row are strictly increasing. Arrays are exposed for kernels and fast loops;
/// treat them as read-only (operations return new matrices).
/// </summary>
public sealed class CsrMatrix
{
    /// <summary>Wraps CSR arrays. Validates shape, ordering and finiteness unless <paramref name="validate"/> is false.</summary>
    public CsrMatrix(int rows, int cols, long[] rowPointers, int[] columnIndices, float[] values, bool validate = true)
    {
        ArgumentNullException.ThrowIfNull(rowPointers);
        ArgumentNullException.ThrowIfNull(columnIndices);
        ArgumentNullException.ThrowIfNull(values);
        if (rows < 0 || cols < 0) throw new ArgumentException($"negative shape {rows} x {cols}");
        if (cols > MaxColumns) throw new ArgumentException($"{cols} columns: a sparse matrix holds at most {MaxColumns}");
        if (rowPointers.Length != rows + 1)
            throw new ArgumentException($"row pointer array has {rowPointers.Length} entries, expected rows + 1 = {rows + 1}");
        if (columnIndices.Length != values.Length)
            throw new ArgumentException($"{columnIndices.Length} column indices but {values.Length} values");
        if (rowPointers[0] != 0 || rowPointers[rows] != values.Length)
            throw new ArgumentException($"row pointers must run from 0 to the number of values ({values.Length})");
        Rows = rows;
        Cols = cols;
        RowPointers = rowPointers;
        ColumnIndices = columnIndices;
        Values = values;
        if (validate) Validate();
    }

    /// <summary>
    /// The most columns a matrix may have: one per-column array of Cols + 1 entries (the transpose's counts) must
    /// still fit in a .NET array.
    /// </summary>
    public static int MaxColumns => Array.MaxLength - 1;

    /// <summary>The largest column index (feature or label id) a matrix holds.</summary>
    public static int MaxColumnIndex => MaxColumns - 1;

    /// <summary>Number of rows (points).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (features or labels).</summary>
    public int Cols { get; }

    /// <summary>Row i occupies [RowPointers[i], RowPointers[i+1]) of the index and value arrays.</summary>
    public long[] RowPointers { get; }

    /// <summary>Column index of every stored value.</summary>
    public int[] ColumnIndices { get; }

    /// <summary>Stored values.</summary>
    public float[] Values { get; }

    /// <summary>Number of stored values.</summary>
    public long NonZeros => RowPointers[Rows];

    /// <summary>Stored values in row <paramref name="row"/>.</summary>
    public int RowLength(int row) => (int)(RowPointers[row + 1] - RowPointers[row]);

    /// <summary>Column indices of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<int> RowIndices(int row) =>
        ColumnIndices.AsSpan((int)RowPointers[row], RowLength(row));

    /// <summary>Values of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> RowValues(int row) => Values.AsSpan((int)RowPointers[row], RowLength(row));

    /// <summary>Row <paramref name="row"/> as (column, value) pairs; convenient from F# and LINQ.</summary>
    public IReadOnlyList<(int Column, float Value)> RowEntries(int row)
    {
        var result = new (int, float)[RowLength(row)];
        var idx = RowIndices(row);
        var val = RowValues(row);
        for (int j = 0; j < result.Length; j++) result[j] = (idx[j], val[j]);
        return result;
    }

    /// <summary>An empty matrix (no stored values) of the given shape.</summary>
    public static CsrMatrix Empty(int rows, int cols) => new(rows, cols, new long[rows + 1], [], [], validate: false);

    /// <summary>Builds a matrix from per-row (column, value) lists; columns are sorted and duplicates summed.</summary>
    public static CsrMatrix FromRows(int cols, IEnumerable<IEnumerable<(int Column, float Value)>> rows)
    {
        var builder = new CsrBuilder(cols);
        foreach (var row in rows)
        {
            foreach (var (c, v) in row) builder.Add(c, v);
            builder.EndRow();
        }
        return builder.Build();
    }

    /// <summary>Builds a matrix from a dense array, keeping non-zero entries.</summary>
    public static CsrMatrix FromDense(float[,] dense)
    {
        var builder = new CsrBuilder(dense.GetLength(1));
        for (int i = 0; i < dense.GetLength(0); i++)
        {
            for (int j = 0; j < dense.GetLength(1); j++)
                if (dense[i, j] != 0f) builder.Add(j, dense[i, j]);
            builder.EndRow();
        }
        return builder.Build();
    }

    /// <summary>A dense copy (for small matrices, tests and display).</summary>
    public float[,] ToDense()
    {
        var dense = new float[Rows, Cols];
        for (int i = 0; i < Rows; i++)
        {
            var idx = RowIndices(i);
            var val = RowValues(i);
            for (int j = 0; j < idx.Length; j++) dense[i, idx[j]] = val[j];
        }
        return dense;
    }

    /// <summary>The value at (row, col), zero when not stored (binary search in the row).</summary>
    public float this[int row, int col]
    {
        get
        {
            int at = RowIndices(row).BinarySearch(col);
            return at >= 0 ? RowValues(row)[at] : 0f;
        }
    }

    /// <summary>The transpose, as a new CSR matrix (counting sort by column: O(nnz)).</summary>
    public CsrMatrix Transpose()
    {
        var counts = new long[Cols + 1];
        foreach (var c in ColumnIndices) counts[c + 1]++;
        for (int c = 0; c < Cols; c++) counts[c + 1] += counts[c];
        var next = (long[])counts.Clone();
        var idx = new int[ColumnIndices.Length];
        var val = new float[Values.Length];
        for (int i = 0; i < Rows; i++)
        {
            for (long p = RowPointers[i]; p < RowPointers[i + 1]; p++)
            {
                long dst = next[ColumnIndices[p]]++;
                idx[dst] = i;
                val[dst] = Values[p];
            }
        }
        return new CsrMatrix(Cols, Rows, counts, idx, val, validate: false);
    }

    /// <summary>The rows listed, in the order given (rows may repeat).</summary>
    public CsrMatrix SelectRows(IReadOnlyList<int> rows)
    {
        var ptr = new long[rows.Count + 1];
        for (int r = 0; r < rows.Count; r++) ptr[r + 1] = ptr[r] + RowLength(rows[r]);
        var idx = new int[ptr[^1]];
        var val = new float[ptr[^1]];
        for (int r = 0; r < rows.Count; r++)
        {
            RowIndices(rows[r]).CopyTo(idx.AsSpan((int)ptr[r]));
            RowValues(rows[r]).CopyTo(val.AsSpan((int)ptr[r]));
        }
        return new CsrMatrix(rows.Count, Cols, ptr, idx, val, validate: false);
    }

    /// <summary>The same entries seen in a space of <paramref name="cols"/> columns (at least the largest used index + 1).</summary>
    public CsrMatrix WithColumns(int cols)
    {
        if (cols < Cols && ColumnIndices.Length > 0 && ColumnIndices.Max() >= cols)
            throw new ArgumentException($"cannot narrow to {cols} columns: column {ColumnIndices.Max()} is used");
        return new CsrMatrix(Rows, cols, RowPointers, ColumnIndices, Values, validate: false);
    }

    /// <summary>Each row scaled to unit L2 norm (zero rows stay zero).</summary>
    public CsrMatrix NormalizeRows()
    {
        var val = (float[])Values.Clone();
        Parallel.For(0, Rows, i =>
        {
            var span = val.AsSpan((int)RowPointers[i], RowLength(i));
            float norm = TensorPrimitives.Norm(span);
            if (norm > 0) TensorPrimitives.Divide(span, norm, span);
        });
        return new CsrMatrix(Rows, Cols, RowPointers, ColumnIndices, val, validate: false);
    }

    /// <summary>Dot product of row <paramref name="row"/> with a dense vector (length <see cref="Cols"/>).</summary>
    public float DotRow(int row, float[] dense)
    {
        ArgumentNullException.ThrowIfNull(dense);
        if (dense.Length != Cols) throw new ArgumentException($"a vector of {dense.Length} values for a matrix of {Cols} columns");
        return DotRow(row, (ReadOnlySpan<float>)dense);
    }

    /// <summary>The fast path of <see cref="DotRow(int, float[])"/> on a row of a dense matrix.</summary>
    internal float DotRow(int row, ReadOnlySpan<float> dense)
    {
        var idx = RowIndices(row);
        var val = RowValues(row);
        float sum = 0;
        for (int j = 0; j < idx.Length; j++) sum += val[j] * dense[idx[j]];
        return sum;
    }

    /// <summary>
    /// output = x_row^T W for a row-major W with <see cref="Cols"/> rows: the sum of W's rows picked by the
    /// row's non-zeros, each scaled by its value (SIMD over W's columns). Optimised at first call: the sparse
    /// products of short runs (notebooks, a few batches) would otherwise spend their time in tier-0 code.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void MultiplyRowInto(int row, RowMajorMatrix weights, Span<float> output)
    {
        if (weights.Rows != Cols) throw new ArgumentException($"weights have {weights.Rows} rows, the matrix has {Cols} columns");
        MultiplyRowInto(row, weights.Data, weights.Cols, output);
    }

    /// <summary>
    /// As <see cref="MultiplyRowInto(int, RowMajorMatrix, Span{float})"/> for a W given as <see cref="Cols"/> rows of
    /// <paramref name="width"/> values at the start of <paramref name="weights"/> (e.g. a label shard's block, whose
    /// bias row follows): no matrix needs to wrap it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void MultiplyRowInto(int row, ReadOnlySpan<float> weights, int width, Span<float> output)
    {
        if (weights.Length < (long)Cols * width)
            throw new ArgumentException($"{weights.Length:N0} weights do not hold {Cols:N0} rows of {width:N0}");
        output.Clear();
        var idx = RowIndices(row);
        var val = RowValues(row);
        for (int j = 0; j < idx.Length; j++) LaneMath.AddScaled(output, weights.Slice(idx[j] * width, width), val[j]);
    }

    /// <summary>The product X W (rows x weights.Cols), parallel over rows.</summary>
    public RowMajorMatrix Multiply(RowMajorMatrix weights)
    {
        if (weights.Rows != Cols) throw new ArgumentException($"weights have {weights.Rows} rows, the matrix has {Cols} columns");
        var result = new RowMajorMatrix(Rows, weights.Cols);
        Parallel.For(0, Rows, i => MultiplyRowInto(i, weights, result.Row(i)));
        return result;
    }

    /// <summary>Shape and density, e.g. "CsrMatrix 7793 x 55197, 1,277,000 non-zeros (163.9 per row)".</summary>
    public override string ToString() =>
        $"CsrMatrix {Rows} x {Cols}, {NonZeros:N0} non-zeros ({(Rows == 0 ? 0 : (double)NonZeros / Rows):F1} per row)";

    private void Validate()
    {
        for (int i = 0; i < Rows; i++)
        {
            if (RowPointers[i + 1] < RowPointers[i]) throw new ArgumentException($"row pointers decrease at row {i}");
            int prev = -1;
            for (long p = RowPointers[i]; p < RowPointers[i + 1]; p++)
            {
                int c = ColumnIndices[p];
                if (c < 0 || c >= Cols) throw new ArgumentException($"row {i}: column {c} outside 0..{Cols - 1}");
                if (c <= prev) throw new ArgumentException($"row {i}: column indices not strictly increasing ({prev}, {c})");
                if (!float.IsFinite(Values[p])) throw new ArgumentException($"row {i}, column {c}: value {Values[p]} is not finite");
                prev = c;
            }
        }
    }
}

/// <summary>Appends rows one at a time; sorts each row's columns and sums duplicates.</summary>
public sealed class CsrBuilder
{
    // Entries live in chunks: the current one grows by doubling up to ChunkEntries, then full chunks are kept as they
    // are and a new one is started. A doubling array left every smaller copy behind as large-object garbage and held
    // up to twice the entries at once (reading 2M points x 14.7 non-zeros peaked at 2.8x the matrix); chunks hold the
    // entries once, and Build copies them into the matrix's arrays.
    private const int ChunkEntries = 1 << 20;
    private readonly List<long> _rowPointers = [0];
    private readonly List<(int[] Idx, float[] Val, int Used)> _full = [];
    private int[] _idx = new int[1024];
    private float[] _val = new float[1024];
    private int _used;        // entries in the current chunk
    private int _rowInChunk;  // where the open row starts in the current chunk
    private long _count;
    private long _rowStart;

    /// <summary>A builder for rows over <paramref name="cols"/> columns (may grow with <see cref="GrowColumns"/>).</summary>
    public CsrBuilder(int cols) => Cols = cols;

    /// <summary>The number of columns of the matrix being built.</summary>
    public int Cols { get; private set; }

    /// <summary>Rows completed so far.</summary>
    public int Rows => _rowPointers.Count - 1;

    /// <summary>Entries added to the open (not yet ended) row.</summary>
    public long PendingEntries => _count - _rowStart;

    /// <summary>Entries of the last ended row, after duplicate columns were merged (0 before the first row).</summary>
    public long LastRowLength => Rows == 0 ? 0 : _rowPointers[^1] - _rowPointers[^2];

    /// <summary>Widens the column space (readers that learn the dimension from the data).</summary>
    public void GrowColumns(int cols) => Cols = Math.Max(Cols, cols);

    /// <summary>Adds an entry to the current row.</summary>
    public void Add(int column, float value)
    {
        if ((uint)column >= (uint)Cols) throw new ArgumentOutOfRangeException(nameof(column), $"column {column} outside 0..{Cols - 1}");
        if (_used == _idx.Length) MakeRoom();
        _idx[_used] = column;
        _val[_used] = value;
        _used++;
        _count++;
    }

    private void MakeRoom()
    {
        int pending = _used - _rowInChunk;
        if (_idx.Length < ChunkEntries || pending * 2 > _idx.Length)
        {
            // Still small (or one row fills most of the chunk): grow it.
            int size = checked(_idx.Length * 2);
            Array.Resize(ref _idx, size);
            Array.Resize(ref _val, size);
            return;
        }
        // Keep the full chunk up to the open row; the open row moves to the start of a new chunk (it must stay contiguous to be sorted).
        var idx = new int[ChunkEntries];
        var val = new float[ChunkEntries];
        _idx.AsSpan(_rowInChunk, pending).CopyTo(idx);
        _val.AsSpan(_rowInChunk, pending).CopyTo(val);
        _full.Add((_idx, _val, _rowInChunk));
        (_idx, _val, _used, _rowInChunk) = (idx, val, pending, 0);
    }

    /// <summary>Closes the current row: sorts it by column and merges duplicate columns by summing.</summary>
    public void EndRow()
    {
        int start = _rowInChunk, len = _used - _rowInChunk;
        var idx = _idx.AsSpan(start, len);
        var val = _val.AsSpan(start, len);
        bool sorted = true;
        for (int j = 1; j < len && sorted; j++) sorted = idx[j] > idx[j - 1];
        if (!sorted)
        {
            idx.Sort(val);
            int w = 0;
            for (int j = 0; j < len; j++)
            {
                if (w > 0 && idx[w - 1] == idx[j]) val[w - 1] += val[j];
                else { idx[w] = idx[j]; val[w] = val[j]; w++; }
            }
            _count = _rowStart + w;
            _used = start + w;
        }
        _rowPointers.Add(_count);
        _rowStart = _count;
        _rowInChunk = _used;
    }

    /// <summary>The finished matrix (an unfinished row is closed first).</summary>
    public CsrMatrix Build()
    {
        if (_count != _rowStart) EndRow();
        var indices = new int[_count];
        var values = new float[_count];
        long at = 0;
        foreach (var (idx, val, used) in _full.Append((_idx, _val, _used)))
        {
            idx.AsSpan(0, used).CopyTo(indices.AsSpan((int)at));
            val.AsSpan(0, used).CopyTo(values.AsSpan((int)at));
            at += used;
        }
        return new CsrMatrix(Rows, Cols, [.. _rowPointers], indices, values, validate: false);
    }
}
