using XcNotebooks.Text;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Text;

public class TfidfTests
{
    private static readonly string[] Train = ["the cat sat", "the cat cat", "dog"];

    // Hand-computed with scikit-learn's formulas: n = 3, idf = ln((1 + n) / (1 + df)) + 1,
    // idf(the) = idf(cat) = ln(4/3) + 1 = 1.287682, idf(sat) = idf(dog) = ln(2) + 1 = 1.693147.
    [Fact]
    public void SublinearTfIdfMatchesHandComputedValues()
    {
        var tfidf = TfidfVectorizer.Fit(Train);
        var vocabulary = (CorpusVocabularyTokenizer)tfidf.Featurizer;
        Assert.Equal(["cat", "the", "dog", "sat"], vocabulary.Words);
        Assert.Equal([1.287682f, 1.287682f, 1.693147f, 1.693147f], tfidf.Idf.Select(v => MathF.Round(v, 6)));
        var x = tfidf.Transform(Train);
        // doc 0: (1.287682, 1.287682, 1.693147) / 2.486563
        Assert.Equal(0.517856, x[0, 0], 5);
        Assert.Equal(0.517856, x[0, 1], 5);
        Assert.Equal(0.680919, x[0, 3], 5);
        // doc 1: cat tf 2 -> 1 + ln 2: (1.693147 * 1.287682, 1.287682) normalised
        Assert.Equal(0.861037, x[1, 0], 5);
        Assert.Equal(0.508542, x[1, 1], 5);
        Assert.Equal(1.0, x[2, 2], 6);
        Assert.Equal(6, x.NonZeros);
    }

    [Fact]
    public void RawTfIsScikitLearnsDefault()
    {
        var x = TfidfVectorizer.Fit(Train, new TfidfOptions { SublinearTf = false }).Transform(Train);
        Assert.Equal(0.894427, x[1, 0], 5); // (2, 1) x equal idf, normalised
        Assert.Equal(0.447214, x[1, 1], 5);
    }

    [Fact]
    public void UnsmoothedIdfAndNoNormalization()
    {
        var tfidf = TfidfVectorizer.Fit(Train, new TfidfOptions { SmoothIdf = false, NormalizeRows = false });
        Assert.Equal(Math.Log(3.0 / 2) + 1, tfidf.Idf[0], 5);
        Assert.Equal(Math.Log(3.0) + 1, tfidf.Idf[2], 5);
        var x = tfidf.Transform(["cat cat"]);
        Assert.Equal((1 + Math.Log(2)) * (Math.Log(1.5) + 1), x[0, 0], 5);
    }

    [Fact]
    public void UnknownWordsAreIgnored()
    {
        var x = TfidfVectorizer.Fit(Train).Transform(["cat bird", "bird"]);
        Assert.Equal(1.0, x[0, 0], 6);
        Assert.Equal(0, x.RowLength(1));
    }

    [Fact]
    public void HashedFeaturesUseTheSameWeighting()
    {
        var hashing = new HashedNgramOptions { NumBuckets = 1 << 18, MaxCharNgram = 0, MaxWordNgram = 1 };
        var tfidf = TfidfVectorizer.Fit(Train, new TfidfOptions { Hashing = hashing });
        var hashed = (HashedNgramFeaturizer)tfidf.Featurizer;
        int cat = hashed.BucketOf("wcat"), the = hashed.BucketOf("wthe");
        var x = tfidf.Transform(Train);
        Assert.Equal(0.861037, x[1, cat], 5);
        Assert.Equal(0.508542, x[1, the], 5);
        Assert.Equal(Math.Log(4.0) + 1, tfidf.Idf[hashed.BucketOf("wbird")], 5); // df 0 with smoothing
    }

    [Fact]
    public void SplitsShareTheTrainingFeatureSpace()
    {
        var labels = LabelMatrix.FromClasses([0, 1, 0], 2);
        Dataset Split(string name, string[] texts) =>
            new Dataset(CsrMatrix.Empty(texts.Length, 0), LabelMatrix.FromClasses(texts.Select(_ => 0).ToArray(), 2)) { Name = name, Texts = texts };
        var splits = new DataSplits(new Dataset(CsrMatrix.Empty(3, 0), labels) { Name = "train", Texts = Train }, null, Split("test", ["dog sat", "zebra"]));
        var (withFeatures, vectorizer) = splits.WithTfidfFeatures();
        Assert.Equal(4, withFeatures.Train.NumFeatures);
        Assert.Equal(4, withFeatures.Test.NumFeatures);
        Assert.Equal(Math.Sqrt(0.5), withFeatures.Test.Features[0, 2], 5); // dog and sat, equal idf
        Assert.Equal(0, withFeatures.Test.Features.RowLength(1));
        Assert.Equal(vectorizer.Transform(Train).Values, withFeatures.Train.Features.Values);
        Assert.Throws<ArgumentException>(() => vectorizer.Transform(new Dataset(CsrMatrix.Empty(1, 0), LabelMatrix.FromClasses([0], 1))));
    }

    [Fact]
    public void SaveLoadRoundTrip()
    {
        var dir = TestData.TempDir();
        foreach (var options in new[] { new TfidfOptions(), new TfidfOptions { Hashing = new HashedNgramOptions { NumBuckets = 4096 } } })
        {
            var tfidf = TfidfVectorizer.Fit(Train, options);
            var path = Path.Combine(dir, "tfidf.xcn");
            tfidf.Save(path);
            var loaded = TfidfVectorizer.Load(path);
            var expected = tfidf.Transform(["the dog sat on the cat"]);
            var actual = loaded.Transform(["the dog sat on the cat"]);
            Assert.Equal(expected.ColumnIndices, actual.ColumnIndices);
            Assert.Equal(expected.Values, actual.Values);
            Assert.Equal(tfidf.Idf, loaded.Idf);
        }
    }
}
