using XcNotebooks.Text;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Text;

public class TokenizedCorpusTests
{
    // Vocabulary ids: [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, c 4, b 5, a 6.
    private static CorpusVocabularyTokenizer Vocabulary() => CorpusVocabularyTokenizer.Build(["a b c", "b c", "c"]);

    [Fact]
    public void TruncatesAndPads()
    {
        var corpus = TokenizedCorpus.Build(["a b c d", "c"], Vocabulary(), new SequenceOptions { MaxLength = 4 });
        Assert.Equal([2, 6, 5, 3, 2, 4, 3, 0], corpus.Ids);
        Assert.Equal([4, 3], corpus.Lengths);
        var plain = TokenizedCorpus.Build(["a b c d", "c"], Vocabulary(), new SequenceOptions { MaxLength = 4, AddSpecialTokens = false });
        Assert.Equal([6, 5, 4, 1, 4, 0, 0, 0], plain.Ids);
        Assert.Equal([4, 1], plain.Lengths);
        Assert.Equal(32, SequenceOptions.Titles.MaxLength);
        Assert.Equal(128, SequenceOptions.FullText.MaxLength);
        Assert.Equal(32, SequenceOptions.ForDataset("LF-AmazonTitles-131K").MaxLength);
        Assert.Equal(128, SequenceOptions.ForDataset("LF-Amazon-131K").MaxLength);
    }

    [Fact]
    public void BatchesAreCutToTheirLongestRow()
    {
        var corpus = TokenizedCorpus.Build(["a b c d", "c", ""], Vocabulary(), new SequenceOptions { MaxLength = 8 });
        var batch = corpus.Batch([1, 2]);
        Assert.Equal((2, 3), (batch.Rows, batch.Columns));
        Assert.Equal([2, 4, 3, 2, 3, 0], batch.Ids);
        Assert.Equal([1f, 1, 1, 1, 1, 0], batch.AttentionMask);
        Assert.Equal(6, corpus.Batch([0, 1]).Columns);
    }

    [Fact]
    public void ParallelBuildEqualsOneByOneEncoding()
    {
        var vocabulary = Vocabulary();
        var random = new Random(3);
        var texts = Enumerable.Range(0, 1500).Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(0, 12)).Select(_ => "abcx"[random.Next(4)].ToString()))).ToArray();
        var corpus = TokenizedCorpus.Build(texts, vocabulary, new SequenceOptions { MaxLength = 8 });
        for (int i = 0; i < texts.Length; i++)
        {
            int[] expected = [2, .. vocabulary.Encode(texts[i]).Take(6), 3];
            Assert.Equal(expected, corpus.TokenIds(i));
        }
    }

    [Fact]
    public void SplitsAndLabelTextsAreTokenizedThroughTheCache()
    {
        var vocabulary = Vocabulary();
        Dataset Split(string name, string[] texts) =>
            new(CsrMatrix.Empty(texts.Length, 0), LabelMatrix.FromClasses(texts.Select(_ => 0).ToArray(), 2)) { Name = name, Texts = texts, LabelTexts = ["a c", "b"] };
        var splits = new DataSplits(Split("trn", ["a b", "c"]), null, Split("tst", ["b b b"]));
        var cache = new TokenCache(TestData.TempDir());
        var tokenized = splits.Tokenize(vocabulary, new SequenceOptions { MaxLength = 4 }, cache);
        Assert.Equal([2, 6, 5, 3], tokenized.Train.TokenIds(0));
        Assert.Equal([2, 5, 5, 3], tokenized.Test.TokenIds(0));
        Assert.Equal([2, 6, 4, 3], tokenized.Labels!.TokenIds(0));
        Assert.Null(tokenized.Heldout);
        Assert.True(File.Exists(cache.PathFor("trn.labels", vocabulary, new SequenceOptions { MaxLength = 4 })));
    }

    [Fact]
    public void TooShortLengthIsRefused() =>
        Assert.Throws<ArgumentException>(() => TokenizedCorpus.Build(["a"], Vocabulary(), new SequenceOptions { MaxLength = 2 }));
}

public class TokenCacheTests
{
    /// <summary>Counts Encode calls, to tell a cache hit from a rebuild.</summary>
    private sealed class CountingTokenizer(ITextTokenizer inner) : ITextTokenizer
    {
        private int _calls;
        public int Calls => _calls;
        public string Name => inner.Name;
        public string Fingerprint => inner.Fingerprint;
        public int VocabularySize => inner.VocabularySize;
        public int PadId => inner.PadId;
        public int? UnknownId => inner.UnknownId;
        public int? ClsId => inner.ClsId;
        public int? SepId => inner.SepId;
        public IReadOnlyList<int> Encode(string text, int maxTokens = int.MaxValue) { Interlocked.Increment(ref _calls); return inner.Encode(text, maxTokens); }
        public string Decode(IEnumerable<int> ids) => inner.Decode(ids);
        public string TokenOf(int id) => inner.TokenOf(id);
    }

