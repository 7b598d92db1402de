using Microsoft.ML.Tokenizers;

namespace XcNotebooks.Text;

/// <summary>How text is split into words before byte-pair merges.</summary>
public enum BpePreTokenization
{
    /// <summary>Split at whitespace only.</summary>
    Whitespace,
    /// <summary>Words and punctuation marks apart.</summary>
    WordOrPunctuation,
    /// <summary>The GPT-2/RoBERTa pattern (use with <see cref="BpeVocabularyOptions.ByteLevel"/>).</summary>
    Gpt2,
}

/// <summary>How a BPE vocabulary (vocab.json + merges.txt) is applied.</summary>
public sealed record BpeVocabularyOptions
{
    /// <summary>Cleaning before tokenization; none by default (BPE vocabularies are usually cased).</summary>
    public TextNormalization Normalization { get; init; } = TextNormalization.None;

    /// <summary>Pre-tokenization.</summary>
    public BpePreTokenization PreTokenization { get; init; } = BpePreTokenization.Whitespace;

    /// <summary>Byte-level BPE (GPT-2, RoBERTa): text becomes UTF-8 bytes mapped to printable characters.</summary>
    public bool ByteLevel { get; init; }

    /// <summary>Token for characters the vocabulary lacks, or null (byte-level vocabularies cover everything).</summary>
    public string? UnknownToken { get; init; } = "<unk>";

    /// <summary>Padding token (must be in the vocabulary).</summary>
    public string PadToken { get; init; } = "<pad>";

    /// <summary>Sequence-start token, or null for none.</summary>
    public string? BeginToken { get; init; }

    /// <summary>Sequence-end token, or null for none.</summary>
    public string? EndToken { get; init; }

    /// <summary>Prefix marking pieces that continue a word, if the vocabulary uses one.</summary>
    public string? ContinuingSubwordPrefix { get; init; }

    /// <summary>Suffix marking the end of a word (e.g. "&lt;/w&gt;"), if the vocabulary uses one.</summary>
    public string? EndOfWordSuffix { get; init; }

    /// <summary>RoBERTa's settings: byte level, GPT-2 pre-tokenization, &lt;s&gt; ... &lt;/s&gt;, &lt;pad&gt;, &lt;unk&gt;.</summary>
    public static BpeVocabularyOptions Roberta { get; } = new()
    {
        ByteLevel = true, PreTokenization = BpePreTokenization.Gpt2, BeginToken = "<s>", EndToken = "</s>",
    };
}

/// <summary>
/// Byte-pair encoding with a vocab.json and merges.txt supplied by the user, through Microsoft.ML.Tokenizers'
/// <see cref="BpeTokenizer"/>. Both files are checked first (errors name file and line).
/// </summary>
public sealed class BpeTextTokenizer : VocabularyFileTokenizer
{
    private readonly BpeTokenizer _bpe;

    private BpeTextTokenizer(Dictionary<string, int> vocabulary, List<string> merges, string vocabularyPath, string mergesPath, BpeVocabularyOptions options)
        : base("bpe", vocabularyPath, TokensById(vocabulary), VocabularyFiles.Fingerprint("bpe", options, vocabularyPath, mergesPath),
            options.Normalization, options.PadToken, options.UnknownToken, options.BeginToken, options.EndToken)
    {
        Options = options;
        var specials = new[] { options.PadToken, options.UnknownToken, options.BeginToken, options.EndToken }
            .OfType<string>().Distinct().ToDictionary(t => t, t => vocabulary[t]);
        _bpe = BpeTokenizer.Create(new BpeOptions(vocabulary)
        {
            Merges = merges,
            UnknownToken = options.UnknownToken,
            ByteLevel = options.ByteLevel,
            ContinuingSubwordPrefix = options.ContinuingSubwordPrefix,
            EndOfWordSuffix = options.EndOfWordSuffix,
            SpecialTokens = specials,
            PreTokenizer = options.PreTokenization switch
            {
                BpePreTokenization.Whitespace => PreTokenizer.CreateWhiteSpace(specials),
                BpePreTokenization.WordOrPunctuation => PreTokenizer.CreateWordOrPunctuation(specials),
                _ => RobertaPreTokenizer.Instance,
            },
        });
    }

    /// <summary>Loads vocab.json and merges.txt (plain, .gz or .bz2) and checks them.</summary>
    public static BpeTextTokenizer Load(string vocabularyPath, string mergesPath, BpeVocabularyOptions? options = null) =>
        new(VocabularyFiles.ReadBpeVocabulary(vocabularyPath), VocabularyFiles.ReadMerges(mergesPath), vocabularyPath, mergesPath,
            options ?? new BpeVocabularyOptions());

    /// <summary>The options applied.</summary>
    public BpeVocabularyOptions Options { get; }

    private static string[] TokensById(Dictionary<string, int> vocabulary)
    {
        var tokens = new string[vocabulary.Values.Max() + 1];
        foreach (var (token, id) in vocabulary) tokens[id] = token;
        return tokens;
    }

    private protected override IReadOnlyList<int> EncodeNormalized(string normalizedText, int maxTokens) =>
        _bpe.EncodeToIds(normalizedText, maxTokens, out _, out _, considerPreTokenization: true, considerNormalization: false);

    private protected override string DecodeIds(IEnumerable<int> ids) => _bpe.Decode(ids, considerSpecialTokens: true);
}
