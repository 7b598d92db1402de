using System.Runtime.InteropServices;
using System.Text.Json;
using XcNotebooks.Core;

namespace XcNotebooks.Text;

/// <summary>How a vocabulary is built from training texts.</summary>
public sealed record CorpusVocabularyOptions
{
    /// <summary>How texts are cut into words.</summary>
    public WordTokenizerOptions Text { get; init; } = new();

    /// <summary>Words occurring fewer times than this in the corpus are left out (they map to the unknown token).</summary>
    public int MinCount { get; init; } = 1;

    /// <summary>Words found in fewer texts than this are left out (scikit-learn's min_df).</summary>
    public int MinDocumentFrequency { get; init; } = 1;

    /// <summary>Keep at most this many words, the most frequent (ties by ordinal order); null keeps all. Special tokens are extra.</summary>
    public int? MaxSize { get; init; }

    /// <summary>Padding token (id 0).</summary>
    public string PadToken { get; init; } = "[PAD]";

    /// <summary>Unknown-word token (id 1).</summary>
    public string UnknownToken { get; init; } = "[UNK]";

    /// <summary>Sequence-start token (next id), or null for none.</summary>
    public string? ClsToken { get; init; } = "[CLS]";

    /// <summary>Sequence-end token (next id), or null for none.</summary>
    public string? SepToken { get; init; } = "[SEP]";
}

/// <summary>
/// A word vocabulary built from a training corpus: the special tokens first ([PAD]=0, [UNK]=1, [CLS], [SEP]), then
/// the words by decreasing count. Encodes with the shared <see cref="WordTokenizer"/>; also a featurizer whose
/// columns are the words (for TF-IDF). Saved and loaded through <see cref="ModelFile"/>.
/// </summary>
public sealed class CorpusVocabularyTokenizer : ITextTokenizer, ITextFeaturizer
{
    internal const string FileKind = "corpus-vocabulary";
    private const int FormatVersion = 1;

    private readonly string[] _tokens;
    private readonly long[] _counts;
    private readonly int[] _documentFrequencies;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Lazy<string> _fingerprint;