    private static readonly string[] Texts = ["a b c", "b c", "c", "a a a a a a a a a a"];

    private static (TokenCache Cache, CountingTokenizer Tokenizer, List<string> Log, TrainingMonitor Monitor) Setup()
    {
        var log = new List<string>();
        return (new TokenCache(TestData.TempDir()), new CountingTokenizer(CorpusVocabularyTokenizer.Build(Texts)), log, new TrainingMonitor { Log = log.Add });
    }

    [Fact]
    public void SecondCallReadsTheCache()
    {
        var (cache, tokenizer, log, monitor) = Setup();
        var first = cache.GetOrBuild("trn", Texts, tokenizer, SequenceOptions.Titles, monitor);
        Assert.Equal(Texts.Length, tokenizer.Calls);
        var second = cache.GetOrBuild("trn", Texts, tokenizer, SequenceOptions.Titles, monitor);
        Assert.Equal(Texts.Length, tokenizer.Calls);
        Assert.Equal(first.Ids, second.Ids);
        Assert.Equal(first.Lengths, second.Lengths);
        Assert.EndsWith("trn.corpus-vocabulary_32.xctok", cache.PathFor("trn", tokenizer, SequenceOptions.Titles));
        Assert.Contains(log, l => l.StartsWith("token cache: read"));
    }

    [Fact]
    public void ChangedTextsMakeTheCacheStale()
    {
        var (cache, tokenizer, log, monitor) = Setup();
        cache.GetOrBuild("trn", Texts, tokenizer, null, monitor);
        string[] changed = [.. Texts[..^1], "a b"];
        var rebuilt = cache.GetOrBuild("trn", changed, tokenizer, null, monitor);
        Assert.Equal(2 * Texts.Length, tokenizer.Calls);
        Assert.Contains(log, l => l.Contains("stale") && l.Contains("rebuilding"));
        Assert.Equal(TokenizedCorpus.Build(changed, tokenizer).Ids, rebuilt.Ids);
        cache.GetOrBuild("trn", changed, tokenizer, null, monitor);
        Assert.Equal(3 * Texts.Length, tokenizer.Calls); // the rebuilt file is current again (the extra Build above counted once)
    }

    [Fact]
    public void AnotherTokenizerMakesTheCacheStale()
    {
        var (cache, tokenizer, log, monitor) = Setup();
        cache.GetOrBuild("trn", Texts, tokenizer, null, monitor);
        var other = new CountingTokenizer(CorpusVocabularyTokenizer.Build(Texts, new CorpusVocabularyOptions { MaxSize = 1 }));
        var corpus = cache.GetOrBuild("trn", Texts, other, null, monitor);
        Assert.Equal(Texts.Length, other.Calls);
        Assert.Equal([2, 4, 1, 1, 3], corpus.TokenIds(0)); // only "a" (id 4) is kept: b and c are unknown
    }

    [Fact]
    public void CorruptCacheIsReportedAndRebuilt()
    {
        var (cache, tokenizer, log, monitor) = Setup();
        var original = cache.GetOrBuild("trn", Texts, tokenizer, null, monitor);
        var path = cache.PathFor("trn", tokenizer);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 9)]);
        var key = TokenCache.Key(Texts, tokenizer, new SequenceOptions());
        var e = Assert.Throws<DataFormatException>(() => TokenCache.Load(path, key));
        Assert.Contains(path, e.Message);
        var rebuilt = cache.GetOrBuild("trn", Texts, tokenizer, null, monitor);
        Assert.Equal(original.Ids, rebuilt.Ids);
        Assert.Contains(log, l => l.Contains("rebuilding"));
        Assert.Equal(original.Ids, TokenCache.Load(path, key).Ids);
    }

    [Fact]
    public void FileOfAnotherKindIsRefused()
    {
        var (cache, tokenizer, _, _) = Setup();
        var path = cache.PathFor("trn", tokenizer);
        CorpusVocabularyTokenizer.Build(Texts).Save(path);
        var e = Assert.Throws<DataFormatException>(() => TokenCache.Load(path, "key"));
        Assert.Contains("corpus-vocabulary", e.Message);
    }
}
