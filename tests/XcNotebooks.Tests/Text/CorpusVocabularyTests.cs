using System.Text.RegularExpressions;
using XcNotebooks.Text;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Text;

public class CorpusVocabularyTests
{
    private static readonly string[] Corpus = ["The cat sat.", "The cat, the CAT!", "A dog"];

    [Fact]
    public void OrdersWordsByCountThenOrdinal()
    {
        // Hand count: the 3 (2 texts), cat 3 (2 texts), sat 1, a 1, dog 1.
        var vocabulary = CorpusVocabularyTokenizer.Build(Corpus);
        Assert.Equal(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "cat", "the", "a", "dog", "sat"], vocabulary.Tokens);
        Assert.Equal([3L, 3, 1, 1, 1], vocabulary.WordCounts);
        Assert.Equal([2, 2, 1, 1, 1], vocabulary.DocumentFrequencies);
        Assert.Equal((0, 1, 2, 3), (vocabulary.PadId, vocabulary.UnknownId, vocabulary.ClsId, vocabulary.SepId));
        Assert.Equal(9, vocabulary.VocabularySize);
        Assert.Equal(5, vocabulary.NumFeatures);
    }

    [Fact]
    public void MinCountAndMaxSizeCutTheVocabulary()
    {
        Assert.Equal(["cat", "the"], CorpusVocabularyTokenizer.Build(Corpus, new CorpusVocabularyOptions { MinCount = 2 }).Words);
        Assert.Equal(["cat", "the", "a"], CorpusVocabularyTokenizer.Build(Corpus, new CorpusVocabularyOptions { MaxSize = 3 }).Words);
        Assert.Equal(["cat", "the"], CorpusVocabularyTokenizer.Build(Corpus, new CorpusVocabularyOptions { MinDocumentFrequency = 2 }).Words);
        var noSpecials = CorpusVocabularyTokenizer.Build(Corpus, new CorpusVocabularyOptions { ClsToken = null, SepToken = null });
        Assert.Equal(2, noSpecials.FirstWordId);
        Assert.Null(noSpecials.ClsId);
    }

    [Fact]
    public void EncodesUnknownWordsAsUnk()
    {
        var vocabulary = CorpusVocabularyTokenizer.Build(Corpus);
        Assert.Equal([5, 1, 8], vocabulary.Encode("The bird sat"));
        Assert.Equal([5, 1], vocabulary.Encode("The bird sat", maxTokens: 2));
        Assert.Equal("the [UNK] sat", vocabulary.Decode([5, 1, 8, 0, 0]));
    }

    [Fact]
    public void CountMatrixCountsKnownWords()
    {
        var vocabulary = CorpusVocabularyTokenizer.Build(Corpus);
        var counts = vocabulary.CountMatrix(["cat the CAT bird", "", "sat sat dog"]);
        // Columns: cat 0, the 1, a 2, dog 3, sat 4.
        Assert.Equal(new float[,] { { 2, 1, 0, 0, 0 }, { 0, 0, 0, 0, 0 }, { 0, 0, 0, 1, 2 } }, counts.ToDense());
        Assert.Equal("dog", vocabulary.FeatureName(3));
    }

    [Fact]
    public void ParallelCountEqualsAReferenceCount()
    {
        // More texts than one counting chunk, so that per-thread counts are merged.
        var random = new Random(5);
        var words = Enumerable.Range(0, 300).Select(i => $"w{i % 37}x{i % 11}").ToArray();
        var texts = Enumerable.Range(0, 2000).Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(1, 20)).Select(_ => words[random.Next(words.Length)]))).ToArray();
        var reference = texts.SelectMany(t => Regex.Matches(t, @"\w+").Select(m => m.Value))
            .GroupBy(w => w).Select(g => (Word: g.Key, Count: (long)g.Count()))
            .OrderByDescending(p => p.Count).ThenBy(p => p.Word, StringComparer.Ordinal).ToArray();
        var vocabulary = CorpusVocabularyTokenizer.Build(texts);
        Assert.Equal(reference.Select(p => p.Word), vocabulary.Words);
        Assert.Equal(reference.Select(p => p.Count), vocabulary.WordCounts);
        var df = texts.SelectMany(t => Regex.Matches(t, @"\w+").Select(m => m.Value).Distinct()).GroupBy(w => w).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(vocabulary.Words.Select(w => df[w]), vocabulary.DocumentFrequencies);
    }

    [Fact]
    public void SaveLoadRoundTrip()
    {
        var options = new CorpusVocabularyOptions { Text = new WordTokenizerOptions { StopWords = ["a"], KeepPunctuation = true } };
        var vocabulary = CorpusVocabularyTokenizer.Build(Corpus, options);
        var path = Path.Combine(TestData.TempDir(), "vocab.xcn");
        vocabulary.Save(path);
        var loaded = CorpusVocabularyTokenizer.Load(path);
        Assert.Equal(vocabulary.Tokens, loaded.Tokens);
        Assert.Equal(vocabulary.WordCounts, loaded.WordCounts);
        Assert.Equal(vocabulary.Fingerprint, loaded.Fingerprint);
        Assert.Equal(vocabulary.Encode("a cat, the dog!"), loaded.Encode("a cat, the dog!"));
        Assert.DoesNotContain("a", loaded.Words);
        Assert.Contains(",", loaded.Words);
    }

    [Fact]
    public void TruncatedFileIsReportedWithItsPath()
    {
        var path = Path.Combine(TestData.TempDir(), "vocab.xcn");
        CorpusVocabularyTokenizer.Build(Corpus).Save(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<DataFormatException>(() => CorpusVocabularyTokenizer.Load(path));
        Assert.Contains(path, e.Message);
    }
}