    private CorpusVocabularyTokenizer(CorpusVocabularyOptions options, string[] words, long[] counts, int[] documentFrequencies)
    {
        Options = options;
        WordSplitter = new WordTokenizer(options.Text);
        var specials = SpecialTokens(options);
        FirstWordId = specials.Count;
        _tokens = [.. specials, .. words];
        _counts = counts;
        _documentFrequencies = documentFrequencies;
        _ids = new Dictionary<string, int>(_tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < _tokens.Length; i++)
            if (!_ids.TryAdd(_tokens[i], i)) throw new ArgumentException($"token '{_tokens[i]}' appears twice in the vocabulary");
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        ClsId = options.ClsToken is null ? null : _ids[options.ClsToken];
        SepId = options.SepToken is null ? null : _ids[options.SepToken];
        _fingerprint = new Lazy<string>(() =>
        {
            using var ms = new MemoryStream();
            using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true)) WritePayload(w);
            return ContentHash.Of(ms.GetBuffer().AsSpan(0, (int)ms.Length));
        });
    }

    /// <summary>Builds the vocabulary of <paramref name="texts"/> (parallel count, deterministic result).</summary>
    public static CorpusVocabularyTokenizer Build(IReadOnlyList<string> texts, CorpusVocabularyOptions? options = null, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        options ??= new CorpusVocabularyOptions();
        if (options.MinCount < 1 || options.MinDocumentFrequency < 1)
            throw new ArgumentException($"MinCount ({options.MinCount}) and MinDocumentFrequency ({options.MinDocumentFrequency}) must be at least 1");
        if (options.MaxSize is < 0) throw new ArgumentException($"MaxSize must not be negative, got {options.MaxSize}");
        var specials = SpecialTokens(options);
        var splitter = new WordTokenizer(options.Text);
        monitor ??= TrainingMonitor.Silent;
        var total = new Dictionary<string, WordStats>(StringComparer.Ordinal);
        const int chunk = 512;
        int chunks = (texts.Count + chunk - 1) / chunk;
        long done = 0;
        Parallel.For(0, chunks, () => new Dictionary<string, WordStats>(StringComparer.Ordinal), (c, loop, local) =>
        {
            var lookup = local.GetAlternateLookup<ReadOnlySpan<char>>();
            int end = Math.Min(texts.Count, (c + 1) * chunk);
            for (int doc = c * chunk; doc < end; doc++)
            {
                using var normalized = splitter.Normalizer.NormalizeToBuffer(texts[doc] ?? throw new ArgumentException($"text {doc} is null"));
                foreach (var word in splitter.Words(normalized.Span))
                {
                    ref var stats = ref CollectionsMarshal.GetValueRefOrAddDefault(lookup, word, out _);
                    stats.Count++;
                    if (stats.LastDocument != doc + 1) { stats.DocumentFrequency++; stats.LastDocument = doc + 1; }
                }
            }
            monitor.Report("vocabulary", Interlocked.Add(ref done, end - c * chunk), texts.Count);
            return local;
        }, local =>
        {
            lock (total)
            {
                foreach (var (word, stats) in local)
                {
                    ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(total, word, out _);
                    sum.Count += stats.Count;
                    sum.DocumentFrequency += stats.DocumentFrequency;
                }
            }
        });
        var kept = total
            .Where(p => p.Value.Count >= options.MinCount && p.Value.DocumentFrequency >= options.MinDocumentFrequency && !specials.Contains(p.Key))
            .OrderByDescending(p => p.Value.Count).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(options.MaxSize ?? int.MaxValue)
            .ToArray();
        monitor.Write($"vocabulary: {kept.Length:N0} words kept of {total.Count:N0} distinct in {texts.Count:N0} texts");
        return new CorpusVocabularyTokenizer(options, kept.Select(p => p.Key).ToArray(),
            kept.Select(p => p.Value.Count).ToArray(), kept.Select(p => p.Value.DocumentFrequency).ToArray());
    }

    private struct WordStats
    {
        public long Count;
        public int DocumentFrequency;
        public int LastDocument;
    }

    private static List<string> SpecialTokens(CorpusVocabularyOptions options)
    {
        var specials = new List<string> { options.PadToken, options.UnknownToken };
        if (options.ClsToken is not null) specials.Add(options.ClsToken);
        if (options.SepToken is not null) specials.Add(options.SepToken);
        if (specials.Any(string.IsNullOrEmpty)) throw new ArgumentException("special tokens must not be empty");
        if (specials.Distinct(StringComparer.Ordinal).Count() != specials.Count)
            throw new ArgumentException($"special tokens must be distinct: {string.Join(", ", specials)}");
        return specials;
    }

    /// <summary>The options the vocabulary was built with.</summary>
    public CorpusVocabularyOptions Options { get; }

    /// <summary>The word splitter used for encoding.</summary>
    public WordTokenizer WordSplitter { get; }

    /// <summary>Every token by id: the special tokens, then the words.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>Id of the first word (the number of special tokens); word w has id FirstWordId + w.</summary>
    public int FirstWordId { get; }

    /// <summary>The words, most frequent first (feature column w is word w).</summary>
    public IReadOnlyList<string> Words => new ArraySegment<string>(_tokens, FirstWordId, _tokens.Length - FirstWordId);

    /// <summary>Occurrences of each word in the training corpus.</summary>
    public IReadOnlyList<long> WordCounts => _counts;

    /// <summary>Number of training texts containing each word.</summary>
    public IReadOnlyList<int> DocumentFrequencies => _documentFrequencies;

    /// <summary>The id of <paramref name="token"/>, or the unknown id when it is not in the vocabulary.</summary>
    public int IdOf(string token) => _ids.TryGetValue(token, out int id) ? id : UnknownId!.Value;

    /// <inheritdoc/>
    public string Name => FileKind;

    /// <inheritdoc/>
    public string Fingerprint => _fingerprint.Value;

    /// <inheritdoc/>
    public int VocabularySize => _tokens.Length;

    /// <inheritdoc/>
    public int PadId => 0;

    /// <inheritdoc/>
    public int? UnknownId => 1;

    /// <inheritdoc/>
    public int? ClsId { get; }

    /// <inheritdoc/>
    public int? SepId { get; }

    /// <inheritdoc/>
    public IReadOnlyList<int> Encode(string text, int maxTokens = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        using var normalized = WordSplitter.Normalizer.NormalizeToBuffer(text);
        foreach (var word in WordSplitter.Words(normalized.Span))
        {
            if (ids.Count >= maxTokens) break;
            ids.Add(_lookup.TryGetValue(word, out int id) ? id : 1);
        }
        return ids;
    }

    /// <inheritdoc/>
    public string Decode(IEnumerable<int> ids) => string.Join(' ', ids.Where(id => id != PadId).Select(TokenOf));

    /// <inheritdoc/>
    public string TokenOf(int id) =>
        (uint)id < (uint)_tokens.Length ? _tokens[id] : throw new ArgumentOutOfRangeException(nameof(id), $"id {id} outside 0..{_tokens.Length - 1}");

    /// <inheritdoc/>
    public int NumFeatures => _tokens.Length - FirstWordId;

    /// <inheritdoc/>
    public CsrMatrix CountMatrix(IReadOnlyList<string> texts) =>
        SparseCounts.Build(texts, NumFeatures, (text, columns) =>
        {
            using var normalized = WordSplitter.Normalizer.NormalizeToBuffer(text);
            foreach (var word in WordSplitter.Words(normalized.Span))
                if (_lookup.TryGetValue(word, out int id) && id >= FirstWordId) columns.Add(id - FirstWordId);
        });

    /// <inheritdoc/>
    public string FeatureName(int column) => TokenOf(column + FirstWordId);

    /// <summary>Writes the vocabulary atomically.</summary>
    public void Save(string path) => ModelFile.Save(path, FileKind, FormatVersion, WritePayload);

    /// <summary>Reads a vocabulary written by <see cref="Save"/>.</summary>
    public static CorpusVocabularyTokenizer Load(string path) => ModelFile.Load(path, FileKind, FormatVersion, r => ReadPayload(r, path));

    internal void WritePayload(BinaryWriter w)
    {
        w.Write(JsonSerializer.Serialize(Options));
        w.Write(NumFeatures);
        for (int i = 0; i < NumFeatures; i++)
        {
            w.Write(_tokens[FirstWordId + i]);
            w.Write(_counts[i]);
            w.Write(_documentFrequencies[i]);
        }
    }

    internal static CorpusVocabularyTokenizer ReadPayload(BinaryReader r, string path)
    {
        var options = JsonSerializer.Deserialize<CorpusVocabularyOptions>(r.ReadString())
            ?? throw new DataFormatException(path, 0, "vocabulary options are missing");
        int n = r.ReadInt32();
        if (n < 0) throw new DataFormatException(path, 0, $"negative word count {n}");
        var words = new string[n];
        var counts = new long[n];
        var dfs = new int[n];
        for (int i = 0; i < n; i++)
        {
            words[i] = r.ReadString();
            counts[i] = r.ReadInt64();
            dfs[i] = r.ReadInt32();
        }
        try { return new CorpusVocabularyTokenizer(options, words, counts, dfs); }
        catch (ArgumentException e) { throw new DataFormatException(path, 0, e.Message, e); }
    }

    /// <summary>Size and most frequent words.</summary>
    public override string ToString() =>
        $"CorpusVocabularyTokenizer: {NumFeatures:N0} words + {FirstWordId} special tokens ({string.Join(", ", Words.Take(5))}, ...)";
}
