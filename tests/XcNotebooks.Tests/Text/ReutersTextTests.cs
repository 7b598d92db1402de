using System.Text.Json;
using System.Text.RegularExpressions;
using XcNotebooks.Text;
using Xunit;

namespace XcNotebooks.Tests.Text;

/// <summary>The text pipeline on the real Reuters-21578 ModApte train split (skipped without ../shared/data).</summary>
public class ReutersTextTests
{
    private static string[]? LoadTrainTexts()
    {
        var path = TestData.Shared("reuters21578", "train.jsonl");
        if (path is null || !File.Exists(path)) return null;
        return File.ReadLines(path).Where(l => l.Length > 0).Select(line =>
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            return (root.GetProperty("title").GetString() + " " + root.GetProperty("text").GetString()).Trim();
        }).ToArray();
    }

    [Fact]
    public void VocabularyAndTfidfCountsMatchAnIndependentCount()
    {
        var texts = LoadTrainTexts();
        Assert.SkipWhen(texts is null, "../shared/data/reuters21578 is not on this machine");
        Assert.Equal(7770, texts!.Length);
        // Reference: lower-case, \w+ runs (accents kept on both sides so that the regex is a faithful reference).
        var wordRuns = new Regex(@"\w+", RegexOptions.Compiled);
        var perText = texts.Select(t => wordRuns.Matches(t.ToLowerInvariant()).Select(m => m.Value).ToArray()).ToArray();
        var counts = perText.SelectMany(w => w).GroupBy(w => w, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);

        var text = new WordTokenizerOptions { Normalization = new TextNormalization { StripAccents = false } };
        var vocabulary = CorpusVocabularyTokenizer.Build(texts, new CorpusVocabularyOptions { Text = text });
        Assert.Equal(counts.Count, vocabulary.NumFeatures);
        Assert.Equal(perText.Sum(w => (long)w.Length), vocabulary.WordCounts.Sum());
        Assert.Equal(counts.MaxBy(p => p.Value).Key, vocabulary.Words[0]);
        var twice = CorpusVocabularyTokenizer.Build(texts, new CorpusVocabularyOptions { Text = text, MinCount = 2 });
        Assert.Equal(counts.Count(p => p.Value >= 2), twice.NumFeatures);

        var tfidf = TfidfVectorizer.Fit(texts, vocabulary);
        var x = tfidf.Transform(texts);
        Assert.Equal(counts.Count, x.Cols);
        Assert.Equal(perText.Sum(w => (long)w.Distinct(StringComparer.Ordinal).Count()), x.NonZeros);
        for (int i = 0; i < x.Rows; i += 97)
        {
            var row = x.RowValues(i).ToArray();
            if (row.Length > 0) Assert.Equal(1.0, Math.Sqrt(row.Sum(v => (double)v * v)), 4);
        }

        var corpus = TokenizedCorpus.Build(texts, vocabulary, SequenceOptions.FullText);
        for (int i = 0; i < texts.Length; i += 101)
            Assert.Equal(Math.Min(perText[i].Length, 126) + 2, corpus.Lengths[i]);
    }
}
