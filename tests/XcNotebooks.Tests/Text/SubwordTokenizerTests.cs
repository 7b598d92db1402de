using XcNotebooks.Text;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Text;

public class WordPieceTests
{
    // Ids are line numbers from 0.
    private const string Vocabulary = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nun\n##aff\n##able\nthe\ncafe\n,\n!\nrun\n##ning\n##n\njump\n##s\n";

    private static WordPieceTextTokenizer Load() => WordPieceTextTokenizer.Load(TestData.TempFile("vocab.txt", Vocabulary));

    [Fact]
    public void GreedyLongestMatchFirst()
    {
        var tokenizer = Load();
        // un ##aff ##able , the cafe !   ("CAFÉ" lower-cased and accent-stripped to "cafe")
        Assert.Equal([5, 6, 7, 10, 8, 9, 11], tokenizer.Encode("Unaffable, the CAFÉ!"));
        // run ##ning | run ##n | xyz has no piece: [UNK]
        Assert.Equal([12, 13, 12, 14, 1], tokenizer.Encode("running runn xyz"));
        Assert.Equal([15, 16, 11], tokenizer.Encode("Jumps!"));
        Assert.Equal([5, 6, 7], tokenizer.Encode("Unaffable, the", maxTokens: 3));
        // Truncation cuts the piece list, inside a word if need be (as HF's BERT tokenizer does): the jump|##s
        Assert.Equal([8, 15], tokenizer.Encode("the jumps cafe", maxTokens: 2));
        Assert.Equal((0, 1, 2, 3, 17), (tokenizer.PadId, tokenizer.UnknownId, tokenizer.ClsId, tokenizer.SepId, tokenizer.VocabularySize));
        Assert.Equal("##aff", tokenizer.TokenOf(6));
    }

    [Fact]
    public void DecodeJoinsPieces() => Assert.Equal("unaffable, the cafe!", Load().Decode([5, 6, 7, 10, 8, 9, 11, 0, 0]));

    [Fact]
    public void SequencesGetClsAndSep()
    {
        var corpus = TokenizedCorpus.Build(["Unaffable, the CAFÉ!"], Load(), new SequenceOptions { MaxLength = 6 });
        Assert.Equal([2, 5, 6, 7, 10, 3], corpus.TokenIds(0));
    }

    [Fact]
    public void ParallelBuildEqualsOneByOneEncoding() => SubwordChecks.ParallelEqualsSequential(Load(), "unaffable the cafe running runn jumps xyz , !");

    [Fact]
    public void DuplicateTokenNamesItsLine()
    {
        var path = TestData.TempFile("vocab.txt", "[PAD]\n[UNK]\nthe\n[CLS]\nthe\n");
        var e = Assert.Throws<DataFormatException>(() => WordPieceTextTokenizer.Load(path));
        Assert.Equal(5, e.Line);
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void MissingSpecialTokenIsNamed()
    {
        var path = TestData.TempFile("vocab.txt", "[PAD]\n[CLS]\n[SEP]\n[MASK]\nthe\n");
        var e = Assert.Throws<DataFormatException>(() => WordPieceTextTokenizer.Load(path));
        Assert.Contains("[UNK]", e.Message);
        Assert.Contains(path, e.Message);
    }
}

public class BpeTests
{
    private const string VocabularyJson =
        "{\n \"<pad>\": 0, \"<unk>\": 1, \"l\": 2, \"o\": 3, \"w\": 4, \"e\": 5, \"r\": 6,\n \"lo\": 7, \"low\": 8, \"er\": 9, \"n\": 10, \"s\": 11, \"t\": 12,\n \"<s>\": 13, \"</s>\": 14\n}";
    private const string Merges = "#version: 0.2\nl o\nlo w\ne r\n";

