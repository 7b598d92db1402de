using System.IO.Compression;
using XcNotebooks.Data;
using XcNotebooks.Data.Formats;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Data;

public class TextFormatsTests
{
    private static Dataset TextSet() => new Dataset(CsrMatrix.Empty(3, 0), LabelMatrix.FromLabelSets([[0, 2], [1], []], 3))
    {
        Texts = ["first \"quoted\" text", "second, with ünïcode", "third\nwith a break"],
        LabelNames = ["alpha", "beta", "gamma"],
        LabelTexts = ["the alpha", "the beta", "the gamma"],
    };

    [Fact]
    public void JsonLinesReadNamesTitlesAndBuildASortedVocabulary()
    {
        var path = TestData.TempFile("a.jsonl",
            "{\"title\": \"T1\", \"text\": \"body one\", \"labels\": [\"zeta\", \"alpha\"]}\n\n{\"text\": \"body two\", \"labels\": [\"alpha\", \"alpha\"]}\n");
        var data = JsonLinesFormat.Read(path, new JsonLinesOptions { TitleField = "title" });
        Assert.Equal(["T1\nbody one", "body two"], data.Texts);
        Assert.Equal(["alpha", "zeta"], data.LabelNames);
        Assert.Equal([0, 1], data.Labels.LabelArray(0));
        Assert.Equal([1f], data.Labels.Matrix.RowValues(1).ToArray()); // a repeated label counts once
        Assert.Equal(0, data.NumFeatures);
    }

    [Fact]
    public void JsonLinesRoundTrip()
    {
        var data = TextSet();
        var path = Path.Combine(TestData.TempDir(), "set.jsonl.gz");
        DatasetWriter.Write(path, data);
        var back = DatasetReader.Read(path);
        Assert.Equal(data.Texts, back.Texts);
        Assert.Equal(data.LabelNames, back.LabelNames);
        RandomData.AssertSame(data.Labels.Matrix, back.Labels.Matrix);
    }

    [Fact]
    public void JsonLinesSplitsKeepLabelIdsThroughLabelsTxt()
    {
        var data = TextSet() with { LabelNames = ["zulu", "alpha", "mike"] }; // not in sorted order
        var dir = TestData.TempDir();
        var written = DatasetWriter.WriteSplits(Path.Combine(dir, "set.jsonl"), new DataSplits(data, null, data.SelectRows([1])));
        Assert.Equal(["set.train.jsonl", "set.test.jsonl", "labels.txt"], written.Select(Path.GetFileName));
        var back = DatasetReader.ReadDirectory(dir);
        Assert.Equal(data.LabelNames, back.Train.LabelNames);
        RandomData.AssertSame(data.Labels.Matrix, back.Train.Labels.Matrix);
        Assert.Equal(data.Texts![1], back.Test.Texts![0]);
    }

    [Fact]
    public void JsonLinesFilesReadLabelTextsFromLabelsTxtAndLabelTextsTxtBesideThem()
    {
        // The layout `xcn data wordnet` writes: splits, labels.txt (id order, not sorted) and label-texts.txt.
        var data = TextSet() with { LabelNames = ["zulu", "alpha", "mike"] };
        var dir = TestData.TempDir();
        DatasetWriter.WriteSplits(Path.Combine(dir, "set.jsonl"), new DataSplits(data, null, data.SelectRows([1, 0])));
        File.WriteAllText(Path.Combine(dir, "label-texts.txt"), "the zulu\n\nthe mike\n"); // an empty text stays in place
        string train = Path.Combine(dir, "set.train.jsonl"), test = Path.Combine(dir, "set.test.jsonl");
        foreach (var splits in new[] { DatasetReader.ReadSplits(train, null, test), DatasetReader.ReadDirectory(dir) })
        {
            Assert.Equal(["zulu", "alpha", "mike"], splits.Train.LabelNames);
            Assert.Equal(["the zulu", "", "the mike"], splits.Train.LabelTexts);
            Assert.Equal(splits.Train.LabelTexts, splits.Test.LabelTexts);
            Assert.Equal([0, 2], splits.Train.Labels.LabelArray(0));
            Assert.Equal([1], splits.Test.Labels.LabelArray(0));
        }
        // Without label-texts.txt, files named one by one read as before: a sorted vocabulary from the names read.
        File.Delete(Path.Combine(dir, "label-texts.txt"));
        var plain = DatasetReader.ReadSplits(train, null, test);
        Assert.Equal(["alpha", "mike", "zulu"], plain.Train.LabelNames);
        Assert.Null(plain.Train.LabelTexts);
        Assert.Equal(["zulu", "alpha", "mike"], DatasetReader.ReadDirectory(dir).Train.LabelNames);
    }

