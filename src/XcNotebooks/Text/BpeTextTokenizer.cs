using Microsoft.ML.Tokenizers;
using XcNotebooks.Data;

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
public sealed class BpeTextTokenizer : ITextTokenizer
{
    private readonly BpeTokenizer _bpe;
    private readonly TextNormalizer _normalizer;
    private readonly string[] _tokens;

    private BpeTextTokenizer(string vocabularyPath, string mergesPath, BpeVocabularyOptions options)
    {
        Options = options;
        var vocabulary = VocabularyFiles.ReadBpeVocabulary(vocabularyPath);
        var merges = VocabularyFiles.ReadMerges(mergesPath);
        _tokens = new string[vocabulary.Values.Max() + 1];
        foreach (var (token, id) in vocabulary) _tokens[id] = token;
        int? IdOf(string token) => vocabulary.TryGetValue(token, out int id) ? id : null;
        PadId = VocabularyFiles.Require(vocabularyPath, IdOf, options.PadToken, "padding");
        UnknownId = options.UnknownToken is null ? null : VocabularyFiles.Require(vocabularyPath, IdOf, options.UnknownToken, "unknown");
        ClsId = options.BeginToken is null ? null : VocabularyFiles.Require(vocabularyPath, IdOf, options.BeginToken, "sequence-start");
        SepId = options.EndToken is null ? null : VocabularyFiles.Require(vocabularyPath, IdOf, options.EndToken, "sequence-end");
        _normalizer = new TextNormalizer(options.Normalization);
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
        Fingerprint = VocabularyFiles.Fingerprint(Name, options, vocabularyPath, mergesPath);
    }

    /// <summary>Loads vocab.json and merges.txt (plain, .gz or .bz2) and checks them.</summary>
    public static BpeTextTokenizer Load(string vocabularyPath, string mergesPath, BpeVocabularyOptions? options = null) =>
        new(vocabularyPath, mergesPath, options ?? new BpeVocabularyOptions());

    /// <summary>The options applied.</summary>
    public BpeVocabularyOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "bpe";

    /// <inheritdoc/>
    public string Fingerprint { get; }

    /// <inheritdoc/>
    public int VocabularySize => _tokens.Length;

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
        return _bpe.EncodeToIds(_normalizer.Normalize(text), maxTokens, out _, out _, considerPreTokenization: true, considerNormalization: false);
    }

    /// <inheritdoc/>
    public string Decode(IEnumerable<int> ids) => _bpe.Decode(ids.Where(id => id != PadId), considerSpecialTokens: true);

    /// <inheritdoc/>
    public string TokenOf(int id) =>
        (uint)id < (uint)_tokens.Length && _tokens[id] is { } token ? token
            : throw new ArgumentOutOfRangeException(nameof(id), $"id {id} is not in the vocabulary");

    /// <summary>Vocabulary size.</summary>
    public override string ToString() => $"BpeTextTokenizer: {VocabularySize:N0} ids";
}
