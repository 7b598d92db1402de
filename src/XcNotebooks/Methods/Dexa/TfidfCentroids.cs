using XcNotebooks.Core;
using XcNotebooks.Text;

namespace XcNotebooks.Methods.Dexa;

/// <summary>
/// DEXA's sparse score source (the sparse ranker that DEXA-family systems fuse with the dense scores): a TF-IDF
/// vectorizer fitted on the training texts and the label texts, and one unit-norm centroid per label,
/// c_l = norm(Σ_{i with label l} x_i + w t_l), where x_i is a training text's TF-IDF row (unit norm), t_l the label
/// text's and w <see cref="LabelTextWeight"/> (Rocchio's classifier; a label without training texts has its text's
/// row alone). The score of a document and a label is the cosine of the document's TF-IDF row and the centroid.
/// </summary>
public sealed class TfidfCentroids
{
    private TfidfCentroids(TfidfVectorizer vectorizer, CsrMatrix centroids, double labelTextWeight)
    {
        Vectorizer = vectorizer;
        Centroids = centroids;
        LabelTextWeight = labelTextWeight;
    }

    /// <summary>The vectorizer of documents and label texts.</summary>
    public TfidfVectorizer Vectorizer { get; }

    /// <summary>The label centroids (labels x features, unit rows, column indices ascending).</summary>
    public CsrMatrix Centroids { get; }

    /// <summary>Weight of the label text's row in its centroid.</summary>
    public double LabelTextWeight { get; }

    /// <summary>Number of labels.</summary>
    public int NumLabels => Centroids.Rows;

    /// <summary>
    /// Fits the vectorizer on <paramref name="texts"/> and <paramref name="labelTexts"/> together, then the label
    /// centroids from the training rows of each label and its text.
    /// </summary>
    public static TfidfCentroids Fit(IReadOnlyList<string> texts, LabelMatrix labels, IReadOnlyList<string> labelTexts,
        double labelTextWeight = 1.0, TfidfOptions? options = null, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(labelTexts);
        if (texts.Count != labels.Rows) throw new ArgumentException($"{texts.Count} texts for {labels.Rows} label rows");
        if (labelTexts.Count != labels.NumLabels) throw new ArgumentException($"{labelTexts.Count} label texts for {labels.NumLabels} labels");
        if (!(labelTextWeight >= 0) || double.IsInfinity(labelTextWeight))
            throw new ArgumentException($"the label text weight must be finite and 0 or more, got {labelTextWeight}");
        var vectorizer = TfidfVectorizer.Fit([.. texts, .. labelTexts], options, monitor);
        var x = vectorizer.Transform(texts);
        var t = vectorizer.Transform(labelTexts);
        var pointsOf = labels.Matrix.Transpose(); // row l: the points carrying label l, ascending
        var rows = new (int Column, float Value)[labels.NumLabels][];
        Parallel.For(0, labels.NumLabels, l =>
        {
            var sum = new Dictionary<int, double>();
            void Add(CsrMatrix m, int row, double weight)
            {
                var idx = m.RowIndices(row);
                var val = m.RowValues(row);
                for (int j = 0; j < idx.Length; j++) sum[idx[j]] = sum.GetValueOrDefault(idx[j]) + weight * val[j];
            }
            foreach (int i in pointsOf.RowIndices(l)) Add(x, i, 1.0);
            if (labelTextWeight > 0) Add(t, l, labelTextWeight);
            double norm = Math.Sqrt(sum.Values.Sum(v => v * v));
            rows[l] = norm > 0 ? [.. sum.Where(p => p.Value != 0).OrderBy(p => p.Key).Select(p => (p.Key, (float)(p.Value / norm)))] : [];
        });
        var centroids = CsrMatrix.FromRows(vectorizer.NumFeatures, rows);
        monitor?.Write($"TF-IDF label centroids: {labels.NumLabels:N0} labels, {vectorizer.NumFeatures:N0} features, {centroids.NonZeros:N0} non-zeros");
        return new TfidfCentroids(vectorizer, centroids, labelTextWeight);
    }

    /// <summary>The TF-IDF rows of <paramref name="texts"/> in the centroids' feature space.</summary>
    public CsrMatrix Transform(IReadOnlyList<string> texts) => Vectorizer.Transform(texts);

    /// <summary>Cosine of row <paramref name="row"/> of <paramref name="documents"/> (TF-IDF rows) and the centroid of <paramref name="label"/>.</summary>
    public float Score(CsrMatrix documents, int row, int label)
    {
        var idx = documents.RowIndices(row);
        var val = documents.RowValues(row);
        var cIdx = Centroids.RowIndices(label);
        var cVal = Centroids.RowValues(label);
        double dot = 0;
        for (int j = 0; j < idx.Length; j++)
        {
            int at = cIdx.BinarySearch(idx[j]);
            if (at >= 0) dot += (double)val[j] * cVal[at];
        }
        return (float)dot;
    }

    /// <summary>
    /// The scores of every label in the union of the two shortlists of each point (a points x labels sparse matrix;
    /// labels in neither shortlist are absent): what the fusion reads.
    /// </summary>
    public CsrMatrix ScoreShortlists(CsrMatrix documents, TopKPredictions first, TopKPredictions? second)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(first);
        if (documents.Rows != first.Rows || (second is not null && second.Rows != first.Rows))
            throw new ArgumentException($"{documents.Rows} documents for shortlists of {first.Rows} and {second?.Rows} points");
        var rows = new (int Column, float Value)[documents.Rows][];
        Parallel.For(0, documents.Rows, i =>
        {
            var labels = new SortedSet<int>();
            foreach (int l in first.LabelsOf(i)) if (l >= 0) labels.Add(l);
            if (second is not null) foreach (int l in second.LabelsOf(i)) if (l >= 0) labels.Add(l);
            rows[i] = [.. labels.Select(l => (l, Score(documents, i, l)))];
        });
        return CsrMatrix.FromRows(NumLabels, rows);
    }

    internal void Write(BinaryWriter w)
    {
        Vectorizer.Write(w);
        w.WriteMatrix(Centroids);
        w.Write(LabelTextWeight);
    }

    internal static TfidfCentroids Read(BinaryReader r, string source)
    {
        var vectorizer = TfidfVectorizer.Read(r, source);
        var centroids = r.ReadCsrMatrix();
        if (centroids.Cols != vectorizer.NumFeatures)
            throw new DataFormatException(source, 0, $"TF-IDF centroids of {centroids.Cols} features for a vectorizer of {vectorizer.NumFeatures}");
        return new TfidfCentroids(vectorizer, centroids, r.ReadDouble());
    }
}