    [Fact]
    public void LabelTextsThatDoNotMatchLabelsTxtNameTheFile()
    {
        var dir = TestData.TempDir();
        DatasetWriter.WriteSplits(Path.Combine(dir, "set.jsonl"), new DataSplits(TextSet(), null, TextSet()));
        var texts = Path.Combine(dir, "label-texts.txt");
        File.WriteAllText(texts, "one\ntwo\n");
        var error = Assert.Throws<DataFormatException>(() => DatasetReader.ReadSplits(Path.Combine(dir, "set.train.jsonl"), null, Path.Combine(dir, "set.test.jsonl")));
        Assert.Contains("label-texts.txt", error.Message, StringComparison.Ordinal);
        Assert.Contains("2 label texts but 3 labels", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"text\": \"a\", \"labels\": [\"x\"]}\n{\"text\": \"b\", \"labels\": [\"x\"\n", 2, "malformed JSON")]
    [InlineData("{\"text\": \"a\", \"labels\": [\"x\"]}\n[1, 2]\n", 2, "expected a JSON object")]
    [InlineData("{\"labels\": [\"x\"]}\n", 1, "no 'text' field")]
    [InlineData("{\"text\": \"a\"}\n", 1, "no 'labels' list")]
    [InlineData("{\"text\": \"a\", \"labels\": [\"x\", 3]}\n", 1, "mix names and integer ids")]
    [InlineData("{\"text\": \"a\", \"labels\": [-2]}\n", 1, "not a non-negative integer")]
    [InlineData("{\"text\": \"a\", \"labels\": [\"nope\"]}\n", 1, "'nope' is not in the label vocabulary")]
    public void BadJsonLinesNameFileAndLine(string content, int line, string problem)
    {
        var path = TestData.TempFile("bad.jsonl", content);
        var options = new JsonLinesOptions { LabelVocabulary = problem.Contains("nope") ? ["x"] : null };
        BadInput.Expect(() => JsonLinesFormat.Read(path, options), path, line, problem);
    }

    private static string WriteGz(string dir, string name, string content)
    {
        var path = Path.Combine(dir, name);
        using var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        gz.Write(System.Text.Encoding.UTF8.GetBytes(content));
        return path;
    }

    [Fact]
    public void LfDirectoryReadsTextsRelevancesLabelTextsAndFilters()
    {
        var dir = Path.Combine(TestData.TempDir(), "LF-ToyTitles-3");
        Directory.CreateDirectory(dir);
        WriteGz(dir, "lbl.json.gz", "{\"uid\": \"L0\", \"title\": \"red shoe\", \"content\": \"a shoe\"}\n{\"uid\": \"L1\", \"title\": \"blue hat \", \"content\": \"\"}\n{\"uid\": 7, \"title\": \"cap\"}\n");
        WriteGz(dir, "trn.json.gz", "{\"uid\": \"p0\", \"title\": \" shoe \", \"content\": \"nice\", \"target_ind\": [0, 2], \"target_rel\": [1.0, 0.5]}\n");
        WriteGz(dir, "tst.json.gz", "{\"uid\": \"p1\", \"title\": \"hat\", \"content\": \"warm\", \"target_ind\": [1]}\n{\"uid\": \"p2\", \"title\": \"none\", \"content\": \"\", \"target_ind\": []}\n");
        File.WriteAllText(Path.Combine(dir, "filter_labels_test.txt"), "1 2\n");
        var splits = DatasetReader.ReadSplits(dir, null, null);
        Assert.Null(splits.Heldout);
        Assert.Equal(["shoe"], splits.Train.Texts); // "Titles" in the name: title only, stripped (DEXA's rule)
        Assert.Equal(["red shoe", "blue hat", "cap"], splits.Train.LabelTexts);
        Assert.Equal(["L0", "L1", "7"], splits.Train.LabelNames);
        Assert.Equal([1f, 0.5f], splits.Train.Labels.Matrix.RowValues(0).ToArray());
        Assert.Equal(2, splits.Test.NumPoints);
        Assert.Empty(splits.Test.Labels.LabelArray(1));
        var full = LfTextFormat.Read(dir, new LfTextOptions { Fields = TextFields.TitleAndContent });
        Assert.Equal(["shoe  nice"], full.Train.Texts); // " shoe " + " " + "nice", stripped
        Assert.Equal("red shoe a shoe", full.Train.LabelTexts![0]);
        var filters = LfTextFormat.ReadFilters(dir);
        Assert.Equal(0, filters.Train.Count);
        Assert.True(filters.Test.Contains(1, 2));
    }

