using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace XcNotebooks.Text;

/// <summary>How text is cut into words: normalization, punctuation, minimum length and stop words.</summary>
public sealed record WordTokenizerOptions
{
    /// <summary>Cleaning applied before splitting (BERT-uncased defaults).</summary>
    public TextNormalization Normalization { get; init; } = new();

    /// <summary>Emits each punctuation or symbol character as a token of its own (BERT style); dropped when false.</summary>
    public bool KeepPunctuation { get; init; }

    /// <summary>Words shorter than this (in UTF-16 characters) are dropped; 2 gives scikit-learn's default pattern.</summary>
    public int MinTokenLength { get; init; } = 1;

    /// <summary>Words to drop, compared after normalization (see <see cref="Text.StopWords.English"/>); null keeps all.</summary>
    public IReadOnlyList<string>? StopWords { get; init; }
}

/// <summary>
/// Unicode-aware word splitting shared by every tokenizer of the kit. A word is a maximal run of letters, marks,
/// digits and connector punctuation ("_"), which is what <c>\w</c> matches; whitespace, control and format
/// characters separate words; every other punctuation or symbol character separates words and is, optionally, a
/// token of its own. Span-based: no allocation per word on the enumeration path.
/// </summary>
public sealed class WordTokenizer
{
    private readonly FrozenSet<string>? _stopWords;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _stopLookup;

    /// <summary>A tokenizer for <paramref name="options"/> (defaults when null).</summary>
    public WordTokenizer(WordTokenizerOptions? options = null)
    {
        Options = options ?? new WordTokenizerOptions();
        if (Options.MinTokenLength < 1) throw new ArgumentException($"MinTokenLength must be at least 1, got {Options.MinTokenLength}");
        Normalizer = new TextNormalizer(Options.Normalization);
        if (Options.StopWords is { Count: > 0 } stop)
        {
            _stopWords = stop.Select(Normalizer.Normalize).ToFrozenSet(StringComparer.Ordinal);
            _stopLookup = _stopWords.GetAlternateLookup<ReadOnlySpan<char>>();
        }
    }

    /// <summary>The options applied.</summary>
    public WordTokenizerOptions Options { get; }

    /// <summary>The normalizer applied before splitting.</summary>
    public TextNormalizer Normalizer { get; }

    /// <summary>The tokens of <paramref name="text"/> as strings (convenient; allocates one string per token).</summary>
    public IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        using var normalized = Normalizer.NormalizeToBuffer(text);
        foreach (var word in Words(normalized.Span)) tokens.Add(word.ToString());
        return tokens;
    }

    /// <summary>Enumerates the tokens of already normalized text (see <see cref="TextNormalizer.Normalize"/>) as spans.</summary>
    internal WordEnumerator Words(ReadOnlySpan<char> normalizedText) => new(normalizedText, this);

    internal bool IsStopWord(ReadOnlySpan<char> word) => _stopWords is not null && _stopLookup.Contains(word);

    internal enum CharKind : byte { Separator, Word, Punctuation }

    private static readonly CharKind[] AsciiKinds = BuildAsciiKinds();

    private static CharKind[] BuildAsciiKinds()
    {
        var kinds = new CharKind[128];
        for (int c = 0; c < 128; c++)
            kinds[c] = char.IsAsciiLetterOrDigit((char)c) || c == '_' ? CharKind.Word
                : c <= ' ' || c == 0x7f ? CharKind.Separator
                : CharKind.Punctuation;
        return kinds;
    }

    /// <summary>The kind of the character starting at <paramref name="text"/>[0] and its UTF-16 width.</summary>
    internal static (CharKind Kind, int Width) Classify(ReadOnlySpan<char> text)
    {
        char c = text[0];
        if (c < 128) return (AsciiKinds[c], 1);
        if (Rune.DecodeFromUtf16(text, out var rune, out int width) != System.Buffers.OperationStatus.Done)
            return (CharKind.Separator, Math.Max(1, width));
        var kind = Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate => CharKind.Separator,
            UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation
                or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation
                or UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol
                or UnicodeCategory.OtherSymbol => CharKind.Punctuation,
            _ => CharKind.Word, // letters, marks, numbers, connector punctuation, private use, unassigned
        };
        return (kind, width);
    }
}

/// <summary>Enumerates the tokens of normalized text as spans over it (no allocation).</summary>
internal ref struct WordEnumerator
{
    private readonly ReadOnlySpan<char> _text;
    private readonly WordTokenizer _tokenizer;
    private int _position;

    internal WordEnumerator(ReadOnlySpan<char> text, WordTokenizer tokenizer)
    {
        _text = text;
        _tokenizer = tokenizer;
        _position = 0;
        Current = default;
    }

    /// <summary>The current token.</summary>
    public ReadOnlySpan<char> Current { get; private set; }

    /// <summary>Lets the enumerator be used in foreach.</summary>
    public readonly WordEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next token.</summary>
    public bool MoveNext()
    {
        var options = _tokenizer.Options;
        while (_position < _text.Length)
        {
            var (kind, width) = WordTokenizer.Classify(_text[_position..]);
            if (kind == WordTokenizer.CharKind.Separator) { _position += width; continue; }
            if (kind == WordTokenizer.CharKind.Punctuation)
            {
                int at = _position;
                _position += width;
                if (!options.KeepPunctuation) continue;
                Current = _text.Slice(at, width);
                return true;
            }
            int start = _position;
            _position += width;
            while (_position < _text.Length)
            {
                var (next, w) = WordTokenizer.Classify(_text[_position..]);
                if (next != WordTokenizer.CharKind.Word) break;
                _position += w;
            }
            var word = _text[start.._position];
            if (word.Length < options.MinTokenLength || _tokenizer.IsStopWord(word)) continue;
            Current = word;
            return true;
        }
        return false;
    }
}