    private static BpeTextTokenizer Load(BpeVocabularyOptions? options = null)
    {
        var dir = TestData.TempDir();
        File.WriteAllText(Path.Combine(dir, "vocab.json"), VocabularyJson);
        File.WriteAllText(Path.Combine(dir, "merges.txt"), Merges);
        return BpeTextTokenizer.Load(Path.Combine(dir, "vocab.json"), Path.Combine(dir, "merges.txt"), options);
    }

    [Fact]
    public void MergesApplyInRankOrder()
    {
        var tokenizer = Load();
        // lower: l o w e r -> (l,o) lo w e r -> (lo,w) low e r -> (e,r) low er
        Assert.Equal([8, 9], tokenizer.Encode("lower"));
        // lowest: low e s t (no merge for e s); newer: n e w er
        Assert.Equal([8, 5, 11, 12, 10, 5, 4, 9], tokenizer.Encode("lowest newer"));
        // '!' is not in the vocabulary
        Assert.Equal([8, 1], tokenizer.Encode("low!"));
        Assert.Equal("lower", tokenizer.Decode([8, 9]));
        Assert.Equal(15, tokenizer.VocabularySize);
    }

    [Fact]
    public void BeginAndEndTokensFrameSequences()
    {
        var tokenizer = Load(new BpeVocabularyOptions { BeginToken = "<s>", EndToken = "</s>" });
        var corpus = TokenizedCorpus.Build(["lower", "lowest newer"], tokenizer, new SequenceOptions { MaxLength = 6 });
        Assert.Equal([13, 8, 9, 14, 0, 0], corpus.Row(0).ToArray());
        Assert.Equal([13, 8, 5, 11, 12, 14], corpus.Row(1).ToArray()); // content cut to 4 tokens
        Assert.Equal([4, 6], corpus.Lengths);
    }

    [Fact]
    public void ParallelBuildEqualsOneByOneEncoding() =>
        SubwordChecks.ParallelEqualsSequential(Load(new BpeVocabularyOptions { BeginToken = "<s>", EndToken = "</s>" }), "lower lowest newer low ! lo");

    [Fact]
    public void MalformedMergeNamesItsLine()
    {
        var dir = TestData.TempDir();
        File.WriteAllText(Path.Combine(dir, "vocab.json"), VocabularyJson);
        File.WriteAllText(Path.Combine(dir, "merges.txt"), "#version: 0.2\nl o\nlo w x\n");
        var e = Assert.Throws<DataFormatException>(() => BpeTextTokenizer.Load(Path.Combine(dir, "vocab.json"), Path.Combine(dir, "merges.txt")));
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void BadVocabularyJsonNamesItsLine()
    {
        var dir = TestData.TempDir();
        File.WriteAllText(Path.Combine(dir, "vocab.json"), "{\n \"<pad>\": 0,\n \"l\": \"two\"\n}");
        File.WriteAllText(Path.Combine(dir, "merges.txt"), Merges);
        var e = Assert.Throws<DataFormatException>(() => BpeTextTokenizer.Load(Path.Combine(dir, "vocab.json"), Path.Combine(dir, "merges.txt")));
        Assert.Equal(3, e.Line);
        Assert.Contains("'l'", e.Message);
    }
}

internal static class SubwordChecks
{
    /// <summary>TokenizedCorpus.Build runs the tokenizer on many threads; each row must equal a lone encoding.</summary>
    public static void ParallelEqualsSequential(ITextTokenizer tokenizer, string lexicon)
    {
        var words = lexicon.Split(' ');
        var random = new Random(9);
        var texts = Enumerable.Range(0, 1200).Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(0, 15)).Select(_ => words[random.Next(words.Length)]))).ToArray();
        var corpus = TokenizedCorpus.Build(texts, tokenizer, new SequenceOptions { MaxLength = 10 });
        for (int i = 0; i < texts.Length; i++)
        {
            int[] expected = [tokenizer.ClsId!.Value, .. tokenizer.Encode(texts[i]).Take(8), tokenizer.SepId!.Value];
            Assert.Equal(expected, corpus.TokenIds(i));
        }
    }
}
