using System.Text.Json;
using XcNotebooks.Core;

namespace XcNotebooks.Text;

/// <summary>TF-IDF settings; the defaults are scikit-learn's TfidfVectorizer with sublinear_tf=True.</summary>
public sealed record TfidfOptions
{
    /// <summary>Term frequency 1 + ln(tf) instead of tf.</summary>
    public bool SublinearTf { get; init; } = true;

    /// <summary>idf = ln((1 + n) / (1 + df)) + 1 (as if one extra text held every term); otherwise ln(n / df) + 1.</summary>
    public bool SmoothIdf { get; init; } = true;

    /// <summary>Scales each row to unit L2 norm.</summary>
    public bool NormalizeRows { get; init; } = true;

    /// <summary>The word vocabulary built from the training texts (used unless <see cref="Hashing"/> is set).</summary>
    public CorpusVocabularyOptions Vocabulary { get; init; } = new();

    /// <summary>Hashed word and character n-grams instead of a vocabulary; null uses the vocabulary.</summary>
    public HashedNgramOptions? Hashing { get; init; }
}

/// <summary>
/// TF-IDF features fitted on training texts: counts from a featurizer (corpus vocabulary or hashed n-grams), weight
/// tf (or 1 + ln tf) x idf, rows L2-normalized. Fit on the training split and transform every split so that they
/// share one feature space.
/// </summary>
public sealed class TfidfVectorizer
{
    internal const string FileKind = "tfidf";
    private const int FormatVersion = 1;

    private readonly float[] _idf;
    private readonly int[] _documentFrequencies;

    private TfidfVectorizer(TfidfOptions options, ITextFeaturizer featurizer, int trainingDocuments, int[] documentFrequencies)
    {
        Options = options;
        Featurizer = featurizer;
        TrainingDocuments = trainingDocuments;
        _documentFrequencies = documentFrequencies;
        _idf = new float[documentFrequencies.Length];
        for (int j = 0; j < _idf.Length; j++)
        {
            double df = documentFrequencies[j];
            _idf[j] = (float)(options.SmoothIdf
                ? Math.Log((1.0 + trainingDocuments) / (1.0 + df)) + 1.0
                : Math.Log(trainingDocuments / Math.Max(df, 1.0)) + 1.0); // a column unseen in training counts as seen once
        }
    }

    /// <summary>Fits on <paramref name="texts"/>: builds the vocabulary (or uses hashing) and counts document frequencies.</summary>
    public static TfidfVectorizer Fit(IReadOnlyList<string> texts, TfidfOptions? options = null, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        options ??= new TfidfOptions();
        ITextFeaturizer featurizer = options.Hashing is { } hashing
            ? new HashedNgramFeaturizer(hashing)
            : CorpusVocabularyTokenizer.Build(texts, options.Vocabulary, monitor);
        return Fit(texts, featurizer, options);
    }

    /// <summary>Fits on the texts of a training split.</summary>
    public static TfidfVectorizer Fit(Dataset train, TfidfOptions? options = null, TrainingMonitor? monitor = null) =>
        Fit(TextsOf(train), options, monitor);

    /// <summary>Fits document frequencies of a given featurizer (its own vocabulary is kept as it is).</summary>
    public static TfidfVectorizer Fit(IReadOnlyList<string> texts, ITextFeaturizer featurizer, TfidfOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(featurizer);
        var counts = featurizer.CountMatrix(texts);
        var df = new int[featurizer.NumFeatures];
        foreach (int column in counts.ColumnIndices) df[column]++; // one entry per (row, column)
        return new TfidfVectorizer(options ?? new TfidfOptions(), featurizer, texts.Count, df);
    }

    /// <summary>The options fitted with.</summary>
    public TfidfOptions Options { get; }

    /// <summary>Where the counts come from (a <see cref="CorpusVocabularyTokenizer"/> or <see cref="HashedNgramFeaturizer"/>).</summary>
    public ITextFeaturizer Featurizer { get; }

    /// <summary>Number of training texts.</summary>
    public int TrainingDocuments { get; }

    /// <summary>Feature dimension.</summary>
    public int NumFeatures => _idf.Length;

    /// <summary>Inverse document frequency of each feature.</summary>
    public IReadOnlyList<float> Idf => _idf;

    /// <summary>Training texts containing each feature.</summary>
    public IReadOnlyList<int> DocumentFrequencies => _documentFrequencies;