    [Theory]
    [InlineData("{\"title\": \"x\", \"target_ind\": [5]}\n", "label id 5 is outside 0..1")]
    [InlineData("{\"title\": \"x\", \"target_ind\": [0, 1], \"target_rel\": [1]}\n", "target_rel has 1 values but target_ind has 2")]
    [InlineData("{\"title\": \"x\", \"target_ind\": [0], \"target_rel\": [\"a\"]}\n", "relevance \"a\" is not a finite number")]
    [InlineData("{\"title\": \"x\"}\n", "no 'target_ind' list")]
    [InlineData("{\"title\": \"x\", \"target_ind\": [0, 0]}\n", "appears twice")]
    public void BadLfRecordsNameFileAndLine(string record, string problem)
    {
        var dir = TestData.TempDir();
        WriteGz(dir, "lbl.json.gz", "{\"uid\": 0, \"title\": \"a\"}\n{\"uid\": 1, \"title\": \"b\"}\n");
        WriteGz(dir, "tst.json.gz", "{\"title\": \"ok\", \"target_ind\": [0]}\n");
        var trn = WriteGz(dir, "trn.json.gz", "{\"title\": \"ok\", \"target_ind\": [1]}\n" + record);
        BadInput.Expect(() => LfTextFormat.Read(dir), trn, 2, problem);
    }

    [Fact]
    public void LfAndRawTextLayoutsRoundTrip()
    {
        var data = TextSet();
        var splits = new DataSplits(data, null, data.SelectRows([2, 0]));
        foreach (var format in new[] { DataFormat.LfText, DataFormat.RawText })
        {
            var dir = Path.Combine(TestData.TempDir(), "LF-Toy");
            DatasetWriter.WriteSplits(dir, splits, format);
            Assert.Equal(format, DatasetReader.Detect(dir));
            var back = DatasetReader.ReadSplits(dir, null, null);
            // Raw text holds one text per line, so line breaks become spaces; JSON keeps them.
            var expected = format == DataFormat.RawText ? data.Texts!.Select(t => t.ReplaceLineEndings(" ")).ToArray() : data.Texts!.ToArray();
            Assert.Equal(expected, back.Train.Texts);
            Assert.Equal([expected[2], expected[0]], back.Test.Texts);
            Assert.Equal(data.LabelTexts, back.Train.LabelTexts);
            RandomData.AssertSame(data.Labels.Matrix, back.Train.Labels.Matrix);
            RandomData.AssertSame(splits.Test.Labels.Matrix, back.Test.Labels.Matrix);
        }
    }

    [Fact]
    public void RawTextCountsMustAgree()
    {
        var dir = TestData.TempDir();
        DatasetWriter.WriteSplits(dir, new DataSplits(TextSet(), null, TextSet()), DataFormat.RawText);
        File.AppendAllText(Path.Combine(dir, "raw", "tst_X.txt"), "one text too many\n");
        var e = Assert.Throws<DataFormatException>(() => RawTextFormat.Read(dir));
        Assert.EndsWith("Y.tst.npz", e.File);
        Assert.Contains("3 rows, but", e.Message);
        Assert.Contains("4 texts", e.Message);
    }

