using Microsoft.ML.Tokenizers;
using XcNotebooks.Data;

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
public sealed class WordPieceTextTokenizer : ITextTokenizer
{
    private readonly BertTokenizer _bert;
    private readonly TextNormalizer _normalizer;
    private readonly List<string> _tokens;

    private WordPieceTextTokenizer(string path, WordPieceVocabularyOptions options)
    {
        Options = options;
        VocabularyPath = path;
        _tokens = VocabularyFiles.ReadWordPiece(path);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _tokens.Count; i++) ids[_tokens[i]] = i;
        int? IdOf(string token) => ids.TryGetValue(token, out int id) ? id : null;
        PadId = VocabularyFiles.Require(path, IdOf, options.PadToken, "padding");
        UnknownId = VocabularyFiles.Require(path, IdOf, options.UnknownToken, "unknown");
        ClsId = VocabularyFiles.Require(path, IdOf, options.ClsToken, "sequence-start");
        SepId = VocabularyFiles.Require(path, IdOf, options.SepToken, "sequence-end");
        VocabularyFiles.Require(path, IdOf, options.MaskToken, "masking");
        _normalizer = new TextNormalizer(options.Normalization);
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
        Fingerprint = VocabularyFiles.Fingerprint(Name, options, path);
    }

    /// <summary>Loads a vocab.txt (one token per line; plain, .gz or .bz2) and checks it has the special tokens.</summary>
    public static WordPieceTextTokenizer Load(string vocabularyPath, WordPieceVocabularyOptions? options = null) =>
        new(vocabularyPath, options ?? new WordPieceVocabularyOptions());

    /// <summary>The options applied.</summary>
    public WordPieceVocabularyOptions Options { get; }

    /// <summary>The vocab.txt it was loaded from.</summary>
    public string VocabularyPath { get; }

    /// <inheritdoc/>
    public string Name => "wordpiece";

    /// <inheritdoc/>
    public string Fingerprint { get; }

    /// <inheritdoc/>
    public int VocabularySize => _tokens.Count;

    /// <inheritdoc/>
    public int PadId { get; }

    /// <inheritdoc/>
    public int? UnknownId { get; }

    /// <inheritdoc/>
    public int? ClsId { get; }

    /// <inheritdoc/>
    public int? SepId { get; }

    /// <inheritdoc/>
    public IReadOnlyList<int> Encode(string text, int maxTokens = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (maxTokens <= 0) return [];
        return _bert.EncodeToIds(_normalizer.Normalize(text), maxTokens, addSpecialTokens: false, out _, out _,
            considerPreTokenization: true, considerNormalization: false);
    }

    /// <inheritdoc/>
    public string Decode(IEnumerable<int> ids) => _bert.Decode(ids.Where(id => id != PadId), skipSpecialTokens: false);

    /// <inheritdoc/>
    public string TokenOf(int id) =>
        (uint)id < (uint)_tokens.Count ? _tokens[id] : throw new ArgumentOutOfRangeException(nameof(id), $"id {id} outside 0..{_tokens.Count - 1}");

    /// <summary>Vocabulary size and file.</summary>
    public override string ToString() => $"WordPieceTextTokenizer: {VocabularySize:N0} tokens from {VocabularyPath}";
}
