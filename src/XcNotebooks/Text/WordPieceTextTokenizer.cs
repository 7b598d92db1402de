using Microsoft.ML.Tokenizers;
using XcNotebooks.Core;

namespace XcNotebooks.Text;

/// <summary>How a BERT-style WordPiece vocabulary is applied (defaults: bert-base-uncased).</summary>
public sealed record WordPieceVocabularyOptions
{
    /// <summary>Cleaning before tokenization; the default is BERT uncased (lower case, accents removed). For cased
    /// vocabularies set LowerCase and StripAccents to false.</summary>
    public TextNormalization Normalization { get; init; } = new();

    /// <summary>Token for pieces the vocabulary lacks.</summary>
    public string UnknownToken { get; init; } = "[UNK]";

    /// <summary>Sequence-start token.</summary>
    public string ClsToken { get; init; } = "[CLS]";

    /// <summary>Sequence-end token.</summary>
    public string SepToken { get; init; } = "[SEP]";

    /// <summary>Padding token.</summary>
    public string PadToken { get; init; } = "[PAD]";

    /// <summary>Masking token (BERT vocabularies have one; the tokenizer requires it).</summary>
    public string MaskToken { get; init; } = "[MASK]";

    /// <summary>Prefix of word pieces that continue a word.</summary>
    public string ContinuingSubwordPrefix { get; init; } = "##";

    /// <summary>Longer words become the unknown token.</summary>
    public int MaxInputCharsPerWord { get; init; } = 100;
}

/// <summary>
/// WordPiece tokenization with a BERT vocab.txt supplied by the user, through Microsoft.ML.Tokenizers'
/// <see cref="BertTokenizer"/>. Normalization is done here (<see cref="TextNormalizer"/>) because the library's
/// accent removal relies on ICU normalization, which does nothing under invariant globalization.
/// </summary>
public sealed class WordPieceTextTokenizer : VocabularyFileTokenizer
{
    private readonly BertTokenizer _bert;

    private WordPieceTextTokenizer(string path, WordPieceVocabularyOptions options)
        : base("wordpiece", path, [.. VocabularyFiles.ReadWordPiece(path)], VocabularyFiles.Fingerprint("wordpiece", options, path),
            options.Normalization, options.PadToken, options.UnknownToken, options.ClsToken, options.SepToken)
    {
        Options = options;
        RequireToken(options.MaskToken, "masking");
        using var stream = InputFile.OpenRead(path);
        _bert = BertTokenizer.Create(stream, new BertOptions
        {
            LowerCaseBeforeTokenization = options.Normalization.LowerCase,
            RemoveNonSpacingMarks = options.Normalization.StripAccents,
            IndividuallyTokenizeCjk = options.Normalization.SeparateCjk,
            ApplyBasicTokenization = true,
            UnknownToken = options.UnknownToken,
            ClassificationToken = options.ClsToken,
            SeparatorToken = options.SepToken,
            PaddingToken = options.PadToken,
            MaskingToken = options.MaskToken,
            ContinuingSubwordPrefix = options.ContinuingSubwordPrefix,
            MaxInputCharsPerWord = options.MaxInputCharsPerWord,
        });
    }

    /// <summary>Loads a vocab.txt (one token per line; plain, .gz or .bz2) and checks it has the special tokens.</summary>
    public static WordPieceTextTokenizer Load(string vocabularyPath, WordPieceVocabularyOptions? options = null) =>
        new(vocabularyPath, options ?? new WordPieceVocabularyOptions());

    /// <summary>The options applied.</summary>
    public WordPieceVocabularyOptions Options { get; }

    private protected override IReadOnlyList<int> EncodeNormalized(string normalizedText, int maxTokens)
    {
        // The library stops before a word whose pieces would pass the limit, whereas BERT truncation (HF) cuts the
        // piece list itself. A word has at most MaxInputCharsPerWord pieces, so with this much headroom every word
        // starting before maxTokens is complete, and the first maxTokens ids are exactly HF's.
        int limit = (int)Math.Min(int.MaxValue, (long)maxTokens + Options.MaxInputCharsPerWord);
        var ids = _bert.EncodeToIds(normalizedText, limit, addSpecialTokens: false, out _, out _, considerPreTokenization: true, considerNormalization: false);
        return ids.Count <= maxTokens ? ids : ids.Take(maxTokens).ToArray();
    }

    private protected override string DecodeIds(IEnumerable<int> ids) => _bert.Decode(ids, skipSpecialTokens: false);
}
