namespace XcNotebooks.Core;

/// <summary>
/// A dense float32 matrix stored row by row in one array: weight matrices, embeddings, activations.
/// <see cref="Data"/> is exposed for kernels and SIMD loops.
/// </summary>
public sealed class RowMajorMatrix
{
    /// <summary>A zero matrix.</summary>
    public RowMajorMatrix(int rows, int cols) : this(rows, cols, new float[checked((long)rows * cols)]) { }

    /// <summary>Wraps <paramref name="data"/> (length rows * cols) without copying.</summary>
    public RowMajorMatrix(int rows, int cols, float[] data)
    {
        if (rows < 0 || cols < 0) throw new ArgumentException($"negative shape {rows} x {cols}");
        if (data.LongLength != (long)rows * cols)
            throw new ArgumentException($"data has {data.LongLength} values, a {rows} x {cols} matrix needs {(long)rows * cols}");
        Rows = rows;
        Cols = cols;
        Data = data;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Cols { get; }

    /// <summary>The values, row after row.</summary>
    public float[] Data { get; }

    /// <summary>Row <paramref name="row"/> as a span over <see cref="Data"/>.</summary>
    public Span<float> Row(int row) => Data.AsSpan(row * Cols, Cols);

    /// <summary>Row <paramref name="row"/> copied to an array (convenient from F#).</summary>
    public float[] RowArray(int row) => Row(row).ToArray();

    /// <summary>Element access.</summary>
    public float this[int row, int col]
    {
        get => Data[(long)row * Cols + col];
        set => Data[(long)row * Cols + col] = value;
    }

    /// <summary>A deep copy.</summary>
    public RowMajorMatrix Clone() => new(Rows, Cols, (float[])Data.Clone());

    /// <summary>From a 2-D array.</summary>
    public static RowMajorMatrix FromArray(float[,] values)
    {
        var m = new RowMajorMatrix(values.GetLength(0), values.GetLength(1));
        for (int i = 0; i < m.Rows; i++)
            for (int j = 0; j < m.Cols; j++) m[i, j] = values[i, j];
        return m;
    }

    /// <summary>To a 2-D array (small matrices, tests, display).</summary>
    public float[,] ToArray()
    {
        var values = new float[Rows, Cols];
        for (int i = 0; i < Rows; i++)
            for (int j = 0; j < Cols; j++) values[i, j] = this[i, j];
        return values;
    }

    /// <summary>The transpose, as a new matrix.</summary>
    public RowMajorMatrix Transpose()
    {
        var t = new RowMajorMatrix(Cols, Rows);
        for (int i = 0; i < Rows; i++)
            for (int j = 0; j < Cols; j++) t.Data[(long)j * Rows + i] = Data[(long)i * Cols + j];
        return t;
    }

    /// <summary>Shape, e.g. "RowMajorMatrix 55197 x 55".</summary>
    public override string ToString() => $"RowMajorMatrix {Rows} x {Cols}";
}
