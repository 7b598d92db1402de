using XcNotebooks.Compute;
using XcNotebooks.Data;
using XcNotebooks.Text;
using XcNotebooks.Core;
using XcNotebooks.Methods.TwoTower;
using XcNotebooks.Encoders;

namespace XcNotebooks.Methods.Dexa;

/// <summary>Which scores a DEXA prediction ranks.</summary>
public enum DexaScores
{
    /// <summary>The best the model has: fused scores with classifiers, label-embedding similarity without.</summary>
    Best,
    /// <summary>Cosine similarity to the label embeddings z_l = E(text_l) + a_c(l) (M1 alone).</summary>
    Embeddings,
    /// <summary>Cosine similarity to the M-IV classifier vectors.</summary>
    Classifiers,
    /// <summary>The score fusion of both shortlists.</summary>
    Fused,
}

/// <summary>The two shortlists of a set of points: label embeddings, and classifiers when the model has them.</summary>
/// <param name="Embeddings">Top labels by similarity to the label embeddings.</param>
/// <param name="Classifiers">Top labels by similarity to the classifier vectors (null before M-IV).</param>
/// <param name="Sparse">
/// The sparse (TF-IDF centroid) score of every label in either shortlist, points x labels (null when the model has
/// no sparse source or the shortlists were made from embeddings alone).
/// </param>
public sealed record DexaShortlists(TopKPredictions Embeddings, TopKPredictions? Classifiers, CsrMatrix? Sparse = null);

/// <summary>
/// A trained DEXA model: tokenizer, encoder, auxiliary vectors, label embeddings and (after M-IV) classifier vectors
/// with the score fusion. Predicts from texts: encode, search both label indices (exact or HNSW), fuse, filter, rank. Holds tensors
/// on its compute backend: dispose it when done.
/// </summary>
public sealed class DexaModel : IXcModel, IFilteredTopK, IReportDetails
{
    private const int FormatVersion = 3;
    private readonly double[] _inversePropensity;
    private ILabelIndex? _embeddingIndex, _classifierIndex;

    internal DexaModel(DexaOptions options, ITextTokenizer tokenizer, SequenceOptions sequence, IComputeBackend backend, ITextEncoder encoder,
        AuxiliaryVectors? auxiliary, RowMajorMatrix labelEmbeddings, double[] inversePropensity)
    {
        Options = options;
        Tokenizer = tokenizer;
        Sequence = sequence;
        Backend = backend;
        Encoder = encoder;
        Auxiliary = auxiliary;
        LabelEmbeddings = labelEmbeddings;
        _inversePropensity = inversePropensity;
    }

    /// <inheritdoc />
    public string Method => "dexa";

    /// <summary>The options the model was trained with.</summary>
    public DexaOptions Options { get; }

    /// <summary>The tokenizer of documents and label texts.</summary>
    public ITextTokenizer Tokenizer { get; }

    /// <summary>Sequence length and special tokens.</summary>
    public SequenceOptions Sequence { get; }

    /// <summary>The backend holding the encoder and the indices.</summary>
    public IComputeBackend Backend { get; }

    /// <summary>The shared document and label encoder.</summary>
    public ITextEncoder Encoder { get; }

    /// <summary>The auxiliary vectors (null when trained without).</summary>
    public AuxiliaryVectors? Auxiliary { get; }

    /// <summary>z_l = E(text_l) + a_c(l), normalised (L x d).</summary>
    public RowMajorMatrix LabelEmbeddings { get; }

    /// <summary>The M-IV classifier vectors, normalised (L x d), or null before M-IV.</summary>
    public RowMajorMatrix? ClassifierVectors { get; private set; }

    /// <summary>The fusion of both shortlists (null before M-IV).</summary>
    public ScoreFusion? Fusion { get; private set; }

    /// <summary>The sparse score source fused with the dense scores (null: none, <see cref="DexaOptions.SparseScores"/> off or before M-IV).</summary>
    public TfidfCentroids? Sparse { get; private set; }

    /// <summary>Number of labels.</summary>
    public int NumLabels => LabelEmbeddings.Rows;

    /// <summary>Inverse propensity of each label on the training labels (A, B of the options).</summary>
    public IReadOnlyList<double> InversePropensity => _inversePropensity;

    /// <summary>Unit-norm embeddings of <paramref name="texts"/> (tokenized with the model's tokenizer).</summary>
    public RowMajorMatrix Encode(IReadOnlyList<string> texts, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return Encoder.EncodeAll(TokenizedCorpus.Build(texts, Tokenizer, Sequence, monitor), Options.EncodeChunk, monitor);
    }

    /// <summary>
    /// The shortlists of <paramref name="texts"/>: the nearest label embeddings and the nearest classifiers, with the
    /// sparse scores of their labels when the model has a sparse source.
    /// </summary>
    public DexaShortlists Shortlists(IReadOnlyList<string> texts, TrainingMonitor? monitor = null) =>
        WithSparseScores(Shortlists(Encode(texts, monitor), monitor), texts);

