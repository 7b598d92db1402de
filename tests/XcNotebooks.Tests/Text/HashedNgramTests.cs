using System.Text;
using XcNotebooks.Text;
using Xunit;

namespace XcNotebooks.Tests.Text;

public class HashedNgramTests
{
    /// <summary>Reference FNV-1a over a byte array (the textbook loop).</summary>
    private static uint ReferenceFnv(byte[] bytes, int seed = 0)
    {
        uint h = 2166136261u ^ (uint)seed;
        foreach (var b in bytes) h = unchecked((h ^ b) * 16777619u);
        return h;
    }

    [Fact]
    public void Fnv1aMatchesPublishedTestVectors()
    {
        Assert.Equal(0x811c9dc5u, Fnv1a.Hash([]));
        Assert.Equal(0xe40c292cu, Fnv1a.Hash("a"u8));
        Assert.Equal(0xbf9cf968u, Fnv1a.Hash("foobar"u8));
        Assert.Equal(ReferenceFnv(Encoding.UTF8.GetBytes("naïve 東京 😀")), Fnv1a.AppendUtf8(Fnv1a.Start(0), "naïve 東京 😀"));
    }

    [Fact]
    public void BucketsAreTheSameInEveryRun()
    {
        // Values computed once outside .NET (FNV-1a 32 of the UTF-8 key, mod 1000): a change here breaks saved models.
        var hashed = new HashedNgramFeaturizer(new HashedNgramOptions { NumBuckets = 1000 });
        Assert.Equal(438, hashed.BucketOf("whello"));
        Assert.Equal(611, hashed.BucketOf("wnew york"));
        Assert.Equal(41, hashed.BucketOf("c<he"));
        Assert.Equal(697, hashed.BucketOf("c<hi>"));
        var seeded = new HashedNgramFeaturizer(new HashedNgramOptions { NumBuckets = 1000, Seed = 7 });
        Assert.Equal(781, seeded.BucketOf("whello"));
        Assert.Equal(238, seeded.BucketOf("wnew york"));
    }

    [Fact]
    public void EmitsWordsCharacterNgramsThenBigrams()
    {
        var hashed = new HashedNgramFeaturizer(new HashedNgramOptions { NumBuckets = 1 << 16 });
        // "<hi>": 3-grams <hi, hi>; 4-gram <hi>; "<new>": <ne <new <new> new new> ew>; then the bigram.
        string[] expected = ["whi", "c<hi", "c<hi>", "chi>", "wnew", "c<ne", "c<new", "c<new>", "cnew", "cnew>", "cew>", "whi new"];
        Assert.Equal(expected, hashed.FeatureKeys("Hi, NEW"));
        var ids = hashed.Encode("Hi, NEW");
        Assert.Equal(expected.Select(k => (int)(ReferenceFnv(Encoding.UTF8.GetBytes(k)) % (1 << 16))), ids);
        Assert.Equal(ids.Take(5), hashed.Encode("Hi, NEW", maxTokens: 5));
    }

    [Fact]
    public void CharacterNgramsCountCodePoints()
    {
        var hashed = new HashedNgramFeaturizer(new HashedNgramOptions { MinCharNgram = 3, MaxCharNgram = 3, MaxWordNgram = 1, Text = new WordTokenizerOptions { Normalization = TextNormalization.None } });
        Assert.Equal(["w\U00010330é", "c<\U00010330é", "c\U00010330é>"], hashed.FeatureKeys("\U00010330é")); // Gothic letter ahsa: two UTF-16 units, one code point
    }

    [Fact]
    public void OneTokenPerCharacterFits()
    {
        var hashed = new HashedNgramFeaturizer(new HashedNgramOptions { MaxCharNgram = 0, Text = new WordTokenizerOptions { KeepPunctuation = true } });
        var keys = hashed.FeatureKeys(new string('!', 300));
        Assert.Equal(300 + 299, keys.Count);
        Assert.Equal("w! !", keys[^1]);
    }

    [Fact]
    public void CountMatrixCountsBuckets()
    {
        var hashed = new HashedNgramFeaturizer(new HashedNgramOptions { NumBuckets = 1 << 20, MaxCharNgram = 0, MaxWordNgram = 1 });
        var counts = hashed.CountMatrix(["b a b", "a"]);
        int a = hashed.BucketOf("wa"), b = hashed.BucketOf("wb");
        Assert.Equal(2f, counts[0, b]);
        Assert.Equal(1f, counts[0, a]);
        Assert.Equal(1f, counts[1, a]);
        Assert.Equal(3, counts.NonZeros);
        Assert.Equal(1 << 20, hashed.PadId);
    }
}
