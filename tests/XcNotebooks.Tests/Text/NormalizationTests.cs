using System.Text.RegularExpressions;
using XcNotebooks.Text;
using Xunit;

namespace XcNotebooks.Tests.Text;

public class NormalizationTests
{
    [Fact]
    public void AccentsAreRemovedWithoutIcu()
    {
        // Under invariant globalization string.Normalize does not decompose; the folding table must.
        var n = new TextNormalizer();
        Assert.Equal("cafe ecole naive a a", n.Normalize("Café ÉCOLE naïve \u212B \u00C5")); // Angstrom sign and Å
        Assert.Equal("cafe", n.Normalize("Cafe\u0301")); // decomposed input: the combining mark goes
        Assert.Equal("i", n.Normalize("\u0130"));       // İ folds to I before lower-casing
        Assert.Equal("\u1112\u1161\u11AB", n.Normalize("\uD55C")); // 한 = ㅎ + ㅏ + ㄴ (Hangul algorithm)
    }

    [Fact]
    public void CjkIdeographsAreSetApartAndControlsDropped()
    {
        var n = new TextNormalizer();
        Assert.Equal("tokyo 東  京 ", n.Normalize("Tokyo東京"));
        Assert.Equal("a b c d", n.Normalize("a\tb c\nd\u0000"));
        Assert.Equal("ab", n.Normalize("a\u0007b"));   // BEL is a control character
        Assert.Equal("ab", n.Normalize("a\u200Db"));   // zero-width joiner is a format character
    }

    [Fact]
    public void NoneLeavesTextAlone()
    {
        var n = new TextNormalizer(TextNormalization.None);
        const string text = "Café\tÉCOLE 東京";
        Assert.Same(text, n.Normalize(text));
    }

    [Fact]
    public void AsciiFastPathAgreesWithUnicodePath()
    {
        var n = new TextNormalizer();
        // The trailing "é" sends the whole text down the Unicode path; the ASCII prefix must come out the same.
        const string ascii = "Hello\tWORLD\r\nA_b-C 1,750!";
        Assert.Equal(n.Normalize(ascii) + " e", n.Normalize(ascii + " é"));
        Assert.Equal("hello world  a_b-c 1,750!", n.Normalize(ascii));
    }
}

public class WordTokenizerTests
{
    private const string Sample = "Don't stop-believing, U.S.A. 1,750 naïve_x €5 東京";

    [Fact]
    public void SplitsWordsLikeBackslashW()
    {
        var tokens = new WordTokenizer().Tokenize(Sample);
        Assert.Equal(["don", "t", "stop", "believing", "u", "s", "a", "1", "750", "naive_x", "5", "東", "京"], tokens);
    }

    [Fact]
    public void KeepsPunctuationWhenAsked()
    {
        var tokens = new WordTokenizer(new WordTokenizerOptions { KeepPunctuation = true }).Tokenize(Sample);
        Assert.Equal(["don", "'", "t", "stop", "-", "believing", ",", "u", ".", "s", ".", "a", ".", "1", ",", "750", "naive_x", "€", "5", "東", "京"], tokens);
    }

    [Fact]
    public void StopWordsAndMinimumLength()
    {
        var options = new WordTokenizerOptions { StopWords = StopWords.English, MinTokenLength = 2 };
        var tokens = new WordTokenizer(options).Tokenize("The cat is ON the mat, and I sat.");
        Assert.Equal(["cat", "mat", "sat"], tokens);
        Assert.Equal(318, StopWords.English.Distinct().Count());
        Assert.Contains("yourselves", StopWords.English);
    }

    [Fact]
    public void MatchesScikitLearnTokenPatternOnAscii()
    {
        // Reference: scikit-learn's default token_pattern (?u)\b\w\w+\b over lower-cased text.
        var options = new WordTokenizerOptions { MinTokenLength = 2, Normalization = new TextNormalization { StripAccents = false } };
        var tokenizer = new WordTokenizer(options);
        var random = new Random(11);
        const string alphabet = "abcdefgXYZ0123_ \t\n.,;:'\"!?-()[]{}$%&*+/<=>@\\^`|~";
        for (int t = 0; t < 200; t++)
        {
            var text = new string(Enumerable.Range(0, random.Next(0, 60)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var expected = Regex.Matches(text.ToLowerInvariant(), @"\b\w\w+\b").Select(m => m.Value).ToArray();
            Assert.Equal(expected, tokenizer.Tokenize(text));
        }
    }

    [Fact]
    public void RejectsZeroMinimumLength() =>
        Assert.Throws<ArgumentException>(() => new WordTokenizer(new WordTokenizerOptions { MinTokenLength = 0 }));
}
