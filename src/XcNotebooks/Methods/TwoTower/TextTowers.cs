using XcNotebooks.Compute;
using XcNotebooks.Core;
using XcNotebooks.Encoders;
using XcNotebooks.Text;

namespace XcNotebooks.Methods.TwoTower;

/// <summary>Which text encoder a two-tower method (DEXA, DEXML) trains (or, for ONNX, uses frozen).</summary>
public enum TextEncoderKind
{
    /// <summary>Bag of embeddings + residual MLP (Astec style): the fast default.</summary>
    BagOfEmbeddings,
    /// <summary>A small transformer trained from scratch (mean pooling): slow on a CPU.</summary>
    Transformer,
    /// <summary>A user-supplied ONNX encoder, frozen: only the auxiliary vectors and the classifiers train.</summary>
    Onnx,
}

/// <summary>How a two-tower method cuts texts into tokens.</summary>
public enum TextTokenizerKind
{
    /// <summary>Words of the training and label texts (<see cref="CorpusVocabularyTokenizer"/>).</summary>
    Words,
    /// <summary>Hashed word and character n-grams (<see cref="HashedNgramFeaturizer"/>).</summary>
    HashedNgrams,
    /// <summary>A BERT WordPiece vocabulary file (<see cref="SiameseTextOptions.WordPieceVocabulary"/>; what ONNX exports of BERT-like models read).</summary>
    WordPiece,
}

/// <summary>
/// The text side shared by the two-tower methods (DEXA, DEXML): tokenizer, sequence settings and a fresh encoder
/// from a <see cref="SiameseTextOptions"/>, so neither method imports the other.
/// </summary>
public static class TextTowers
{
    /// <summary>The tokenizer of a Siamese text method (DEXA, DEXML): a corpus vocabulary is built on the training and label texts.</summary>
    public static ITextTokenizer CreateTokenizer(SiameseTextOptions options, IReadOnlyList<string> texts, IReadOnlyList<string> labelTexts, TrainingMonitor monitor) =>
        options.Tokenizer switch
        {
            TextTokenizerKind.Words => CorpusVocabularyTokenizer.Build([.. texts, .. labelTexts], options.Vocabulary, monitor),
            TextTokenizerKind.HashedNgrams => new HashedNgramFeaturizer(options.Hashing),
            TextTokenizerKind.WordPiece => WordPieceTextTokenizer.Load(options.WordPieceVocabulary ?? throw new ArgumentException("the WordPiece tokenizer needs a vocab.txt")),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Tokenizer, "unknown tokenizer"),
        };

    /// <summary>Sequence settings: the given length or DEXA's per-data-set default; special tokens except for bags.</summary>
    public static SequenceOptions Sequence(SiameseTextOptions options, string dataset) => new()
    {
        MaxLength = options.MaxLength ?? SequenceOptions.ForDataset(dataset).MaxLength,
        AddSpecialTokens = options.Encoder != TextEncoderKind.BagOfEmbeddings,
    };

    /// <summary>A fresh encoder over the tokenizer's ids, its weights seeded from the run seed <paramref name="seed"/> (stream <see cref="SeedStreams.TwoTower.Encoder"/>).</summary>
    public static ITextEncoder CreateEncoder(SiameseTextOptions options, IComputeBackend backend, ITextTokenizer tokenizer, int seed) =>
        options.Encoder switch
        {
            TextEncoderKind.BagOfEmbeddings => new BagOfEmbeddingsEncoder(backend, tokenizer.VocabularySize, options.BagOfEmbeddings with { Seed = SeedStreams.TwoTower.Encoder.Of(seed) }),
            TextEncoderKind.Transformer => new TransformerEncoder(backend, tokenizer.VocabularySize,
                options.Transformer with { Seed = SeedStreams.TwoTower.Encoder.Of(seed), MaxPositions = Math.Max(options.Transformer.MaxPositions, options.MaxLength ?? 0) }),
            TextEncoderKind.Onnx => OnnxEncoder.Load(backend, options.OnnxModel ?? throw new ArgumentException("an ONNX encoder needs a model file"), tokenizer.VocabularySize, options.Onnx),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Encoder, "unknown encoder"),
        };

    /// <summary>Training points that have at least one label (a positive is drawn from each point's labels).</summary>
    public static int[] LabelledPoints(LabelMatrix labels) =>
        Enumerable.Range(0, labels.Rows).Where(i => labels.Matrix.RowLength(i) > 0).ToArray();
}