    [Fact]
    public void ClincReadsSplitsLabelsAndReportsUnknownIntentsWithTheirLine()
    {
        var dir = TestData.TempDir();
        File.WriteAllText(Path.Combine(dir, "domains.json"), "{\"bank\": [\"pay_bill\", \"balance\"], \"travel\": [\"book_flight\"]}");
        var full = """
            {
              "train": [["pay my bill", "pay_bill"], ["fly me", "book_flight"]],
              "val": [["what is my balance", "balance"]],
              "test": [["book a flight", "book_flight"]],
              "oos_train": [["tell a joke", "oos"]],
              "oos_val": [],
              "oos_test": [["who won", "oos"], ["why", "oos"]]
            }
            """;
        File.WriteAllText(Path.Combine(dir, "data_full.json"), full);
        var splits = DatasetReader.ReadSplits(dir, null, null);
        Assert.Equal(["pay_bill", "balance", "book_flight"], splits.Train.LabelNames);
        Assert.Equal(["pay bill", "balance", "book flight"], splits.Train.LabelTexts);
        Assert.Equal([0, 2], splits.Train.Labels.Classes());
        Assert.Equal(["what is my balance"], splits.Heldout!.Texts);
        var withOos = TextDatasets.Clinc150(dir, includeOutOfScope: true);
        Assert.Equal(4, withOos.Train.NumLabels);
        Assert.Equal([2, 3, 3], withOos.Test.Labels.Classes());
        Assert.Equal("out of scope", withOos.Test.LabelTexts![3]);
        Assert.Equal(["bank", "bank", "travel", "oos"], TextDatasets.Clinc150Domains(dir, includeOutOfScope: true));

        File.WriteAllText(Path.Combine(dir, "data_full.json"), full.Replace("[\"fly me\", \"book_flight\"]", "[\"fly me\", \"book_fligth\"]"));
        var e = Assert.Throws<DataFormatException>(() => TextDatasets.Clinc150(dir));
        Assert.Equal(2, e.Line);
        Assert.Contains("'book_fligth' is not in domains.json", e.Message);

        File.WriteAllText(Path.Combine(dir, "data_full.json"), full.Replace("[\"why\", \"oos\"]]", "[\"why\", \"oos\"]"));
        var m = Assert.Throws<DataFormatException>(() => TextDatasets.Clinc150(dir));
        Assert.Equal(8, m.Line);
        Assert.Contains("data_full.json:8: ", m.Message);
    }

    [Fact]
    public void Reuters21578HasTheModApteCountsAndDescribedLabels()
    {
        var dir = TestData.Shared("reuters21578");
        Assert.SkipWhen(dir is null, "../shared/data is not on this machine");
        var splits = TextDatasets.Reuters21578(dir!);
        Assert.Equal(7770, splits.Train.NumPoints);
        Assert.Equal(3019, splits.Test.NumPoints);
        Assert.Equal(90, splits.Train.NumLabels);
        Assert.Equal(9585, splits.Train.Labels.Matrix.NonZeros); // 9,586 listed; newid 5467 lists corn twice
        Assert.Equal(3744, splits.Test.Labels.Matrix.NonZeros); // one test document lists a topic twice as well
        int moneyFx = splits.Train.LabelNames!.ToList().IndexOf("money-fx");
        Assert.Equal("Money/Foreign Exchange (money-fx)", splits.Train.LabelTexts![moneyFx]);
        int castorOil = splits.Train.LabelNames!.ToList().IndexOf("castor-oil");
        Assert.Equal("castor oil", splits.Train.LabelTexts![castorOil]);
        Assert.StartsWith("BAHIA COCOA REVIEW\nShowers continued", splits.Train.Texts![0]);
        Assert.Equal(DataFormat.Reuters21578, DatasetReader.Detect(dir!));
    }

    [Fact]
    public void Clinc150HasThePublishedCounts()
    {
        var dir = TestData.Shared("clinc150");
        Assert.SkipWhen(dir is null, "../shared/data is not on this machine");
        var inScope = DatasetReader.ReadDirectory(dir!);
        Assert.Equal((15000, 3000, 4500), (inScope.Train.NumPoints, inScope.Heldout!.NumPoints, inScope.Test.NumPoints));
        Assert.Equal(150, inScope.Train.NumLabels);
        Assert.All(inScope.Train.Labels.LabelCounts(), c => Assert.Equal(100, c));
        var all = TextDatasets.Clinc150(dir!, includeOutOfScope: true);
        Assert.Equal((15100, 3100, 5500), (all.Train.NumPoints, all.Heldout!.NumPoints, all.Test.NumPoints));
        Assert.Equal(1000, all.Test.Labels.LabelCounts()[150]);
        var domains = TextDatasets.Clinc150Domains(dir!);
        Assert.Equal(10, domains.Distinct().Count());
        Assert.All(domains.GroupBy(d => d), g => Assert.Equal(15, g.Count()));
    }
}