    /// <summary>The shortlists with the sparse scores of their labels for <paramref name="texts"/> (unchanged without a sparse source).</summary>
    public DexaShortlists WithSparseScores(DexaShortlists shortlists, IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(shortlists);
        ArgumentNullException.ThrowIfNull(texts);
        if (Sparse is null) return shortlists;
        return shortlists with { Sparse = Sparse.ScoreShortlists(Sparse.Transform(texts), shortlists.Embeddings, shortlists.Classifiers) };
    }

    /// <summary>The shortlists of already-encoded documents.</summary>
    public DexaShortlists Shortlists(RowMajorMatrix documents, TrainingMonitor? monitor = null)
    {
        int k = Math.Min(Options.ShortlistSize, NumLabels);
        var knn = EmbeddingIndex(monitor).Search(documents, k, monitor);
        var classifiers = ClassifierIndex(monitor);
        return new DexaShortlists(knn, classifiers?.Search(documents, k, monitor));
    }

    /// <summary>The index of the label embeddings (built on first use with the options' <see cref="LabelIndexOptions"/>).</summary>
    public ILabelIndex EmbeddingIndex(TrainingMonitor? monitor = null) =>
        _embeddingIndex ??= LabelIndexes.Build(Backend, LabelEmbeddings, Options.LabelIndex, monitor);

    /// <summary>The index of the classifier vectors (null before M-IV).</summary>
    public ILabelIndex? ClassifierIndex(TrainingMonitor? monitor = null) =>
        ClassifierVectors is null ? null : _classifierIndex ??= LabelIndexes.Build(Backend, ClassifierVectors, Options.LabelIndex, monitor);

    /// <inheritdoc />
    public TopKPredictions TopK(Dataset data, int k) => TopK(data, k, null);

    /// <inheritdoc />
    TopKPredictions IFilteredTopK.TopK(Dataset data, int k, LabelFilter? filter) => TopK(data, k, filter);

    /// <summary>
    /// The k best labels of each point of <paramref name="data"/> (its texts) by <paramref name="scores"/>, with the
    /// pairs of <paramref name="filter"/> removed before ranking.
    /// </summary>
    public TopKPredictions TopK(Dataset data, int k, LabelFilter? filter, DexaScores scores = DexaScores.Best)
    {
        ArgumentNullException.ThrowIfNull(data);
        var texts = data.Texts ?? throw new ArgumentException($"{data.Name} has no texts: DEXA predicts from text");
        return Rank(Shortlists(texts), k, filter, scores);
    }

    /// <summary>Ranks shortlists by <paramref name="scores"/> after removing the pairs of <paramref name="filter"/>.</summary>
    public TopKPredictions Rank(DexaShortlists shortlists, int k, LabelFilter? filter = null, DexaScores scores = DexaScores.Best)
    {
        ArgumentNullException.ThrowIfNull(shortlists);
        if (scores == DexaScores.Best) scores = ClassifierVectors is null ? DexaScores.Embeddings : DexaScores.Fused;
        var matrix = scores switch
        {
            DexaScores.Embeddings => ToSparse(shortlists.Embeddings),
            DexaScores.Classifiers => ToSparse(shortlists.Classifiers ?? throw NoClassifiers()),
            _ => (Fusion ?? throw NoClassifiers()).Fuse(shortlists.Classifiers ?? throw NoClassifiers(), shortlists.Embeddings, NumLabels, shortlists.Sparse),
        };
        if (filter is not null) matrix = filter.Apply(matrix);
        return TopKPredictions.FromSparseScores(matrix, k);
    }

    private static InvalidOperationException NoClassifiers() =>
        new("this DEXA model has no classifiers (M-IV was not trained)");

    private CsrMatrix ToSparse(TopKPredictions shortlist)
    {
        var builder = new CsrBuilder(NumLabels);
        for (int i = 0; i < shortlist.Rows; i++)
        {
            var labels = shortlist.LabelsOf(i);
            var scores = shortlist.ScoresOf(i);
            var row = new List<(int, float)>(labels.Length);
            for (int r = 0; r < labels.Length; r++)
                if (labels[r] >= 0) row.Add((labels[r], scores[r]));
            foreach (var (l, s) in row.OrderBy(p => p.Item1)) builder.Add(l, s);
            builder.EndRow();
        }
        return builder.Build();
    }

    internal void SetClassifiers(RowMajorMatrix vectors, ScoreFusion fusion, TfidfCentroids? sparse = null)
    {
        if (sparse is not null && sparse.NumLabels != NumLabels) throw new ArgumentException($"sparse centroids of {sparse.NumLabels} labels for {NumLabels}");
        if (vectors.Rows != NumLabels || vectors.Cols != LabelEmbeddings.Cols)
            throw new ArgumentException($"expected {NumLabels} x {LabelEmbeddings.Cols} classifier vectors, got {vectors.Rows} x {vectors.Cols}");
        _classifierIndex?.Dispose();
        _classifierIndex = null;
        ClassifierVectors = vectors;
        Fusion = fusion;
        Sparse = sparse;
    }

