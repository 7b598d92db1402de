
using XcNotebooks.Text;
using XcNotebooks.Encoders;

namespace XcNotebooks.Methods.TwoTower;

/// <summary>
/// The text side of the Siamese methods (DEXA, DEXML): how texts become tokens and which encoder embeds queries and
/// label texts. The methods' options records derive from it, so the settings are the same properties in both (and in
/// their JSON).
/// </summary>
public abstract record SiameseTextOptions
{
    // ---- text ----------------------------------------------------------------------------------------------------

    /// <summary>How texts become tokens.</summary>
    public TextTokenizerKind Tokenizer { get; init; } = TextTokenizerKind.Words;

    /// <summary>Vocabulary settings for <see cref="TextTokenizerKind.Words"/> (built on training and label texts).</summary>
    public CorpusVocabularyOptions Vocabulary { get; init; } = new();

    /// <summary>Hashing settings for <see cref="TextTokenizerKind.HashedNgrams"/> (2^18 buckets: the table stays small).</summary>
    public HashedNgramOptions Hashing { get; init; } = new() { NumBuckets = 1 << 18, MaxWordNgram = 2, MaxCharNgram = 0 };

    /// <summary>vocab.txt for <see cref="TextTokenizerKind.WordPiece"/>.</summary>
    public string? WordPieceVocabulary { get; init; }

    /// <summary>Tokens per text (null: 32 for data sets named *title*, 128 otherwise, as DEXA and DEXML).</summary>
    public int? MaxLength { get; init; }

    // ---- encoder -------------------------------------------------------------------------------------------------

    /// <summary>The encoder architecture.</summary>
    public TextEncoderKind Encoder { get; init; } = TextEncoderKind.BagOfEmbeddings;

    /// <summary>Bag-of-embeddings shape.</summary>
    public BagOfEmbeddingsOptions BagOfEmbeddings { get; init; } = new();

    /// <summary>Transformer shape.</summary>
    public TransformerEncoderOptions Transformer { get; init; } = new();

    /// <summary>The ONNX model of <see cref="TextEncoderKind.Onnx"/> (its vocabulary is <see cref="WordPieceVocabulary"/>).</summary>
    public string? OnnxModel { get; init; }

    /// <summary>How the ONNX model is fed and pooled.</summary>
    public OnnxEncoderOptions Onnx { get; init; } = new();

    // ---- label search --------------------------------------------------------------------------------------------

    /// <summary>How predictions find the nearest labels: exact search, or HNSW from 20,000 labels on (saved with the model).</summary>
    public LabelIndexOptions LabelIndex { get; init; } = new();

    /// <summary>Checks the text and label-search settings (called by the methods' Validate).</summary>
    protected void ValidateText()
    {
        ArgumentNullException.ThrowIfNull(LabelIndex, nameof(LabelIndex));
        LabelIndex.Validate();
        if (MaxLength is < 2) throw new ArgumentException($"max length must be at least 2, got {MaxLength}");
        if (Tokenizer == TextTokenizerKind.WordPiece && WordPieceVocabulary is null)
            throw new ArgumentException("the WordPiece tokenizer needs WordPieceVocabulary (a vocab.txt)");
    }
}
