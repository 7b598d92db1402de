using System.Buffers;
using System.Text;
using System.Text.Json;
using XcNotebooks.Core;

namespace XcNotebooks.Text;

/// <summary>Hashed word and character n-gram features (fastText style).</summary>
public sealed record HashedNgramOptions
{
    /// <summary>Number of hash buckets (feature columns).</summary>
    public int NumBuckets { get; init; } = 1 << 20;

    /// <summary>Longest word n-gram: 1 for words only, 2 adds bigrams.</summary>
    public int MaxWordNgram { get; init; } = 2;

    /// <summary>Shortest character n-gram, counted with the boundary marks '&lt;' and '&gt;'.</summary>
    public int MinCharNgram { get; init; } = 3;

    /// <summary>Longest character n-gram; 0 turns character n-grams off.</summary>
    public int MaxCharNgram { get; init; } = 5;

    /// <summary>Seed of the hash function: another seed gives another (equally good) assignment of n-grams to buckets.</summary>
    public int Seed { get; init; }

    /// <summary>How texts are cut into words.</summary>
    public WordTokenizerOptions Text { get; init; } = new();
}

/// <summary>
/// Maps each word, word n-gram and character n-gram of a text to one of <see cref="HashedNgramOptions.NumBuckets"/>
/// buckets with a seeded 32-bit FNV-1a hash: bucket = FNV-1a(kind byte, UTF-8 n-gram) mod buckets, where the kind is
/// 'w' for word n-grams (words joined by one space) and 'c' for character n-grams of "&lt;word&gt;". Needs no fitting;
/// gives count rows (<see cref="CountMatrix"/>) or bucket-id lists for embedding bags (<see cref="Encode"/>, padding
/// id = NumBuckets). Order of ids: each word followed by its character n-grams (by start, then length), then the
/// word n-grams of 2, 3, ... words in text order.
/// </summary>
public sealed class HashedNgramFeaturizer : ITextTokenizer, ITextFeaturizer
{
    internal const string FileKind = "hashed-ngrams";

    /// <summary>A featurizer for <paramref name="options"/> (defaults when null).</summary>
    public HashedNgramFeaturizer(HashedNgramOptions? options = null)
    {
        Options = options ?? new HashedNgramOptions();
        if (Options.NumBuckets < 1) throw new ArgumentException($"NumBuckets must be positive, got {Options.NumBuckets}");
        if (Options.MaxWordNgram < 1) throw new ArgumentException($"MaxWordNgram must be at least 1, got {Options.MaxWordNgram}");
        if (Options.MaxCharNgram != 0 && (Options.MinCharNgram < 1 || Options.MaxCharNgram < Options.MinCharNgram))
            throw new ArgumentException($"character n-gram lengths {Options.MinCharNgram}..{Options.MaxCharNgram} are not a valid range (MaxCharNgram 0 turns them off)");
        WordSplitter = new WordTokenizer(Options.Text);
        Fingerprint = ContentHash.Of(Encoding.UTF8.GetBytes(FileKind + JsonSerializer.Serialize(Options)));
    }

    /// <summary>The options applied.</summary>
    public HashedNgramOptions Options { get; }

    /// <summary>The word splitter.</summary>
    public WordTokenizer WordSplitter { get; }

    /// <inheritdoc/>
    public string Name => FileKind;

    /// <inheritdoc/>
    public string Fingerprint { get; }

    /// <inheritdoc/>
    public int VocabularySize => Options.NumBuckets + 1;

    /// <inheritdoc/>
    public int PadId => Options.NumBuckets;

    /// <inheritdoc/>
    public int? UnknownId => null;

    /// <inheritdoc/>
    public int? ClsId => null;

    /// <inheritdoc/>
    public int? SepId => null;

    /// <inheritdoc/>
    public int NumFeatures => Options.NumBuckets;

    /// <inheritdoc/>
    public IReadOnlyList<int> Encode(string text, int maxTokens = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        Collect(text, ids, maxTokens, null);
        return ids;
    }

    /// <summary>
    /// The hashed keys of <paramref name="text"/> in the order of <see cref="Encode"/>: "w" then the word n-gram, or
    /// "c" then the character n-gram (for display and checking).
    /// </summary>
    public IReadOnlyList<string> FeatureKeys(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var keys = new List<string>();
        Collect(text, new List<int>(), int.MaxValue, keys);
        return keys;
    }

    /// <summary>The bucket of a key as <see cref="FeatureKeys"/> writes it.</summary>
    public int BucketOf(string key) => Bucket(Fnv1a.AppendUtf8(Fnv1a.Start(Options.Seed), key));

    /// <inheritdoc/>
    public CsrMatrix CountMatrix(IReadOnlyList<string> texts) =>
        SparseCounts.Build(texts, NumFeatures, (text, columns) => Collect(text, columns, int.MaxValue, null));

    /// <inheritdoc/>
    public string Decode(IEnumerable<int> ids) => string.Join(' ', ids.Where(id => id != PadId).Select(TokenOf));

    /// <inheritdoc/>
    public string TokenOf(int id) =>
        id == PadId ? "[PAD]" : (uint)id < (uint)NumFeatures ? $"#{id}" : throw new ArgumentOutOfRangeException(nameof(id), $"id {id} outside 0..{PadId}");