    /// <summary>TF-IDF rows of <paramref name="texts"/>.</summary>
    public CsrMatrix Transform(IReadOnlyList<string> texts)
    {
        var counts = Featurizer.CountMatrix(texts);
        var values = new float[counts.Values.Length];
        Parallel.For(0, counts.Rows, i =>
        {
            for (long p = counts.RowPointers[i]; p < counts.RowPointers[i + 1]; p++)
            {
                float tf = counts.Values[p];
                values[p] = (Options.SublinearTf ? 1f + MathF.Log(tf) : tf) * _idf[counts.ColumnIndices[p]];
            }
        });
        var weighted = new CsrMatrix(counts.Rows, counts.Cols, counts.RowPointers, counts.ColumnIndices, values, validate: false);
        return Options.NormalizeRows ? weighted.NormalizeRows() : weighted;
    }

    /// <summary>The split with its <see cref="Dataset.Features"/> replaced by TF-IDF rows of its texts.</summary>
    public Dataset Transform(Dataset data) => data with { Features = Transform(TextsOf(data)) };

    /// <summary>Every split transformed (fit on the training split first: <see cref="TextFeatures.WithTfidfFeatures"/>).</summary>
    public DataSplits Transform(DataSplits splits) =>
        new(Transform(splits.Train), splits.Heldout is null ? null : Transform(splits.Heldout), Transform(splits.Test));

    private static IReadOnlyList<string> TextsOf(Dataset data) =>
        data.Texts ?? throw new ArgumentException($"{data.Name} has no texts: TF-IDF features need a text data set");

    /// <summary>Writes the vectorizer (options, featurizer, document frequencies) atomically.</summary>
    public void Save(string path) => ModelFile.Save(path, FileKind, FormatVersion, Write);

    /// <summary>Reads a vectorizer written by <see cref="Save"/>.</summary>
    public static TfidfVectorizer Load(string path) => ModelFile.Load(path, FileKind, FormatVersion, r => Read(r, path));

    /// <summary>Writes the vectorizer into an open model file (a model that holds one).</summary>
    internal void Write(BinaryWriter w)
    {
        w.Write(JsonSerializer.Serialize(Options));
        if (Featurizer is not (CorpusVocabularyTokenizer or HashedNgramFeaturizer))
            throw new InvalidOperationException($"cannot save a TF-IDF vectorizer over a {Featurizer.GetType().Name}");
        TextTokenizers.Write(w, Featurizer);
        w.Write(TrainingDocuments);
        w.WriteArray(_documentFrequencies);
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    internal static TfidfVectorizer Read(BinaryReader r, string path)
    {
        var options = JsonSerializer.Deserialize<TfidfOptions>(r.ReadString()) ?? throw new DataFormatException(path, 0, "TF-IDF options are missing");
        var featurizer = TextTokenizers.Read(r, path) as ITextFeaturizer
            ?? throw new DataFormatException(path, 0, "the stored tokenizer is not a featurizer");
        int documents = r.ReadInt32();
        var df = r.ReadIntArray();
        if (df.Length != featurizer.NumFeatures)
            throw new DataFormatException(path, 0, $"{df.Length} document frequencies for {featurizer.NumFeatures} features");
        return new TfidfVectorizer(options, featurizer, documents, df);
    }

    /// <summary>Dimension and training size.</summary>
    public override string ToString() => $"TfidfVectorizer: {NumFeatures:N0} features fitted on {TrainingDocuments:N0} texts ({Featurizer})";
}

/// <summary>Text splits with TF-IDF features, and the vectorizer that made them (to transform new texts alike).</summary>
public sealed record TfidfSplits(DataSplits Splits, TfidfVectorizer Vectorizer);

/// <summary>Helpers that fill the <see cref="Dataset.Features"/> of text data sets.</summary>
public static class TextFeatures
{
    /// <summary>
    /// Fits TF-IDF on the training split's texts and gives every split its TF-IDF rows (one shared feature space;
    /// held-out and test texts never influence the vocabulary or the idf).
    /// </summary>
    public static TfidfSplits WithTfidfFeatures(this DataSplits splits, TfidfOptions? options = null, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(splits);
        var vectorizer = TfidfVectorizer.Fit(splits.Train, options, monitor);
        monitor?.Write(vectorizer.ToString());
        return new TfidfSplits(vectorizer.Transform(splits), vectorizer);
    }
}
