using System.Text.Json;
using XcNotebooks.Core;

namespace XcNotebooks.Text;

/// <summary>
/// Token-id arrays cached on disk so that a corpus is tokenized once. A file is keyed by a SHA-256 of the tokenizer
/// (name and fingerprint), the sequence options and every text; it is written atomically with a versioned header
/// (<see cref="ModelFile"/>). A stale file (other texts, tokenizer or options) or a corrupt one is reported and rebuilt.
/// </summary>
public sealed class TokenCache
{
    internal const string FileKind = "token-cache";
    private const int FormatVersion = 1;

    /// <summary>A cache in <paramref name="directory"/> (created on first write).</summary>
    public TokenCache(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = directory;
    }

    /// <summary>Where the cache files live.</summary>
    public string Directory { get; }

    /// <summary>The file for corpus <paramref name="name"/> ("trn", "tst", "lbl"): "name.tokenizer_maxlen.xctok".</summary>
    public string PathFor(string name, ITextTokenizer tokenizer, SequenceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        options ??= new SequenceOptions();
        return Path.Combine(Directory, $"{name}.{tokenizer.Name}_{options.MaxLength}{(options.AddSpecialTokens ? "" : "_nospecial")}.xctok");
    }

    /// <summary>
    /// The tokenized corpus from the cache when its key matches, else tokenizes, writes the cache and returns it.
    /// What happened is written to the monitor's log.
    /// </summary>
    public TokenizedCorpus GetOrBuild(string name, IReadOnlyList<string> texts, ITextTokenizer tokenizer, SequenceOptions? options = null, TrainingMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(tokenizer);
        options ??= new SequenceOptions();
        monitor ??= TrainingMonitor.Silent;
        var path = PathFor(name, tokenizer, options);
        var key = Key(texts, tokenizer, options);
        if (File.Exists(path))
        {
            try
            {
                var cached = Load(path, key);
                monitor.Write($"token cache: read {cached.Count:N0} sequences from {path}");
                return cached;
            }
            catch (DataFormatException e)
            {
                monitor.Write($"token cache: {e.Message}; rebuilding");
            }
        }
        var corpus = TokenizedCorpus.Build(texts, tokenizer, options, monitor);
        Save(path, corpus, key);
        monitor.Write($"token cache: wrote {corpus.Count:N0} sequences to {path}");
        return corpus;
    }

    /// <summary>The cache key: SHA-256 over format version, tokenizer name and fingerprint, options and texts.</summary>
    public static string Key(IReadOnlyList<string> texts, ITextTokenizer tokenizer, SequenceOptions options)
    {
        using var hash = new ContentHash();
        hash.Add(FileKind).Add(FormatVersion).Add(tokenizer.Name).Add(tokenizer.Fingerprint).Add(JsonSerializer.Serialize(options)).Add(texts.Count);
        foreach (var text in texts) hash.Add(text ?? throw new ArgumentException("a text is null"));
        return hash.Hex();
    }

    /// <summary>Writes <paramref name="corpus"/> with its key, atomically.</summary>
    public static void Save(string path, TokenizedCorpus corpus, string key) =>
        ModelFile.Save(path, FileKind, FormatVersion, w =>
        {
            w.Write(key);
            w.Write(corpus.Count);
            w.Write(corpus.MaxLength);
            w.Write(corpus.PadId);
            w.WriteArray(corpus.Lengths);
            w.WriteArray(corpus.Ids);
        });

    /// <summary>
    /// Reads a cache file, checking that it was built for <paramref name="expectedKey"/>; a stale, truncated or
    /// corrupt file raises <see cref="DataFormatException"/> naming it.
    /// </summary>
    public static TokenizedCorpus Load(string path, string expectedKey) =>
        ModelFile.Load(path, FileKind, FormatVersion, r =>
        {
            var key = r.ReadString();
            if (key != expectedKey)
                throw new DataFormatException(path, 0, "token cache is stale: it was built from other texts, another tokenizer or other sequence options");
            int count = r.ReadInt32(), maxLength = r.ReadInt32(), padId = r.ReadInt32();
            try
            {
                return new TokenizedCorpus(count, maxLength, padId, lengths: r.ReadIntArray(), ids: r.ReadIntArray());
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or OverflowException)
            {
                throw new DataFormatException(path, 0, $"token cache is corrupt: {e.Message}", e);
            }
        });
}
