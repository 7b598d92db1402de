using XcNotebooks.Core;

namespace XcNotebooks.Text;

/// <summary>
/// What the tokenizers over a user-supplied vocabulary file (WordPiece, BPE) share: the token list, the ids of the
/// special tokens (checked to be in the file), and normalization by <see cref="TextNormalizer"/> before the
/// Microsoft.ML.Tokenizers model runs.
/// </summary>
public abstract class VocabularyFileTokenizer : ITextTokenizer
{
    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    private protected VocabularyFileTokenizer(string name, string vocabularyPath, string[] tokensById, string fingerprint,
        TextNormalization normalization, string padToken, string? unknownToken, string? clsToken, string? sepToken)
    {
        Name = name;
        VocabularyPath = vocabularyPath;
        _tokens = tokensById;
        for (int id = 0; id < tokensById.Length; id++)
            if (tokensById[id] is { } token) _ids[token] = id;
        Fingerprint = fingerprint;
        Normalizer = new TextNormalizer(normalization);
        PadId = RequireToken(padToken, "padding");
        UnknownId = unknownToken is null ? null : RequireToken(unknownToken, "unknown");
        ClsId = clsToken is null ? null : RequireToken(clsToken, "sequence-start");
        SepId = sepToken is null ? null : RequireToken(sepToken, "sequence-end");
    }

    /// <summary>The vocabulary file.</summary>
    public string VocabularyPath { get; }

    /// <summary>The normalization applied before the subword model.</summary>
    public TextNormalizer Normalizer { get; }

    /// <inheritdoc/>
    public string Name { get; }

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
        return maxTokens <= 0 ? [] : EncodeNormalized(Normalizer.Normalize(text), maxTokens);
    }

    /// <inheritdoc/>
    public string Decode(IEnumerable<int> ids) => DecodeIds(ids.Where(id => id != PadId));

    /// <inheritdoc/>
    public string TokenOf(int id) =>
        (uint)id < (uint)_tokens.Length && _tokens[id] is { } token ? token
            : throw new ArgumentOutOfRangeException(nameof(id), $"id {id} is not in the vocabulary");

    /// <summary>The subword model's ids of normalized text.</summary>
    private protected abstract IReadOnlyList<int> EncodeNormalized(string normalizedText, int maxTokens);

    /// <summary>The subword model's decoding.</summary>
    private protected abstract string DecodeIds(IEnumerable<int> ids);

    /// <summary>The id of a token that must be in the vocabulary, or an error naming the file.</summary>
    private protected int RequireToken(string token, string role) =>
        _ids.TryGetValue(token, out int id) ? id : throw new DataFormatException(VocabularyPath, 0, $"the vocabulary has no {role} token '{token}'");

    /// <summary>Vocabulary size and file.</summary>
    public override string ToString() => $"{GetType().Name}: {VocabularySize:N0} tokens from {VocabularyPath}";
}
