using System.Numerics.Tensors;
using XcNotebooks.Core;

namespace XcNotebooks.Hierarchies;

/// <summary>How label co-occurrence becomes a distance (smaller = more alike, as clustering expects).</summary>
public enum CoOccurrenceDistance
{
    /// <summary>d(i, j) = -(number of points carrying both labels): HierarchicalXC's default.</summary>
    NegativeCount,
    /// <summary>d(i, j) = -|points with i and j| / |points with i or j| (0 when neither label occurs).</summary>
    NegativeIou,
}

/// <summary>
/// Distances between classes, the input of <see cref="AgglomerativeClustering"/> and of the codeword assignment
/// score: Euclidean distances between class means of sparse features, and label co-occurrence distances for
/// multi-label data. Both are O(K^2) in memory (at most <see cref="CondensedDistances.MaxCount"/> classes).
/// </summary>
public static class ClassDistances
{
    /// <summary>
    /// The mean feature vector of each label's points, as a sparse labels x features matrix (computed sparsely:
    /// only features that occur among a label's points are stored). A multi-label point counts towards each of its
    /// labels. A label without points gets an empty (zero) row.
    /// </summary>
    public static CsrMatrix ClassMeans(CsrMatrix features, LabelMatrix labels)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (features.Rows != labels.Rows)
            throw new ArgumentException($"{features.Rows} feature rows but {labels.Rows} label rows");
        var pointsOfLabel = labels.Matrix.Transpose();
        int k = labels.NumLabels, d = features.Cols;
        var rowIndices = new int[k][];
        var rowValues = new float[k][];
        Parallel.For(0, k,
            () => (Sum: new float[d], Touched: new bool[d], Used: new List<int>()),
            (label, _, buffer) =>
            {
                var points = pointsOfLabel.RowIndices(label);
                foreach (var p in points)
                {
                    var idx = features.RowIndices(p);
                    var val = features.RowValues(p);
                    for (int j = 0; j < idx.Length; j++)
                    {
                        int f = idx[j];
                        if (!buffer.Touched[f]) { buffer.Touched[f] = true; buffer.Used.Add(f); }
                        buffer.Sum[f] += val[j];
                    }
                }
                buffer.Used.Sort();
                var rowIdx = buffer.Used.ToArray();
                var rowVal = new float[rowIdx.Length];
                float scale = points.Length == 0 ? 0f : 1f / points.Length;
                for (int j = 0; j < rowIdx.Length; j++)
                {
                    rowVal[j] = buffer.Sum[rowIdx[j]] * scale;
                    buffer.Sum[rowIdx[j]] = 0f;
                    buffer.Touched[rowIdx[j]] = false;
                }
                buffer.Used.Clear();
                rowIndices[label] = rowIdx;
                rowValues[label] = rowVal;
                return buffer;
            },
            _ => { });
        var pointers = new long[k + 1];
        for (int l = 0; l < k; l++) pointers[l + 1] = pointers[l] + rowIndices[l].Length;
        var allIdx = new int[pointers[k]];
        var allVal = new float[pointers[k]];
        for (int l = 0; l < k; l++)
        {
            rowIndices[l].CopyTo(allIdx, pointers[l]);
            rowValues[l].CopyTo(allVal, pointers[l]);
        }
        return new CsrMatrix(k, d, pointers, allIdx, allVal, validate: false);
    }

    /// <summary>
    /// Euclidean distances between the class means of <paramref name="data"/>'s features: the distances the
    /// W-LTLS authors cluster to get a class hierarchy.
    /// </summary>
    public static CondensedDistances EuclideanBetweenMeans(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return EuclideanBetweenRows(ClassMeans(data.Features, data.Labels));
    }

    /// <summary>
    /// Euclidean distances between the rows of a sparse matrix: ||a - b|| = sqrt(|a|^2 + |b|^2 - 2 a.b), with all dot
    /// products from one sparse Gram pass (only rows sharing a column meet) in double precision, and each row of
    /// distances finished with SIMD.
    /// </summary>
    public static CondensedDistances EuclideanBetweenRows(CsrMatrix rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int k = rows.Rows;
        var result = CondensedDistances.Zeros(k);
        var squaredNorms = new double[k];
        for (int i = 0; i < k; i++)
        {
            double sum = 0;
            foreach (var v in rows.RowValues(i)) sum += (double)v * v;
            squaredNorms[i] = sum;
        }
        var byColumn = rows.Transpose();
        Parallel.For(0, k, () => new double[k], (i, _, dot) =>
        {
            var idx = rows.RowIndices(i);
            var val = rows.RowValues(i);
            for (int a = 0; a < idx.Length; a++)
            {
                var others = byColumn.RowIndices(idx[a]);
                var otherValues = byColumn.RowValues(idx[a]);
                // Columns list rows in increasing order: start just after row i.
                int from = others.BinarySearch(i) + 1;
                double v = val[a];
                for (int b = from; b < others.Length; b++) dot[others[b]] += v * otherValues[b];
            }
            var above = dot.AsSpan(i + 1);
            var target = result.Values.AsSpan((int)CondensedDistances.Index(k, i, i + 1), k - 1 - i);
            TensorPrimitives.MultiplyAdd(above, -2.0, squaredNorms.AsSpan(i + 1), target);
            TensorPrimitives.Add(target, squaredNorms[i], target);
            TensorPrimitives.Max(target, 0.0, target); // rounding can make a tiny distance negative
            TensorPrimitives.Sqrt(target, target);
            above.Clear();
            return dot;
        }, _ => { });
        return result;
    }

    /// <summary>
    /// Label co-occurrence distances from a points x labels matrix (relevance values are ignored: a point carries a
    /// label or not). Counts come from one pass over each label's points, O(sum over points of |labels|^2).
    /// </summary>
    public static CondensedDistances CoOccurrence(LabelMatrix labels, CoOccurrenceDistance kind = CoOccurrenceDistance.NegativeCount)
    {
        ArgumentNullException.ThrowIfNull(labels);
        int k = labels.NumLabels;
        var result = CondensedDistances.Zeros(k);
        var pointsOfLabel = labels.Matrix.Transpose();
        Parallel.For(0, k, () => new double[k], (i, _, both) =>
        {
            foreach (var p in pointsOfLabel.RowIndices(i))
            {
                var others = labels.LabelsOf(p);
                int from = others.BinarySearch(i) + 1;
                for (int b = from; b < others.Length; b++) both[others[b]] += 1;
            }
            var above = both.AsSpan(i + 1);
            var target = result.Values.AsSpan((int)CondensedDistances.Index(k, i, i + 1), k - 1 - i);
            if (kind == CoOccurrenceDistance.NegativeCount)
                TensorPrimitives.Negate(above, target);
            else
            {
                double countI = pointsOfLabel.RowLength(i);
                for (int j = 0; j < target.Length; j++)
                {
                    double union = countI + pointsOfLabel.RowLength(i + 1 + j) - above[j];
                    target[j] = union > 0 ? -above[j] / union : 0;
                }
            }
            above.Clear();
            return both;
        }, _ => { });
        return result;
    }
}