    /// <inheritdoc />
    public void Save(string path) => ModelFile.Save(path, Method, FormatVersion, w =>
    {
        TextModelFiles.WriteHeader(w, Options, Sequence, Tokenizer, Encoder);
        w.Write(Auxiliary is not null);
        if (Auxiliary is not null)
        {
            w.WriteMatrix(Auxiliary.Values());
            w.WriteArray(Auxiliary.LabelToVector.ToArray());
            w.Write(Auxiliary.HeadVectors);
        }
        w.WriteMatrix(LabelEmbeddings);
        w.Write(_inversePropensity.Length);
        foreach (var v in _inversePropensity) w.Write(v);
        w.Write(ClassifierVectors is not null);
        if (ClassifierVectors is not null)
        {
            w.WriteMatrix(ClassifierVectors);
            Fusion!.Write(w);
            w.Write(Sparse is not null);
            Sparse?.Write(w);
        }
        LabelIndexes.Write(w, EmbeddingIndex());
        if (ClassifierIndex() is { } classifiers) LabelIndexes.Write(w, classifiers);
    });

    /// <summary>Loads a model saved by <see cref="Save"/> onto a new backend of <paramref name="backend"/> kind.</summary>
    public static DexaModel Load(string path, BackendKind? backend = null) =>
        TextModelFiles.Load(path, "dexa", FormatVersion, backend ?? BackendKind.Auto, (r, compute) => Read(r, compute, path));

    private static DexaModel Read(BinaryReader r, IComputeBackend backend, string path)
    {
        var (options, sequence, tokenizer, encoder) = TextModelFiles.ReadHeader<DexaOptions>(r, backend, path, "DEXA");
        AuxiliaryVectors? auxiliary = null;
        if (r.ReadBoolean())
        {
            var vectors = r.ReadMatrix();
            var map = r.ReadIntArray();
            auxiliary = AuxiliaryVectors.FromValues(backend, vectors, map, r.ReadInt32());
        }
        var labels = r.ReadMatrix();
        int n = r.ReadInt32();
        if (n != labels.Rows) throw new DataFormatException(path, 0, $"{n} propensities for {labels.Rows} labels");
        var ips = new double[n];
        for (int i = 0; i < n; i++) ips[i] = r.ReadDouble();
        var model = new DexaModel(options, tokenizer, sequence, backend, encoder, auxiliary, labels, ips);
        if (r.ReadBoolean())
        {
            var vectors = r.ReadMatrix();
            var fusion = ScoreFusion.Read(r, path);
            model.SetClassifiers(vectors, fusion, r.ReadBoolean() ? TfidfCentroids.Read(r, path) : null);
        }
        model._embeddingIndex = LabelIndexes.Read(r, backend, labels, path);
        if (model.ClassifierVectors is not null) model._classifierIndex = LabelIndexes.Read(r, backend, model.ClassifierVectors, path);
        return model;
    }

    /// <summary>
    /// Bytes of the parameters (float32): encoder, auxiliary vectors, label embeddings, classifier vectors, and the
    /// sparse source's centroids (a value and a column index per non-zero) and idf weights.
    /// </summary>
    public long ModelBytes => 4L * (Encoder.Parameters.Sum(p => (long)p.Rows * p.Cols) + (Auxiliary is null ? 0 : (long)Auxiliary.Table.Rows * Auxiliary.Table.Cols)
        + LabelEmbeddings.Data.LongLength + (ClassifierVectors?.Data.LongLength ?? 0))
        + (Sparse is null ? 0 : 8L * Sparse.Centroids.NonZeros + 4L * Sparse.Vectorizer.NumFeatures);

    /// <inheritdoc/>
    long IXcModel.SizeBytes => ModelBytes;

    /// <summary>"encoder", "auxiliary", "fusion" and "sparseWeight" (γ of the sparse score; null without one).</summary>
    RunDetails IReportDetails.ReportDetails(DataSplits data, TopKPredictions testPredictions, double predictSeconds, TrainingMonitor monitor) => new()
    {
        Details = new Dictionary<string, object?>
        {
            ["encoder"] = Encoder.ToString(),
            ["auxiliary"] = Auxiliary?.ToString(),
            ["fusion"] = Fusion?.Options.Kind.ToString(),
            ["sparseWeight"] = Sparse is null ? null : Fusion?.Options.SparseWeight,
        },
    };

    /// <summary>Frees the encoder, vectors, indices and the backend.</summary>
    public void Dispose()
    {
        _embeddingIndex?.Dispose();
        _classifierIndex?.Dispose();
        Encoder.Dispose();
        Auxiliary?.Dispose();
        Backend.Dispose();
    }

    /// <summary>Labels, encoder and stage.</summary>
    public override string ToString() =>
        $"DexaModel: {NumLabels:N0} labels, {Encoder}, {(Auxiliary is null ? "no auxiliary vectors" : Auxiliary.ToString())}, " +
        (ClassifierVectors is null ? "no classifiers" : $"classifiers with {Fusion!.Options.Kind} fusion{(Sparse is null ? "" : " and TF-IDF centroid scores")}");
}
