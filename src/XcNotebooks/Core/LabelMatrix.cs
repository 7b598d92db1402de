namespace XcNotebooks.Core;

/// <summary>
/// Which labels each point has: a CSR matrix of points x labels whose values are relevances (1 unless a format
/// gives graded ones). Multi-class data is the case of exactly one label per point.
/// </summary>
public sealed class LabelMatrix
{
    /// <summary>Wraps a points x labels CSR matrix.</summary>
    public LabelMatrix(CsrMatrix matrix) => Matrix = matrix ?? throw new ArgumentNullException(nameof(matrix));

    /// <summary>The underlying points x labels matrix.</summary>
    public CsrMatrix Matrix { get; }

    /// <summary>Number of points.</summary>
    public int Rows => Matrix.Rows;

    /// <summary>Number of labels (classes).</summary>
    public int NumLabels => Matrix.Cols;

    /// <summary>Label ids of point <paramref name="row"/>, increasing.</summary>
    public ReadOnlySpan<int> LabelsOf(int row) => Matrix.RowIndices(row);

    /// <summary>Label ids of point <paramref name="row"/> as an array (F#-friendly).</summary>
    public int[] LabelArray(int row) => Matrix.RowIndices(row).ToArray();

    /// <summary>True when <paramref name="row"/> has label <paramref name="label"/>.</summary>
    public bool Has(int row, int label) => Matrix.RowIndices(row).BinarySearch(label) >= 0;

    /// <summary>True when every point has exactly one label.</summary>
    public bool IsMultiClass
    {
        get
        {
            for (int i = 0; i < Rows; i++) if (Matrix.RowLength(i) != 1) return false;
            return true;
        }
    }

    /// <summary>The class of each point, for multi-class data.</summary>
    public int[] Classes()
    {
        var y = new int[Rows];
        for (int i = 0; i < Rows; i++)
        {
            if (Matrix.RowLength(i) != 1)
                throw new InvalidOperationException($"point {i} has {Matrix.RowLength(i)} labels; Classes() needs exactly one per point");
            y[i] = Matrix.RowIndices(i)[0];
        }
        return y;
    }

    /// <summary>Number of points carrying each label.</summary>
    public int[] LabelCounts()
    {
        var counts = new int[NumLabels];
        foreach (var l in Matrix.ColumnIndices) counts[l]++;
        return counts;
    }

    /// <summary>Average number of labels per point.</summary>
    public double LabelsPerPoint => Rows == 0 ? 0 : (double)Matrix.NonZeros / Rows;

    /// <summary>Multi-class labels from a class per point.</summary>
    public static LabelMatrix FromClasses(IReadOnlyList<int> classes, int numClasses)
    {
        var ptr = new long[classes.Count + 1];
        var idx = new int[classes.Count];
        for (int i = 0; i < classes.Count; i++)
        {
            if ((uint)classes[i] >= (uint)numClasses)
                throw new ArgumentException($"point {i}: class {classes[i]} outside 0..{numClasses - 1}");
            ptr[i + 1] = i + 1;
            idx[i] = classes[i];
        }
        var val = new float[classes.Count];
        Array.Fill(val, 1f);
        return new LabelMatrix(new CsrMatrix(classes.Count, numClasses, ptr, idx, val, validate: false));
    }

    /// <summary>Multi-label from per-point label lists (relevance 1; duplicates merged).</summary>
    public static LabelMatrix FromLabelSets(IEnumerable<IEnumerable<int>> labelSets, int numLabels)
    {
        var builder = new CsrBuilder(numLabels);
        foreach (var set in labelSets)
        {
            foreach (var l in set.Distinct()) builder.Add(l, 1f);
            builder.EndRow();
        }
        return new LabelMatrix(builder.Build());
    }

    /// <summary>The points listed, in order.</summary>
    public LabelMatrix SelectRows(IReadOnlyList<int> rows) => new(Matrix.SelectRows(rows));

    /// <summary>Shape and density.</summary>
    public override string ToString() => $"LabelMatrix {Rows} points x {NumLabels} labels, {LabelsPerPoint:F2} labels per point";
}