    /// <inheritdoc/>
    public string FeatureName(int column) => TokenOf(column);

    private int Bucket(uint hash) => (int)(hash % (uint)Options.NumBuckets);

    private void Collect(string text, List<int> ids, int maxTokens, List<string>? keys)
    {
        if (maxTokens <= 0) return;
        using var normalized = WordSplitter.Normalizer.NormalizeToBuffer(text);
        var span = normalized.Span;
        // At most one token per character (punctuation kept, one-letter words).
        var starts = ArrayPool<int>.Shared.Rent(span.Length + 1);
        var lengths = ArrayPool<int>.Shared.Rent(span.Length + 1);
        try
        {
            int words = 0;
            uint wordStart = Fnv1a.Append(Fnv1a.Start(Options.Seed), (byte)'w');
            foreach (var word in WordSplitter.Words(span))
            {
                span.Overlaps(word, out int offset);
                starts[words] = offset;
                lengths[words++] = word.Length;
                if (!Add(Fnv1a.AppendUtf8(wordStart, word), ids, maxTokens)) return;
                keys?.Add("w" + word.ToString());
                if (Options.MaxCharNgram > 0 && !AddCharNgrams(word, ids, maxTokens, keys)) return;
            }
            for (int n = 2; n <= Options.MaxWordNgram; n++)
            {
                for (int first = 0; first + n <= words; first++)
                {
                    uint hash = wordStart;
                    for (int k = first; k < first + n; k++)
                    {
                        if (k > first) hash = Fnv1a.Append(hash, (byte)' ');
                        hash = Fnv1a.AppendUtf8(hash, span.Slice(starts[k], lengths[k]));
                    }
                    if (!Add(hash, ids, maxTokens)) return;
                    keys?.Add(WordNgramKey(span, starts.AsSpan(first, n), lengths.AsSpan(first, n)));
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(starts);
            ArrayPool<int>.Shared.Return(lengths);
        }
    }

    /// <summary>Character n-grams of "&lt;word&gt;" over code points, by start then length (fastText's order).</summary>
    private bool AddCharNgrams(ReadOnlySpan<char> word, List<int> ids, int maxTokens, List<string>? keys)
    {
        // Rune boundaries of the word: rune k spans [bounds[k], bounds[k+1]).
        int[]? rented = null;
        Span<int> bounds = word.Length < 128 ? stackalloc int[word.Length + 1] : (rented = ArrayPool<int>.Shared.Rent(word.Length + 1));
        int runes = 0;
        for (int i = 0; i < word.Length;)
        {
            bounds[runes++] = i;
            i += char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1]) ? 2 : 1;
        }
        bounds[runes] = word.Length;
        int wrapped = runes + 2; // '<' + runes + '>'
        uint charStart = Fnv1a.Append(Fnv1a.Start(Options.Seed), (byte)'c');
        try
        {
            for (int i = 0; i < wrapped; i++)
            {
                for (int n = Options.MinCharNgram; n <= Options.MaxCharNgram && i + n <= wrapped; n++)
                {
                    if (n == 1 && (i == 0 || i == wrapped - 1)) continue; // a lone boundary mark says nothing
                    bool open = i == 0, close = i + n == wrapped;
                    int from = Math.Max(i, 1) - 1, to = Math.Min(i + n, wrapped - 1) - 1; // word runes [from, to)
                    var inner = word[bounds[from]..bounds[to]];
                    uint hash = charStart;
                    if (open) hash = Fnv1a.Append(hash, (byte)'<');
                    hash = Fnv1a.AppendUtf8(hash, inner);
                    if (close) hash = Fnv1a.Append(hash, (byte)'>');
                    if (!Add(hash, ids, maxTokens)) return false;
                    keys?.Add($"c{(open ? "<" : "")}{inner}{(close ? ">" : "")}");
                }
            }
            return true;
        }
        finally
        {
            if (rented is not null) ArrayPool<int>.Shared.Return(rented);
        }
    }

    private bool Add(uint hash, List<int> ids, int maxTokens)
    {
        if (ids.Count >= maxTokens) return false;
        ids.Add(Bucket(hash));
        return true;
    }

    /// <summary>The key of a word n-gram: its words joined by single spaces, whatever separated them in the text.</summary>
    private static string WordNgramKey(ReadOnlySpan<char> text, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths)
    {
        var sb = new StringBuilder("w");
        for (int k = 0; k < starts.Length; k++)
        {
            if (k > 0) sb.Append(' ');
            sb.Append(text.Slice(starts[k], lengths[k]));
        }
        return sb.ToString();
    }

    internal void WritePayload(BinaryWriter w) => w.Write(JsonSerializer.Serialize(Options));

    internal static HashedNgramFeaturizer ReadPayload(BinaryReader r, string path) =>
        new(JsonSerializer.Deserialize<HashedNgramOptions>(r.ReadString()) ?? throw new DataFormatException(path, 0, "hashing options are missing"));

    /// <summary>Buckets and n-gram ranges.</summary>
    public override string ToString() =>
        $"HashedNgramFeaturizer: {Options.NumBuckets:N0} buckets, word 1..{Options.MaxWordNgram}-grams, " +
        (Options.MaxCharNgram == 0 ? "no character n-grams" : $"character {Options.MinCharNgram}..{Options.MaxCharNgram}-grams");
}
