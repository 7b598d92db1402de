using XcNotebooks.Data.Formats;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Data;

public class MulanArffFormatTests
{
    private const string Xml = """
        <?xml version="1.0" encoding="utf-8"?>
        <labels xmlns="http://mulan.sourceforge.net/labels">
        <label name="sports"><label name="tennis"></label><label name="golf"/></label>
        <label name="politics"></label>
        </labels>
        """;

    private static string WriteSet(string arff, string xml = Xml)
    {
        var dir = TestData.TempDir();
        File.WriteAllText(Path.Combine(dir, "toy.xml"), xml);
        var path = Path.Combine(dir, "toy-train.arff");
        File.WriteAllText(path, arff);
        return path;
    }

    [Fact]
    public void ReadsSparseAndDenseRowsWithNominalFeaturesMissingValuesAndHierarchy()
    {
        // Attribute order: x (numeric), tennis, colour {red,green,blue}, sports, 'my y' (numeric), golf, politics.
        var path = WriteSet("""
            % a comment
            @relation toy
            @attribute x numeric
            @attribute tennis {0,1}
            @attribute colour {red,green,blue}
            @attribute sports {0,1}
            @attribute 'my y' real
            @attribute golf {0,1}
            @attribute politics {0,1}
            @data
            {0 2.5,1 1,2 blue,3 1}
            1.5,0,green,0,?,1,1
            {4 -3}
            """);
        var data = MulanArffFormat.Read(path);
        // Features: x -> 0, colour green -> 1, colour blue -> 2 (red is the reference level), 'my y' -> 3.
        Assert.Equal(new float[,] { { 2.5f, 0, 1, 0 }, { 1.5f, 1, 0, 0 }, { 0, 0, 0, -3 } }, data.Features.ToDense());
        // Labels in attribute order: tennis 0, sports 1, golf 2, politics 3.
        Assert.Equal(["tennis", "sports", "golf", "politics"], data.LabelNames);
        Assert.Equal([0, 1], data.Labels.LabelArray(0));
        Assert.Equal([2, 3], data.Labels.LabelArray(1));
        Assert.Empty(data.Labels.LabelArray(2));
        // sports is the parent of tennis and golf; sports and politics hang below the root.
        Assert.Equal([(-1, 1), (-1, 3), (1, 0), (1, 2)], data.LabelHierarchyEdges!.Order());
    }

    [Fact]
    public void WriterRoundTripsFeaturesLabelsNamesAndTreeHierarchy()
    {
        var data = RandomData.Dataset(20, 9, 5, seed: 3) with
        {
            LabelNames = ["a", "b c", "d'e", "f0", "g"],
            LabelHierarchyEdges = [(-1, 0), (0, 1), (0, 2), (-1, 3), (3, 4)],
        };
        var dir = TestData.TempDir();
        var arff = Path.Combine(dir, "set-train.arff");
        DatasetWriter.Write(arff, data);
        Assert.True(File.Exists(Path.Combine(dir, "set.xml")));
        var back = DatasetReader.Read(arff);
        RandomData.AssertSame(data.Features, back.Features);
        RandomData.AssertSame(data.Labels.Matrix, back.Labels.Matrix);
        Assert.Equal(data.LabelNames, back.LabelNames);
        Assert.Equal(data.LabelHierarchyEdges.Order(), back.LabelHierarchyEdges!.Order());
    }

    [Fact]
    public void WriterRefusesADagHierarchy()
    {
        var data = RandomData.Dataset(4, 3, 3, seed: 1) with { LabelHierarchyEdges = [(-1, 0), (-1, 1), (0, 2), (1, 2)] };
        var dir = TestData.TempDir();
        var e = Assert.Throws<ArgumentException>(() => MulanArffFormat.Write(Path.Combine(dir, "a.arff"), Path.Combine(dir, "a.xml"), data));
        Assert.Contains("two parents", e.Message);
    }

    private const string Header = "@relation t\n@attribute x numeric\n@attribute c {r,g}\n@attribute sports {0,1}\n@attribute tennis {0,1}\n@attribute golf {0,1}\n@attribute politics {0,1}\n@data\n";

    [Theory]
    [InlineData("{0 1,9 1}\n", 9, "attribute index 9 is outside 0..5")]
    [InlineData("{0 abc}\n", 9, "'abc' is not a number")]
    [InlineData("{0 NaN}\n", 9, "not a finite number")]
    [InlineData("{1 blue}\n", 9, "'blue' is not one of the declared values of 'c'")]
    [InlineData("{2 2}\n", 9, "'2' is not one of the declared values of label 'sports'")]
    [InlineData("1,r,0,1,0,0\n1,g,0\n", 10, "3 values, but the header declares 6 attributes")]
    [InlineData("{0 1,x 1}\n", 9, "bad sparse entry")]
    [InlineData("{0 1,0 2}\n", 9, "appears twice")]
    public void BadRowsNameFileAndLine(string rows, int line, string problem)
    {
        var path = WriteSet(Header + rows);
        BadInput.Expect(() => MulanArffFormat.Read(path), path, line, problem);
    }

    [Fact]
    public void BadHeadersAndXmlAreReported()
    {
        var truncated = WriteSet("@relation t\n@attribute x numeric\n");
        Assert.Contains("before @data", Assert.Throws<DataFormatException>(() => MulanArffFormat.Read(truncated)).Message);

        var stringAttr = WriteSet("@relation t\n@attribute s string\n" + Header[12..]);
        var e = Assert.Throws<DataFormatException>(() => MulanArffFormat.Read(stringAttr));
        Assert.Equal(2, e.Line);
        Assert.Contains("only numeric and nominal", e.Message);

        var missingLabel = WriteSet("@relation t\n@attribute x numeric\n@attribute sports {0,1}\n@data\n{0 1}\n");
        var m = Assert.Throws<DataFormatException>(() => MulanArffFormat.Read(missingLabel));
        Assert.EndsWith("toy.xml", m.File);
        Assert.Contains("'tennis' is not an attribute", m.Message);

        var badXml = WriteSet(Header + "{0 1}\n", "<labels>\n<label name=\"a\">\n</labels>");
        var x = Assert.Throws<DataFormatException>(() => MulanArffFormat.Read(badXml));
        Assert.Equal(3, x.Line);
        Assert.Contains("malformed XML", x.Message);
    }

    [Fact]
    public void BibtexArffEqualsTheXmlRepositoryFile()
    {
        var arff = TestData.Shared("bibtex", "arff", "bibtex-train.arff");
        Assert.SkipWhen(arff is null, "../shared/data is not on this machine");
        var fromArff = MulanArffFormat.Read(arff!);
        var fromText = XmlRepositoryFormat.Read(TestData.Shared("bibtex", "bibtex_train.txt")!);
        Assert.Equal(4880, fromArff.NumPoints);
        Assert.Equal(1836, fromArff.NumFeatures);
        Assert.Equal(159, fromArff.NumLabels);
        Assert.Equal("TAG_2005", fromArff.LabelNames![0]);
        RandomData.AssertSame(fromText.Features, fromArff.Features);
        RandomData.AssertSame(fromText.Labels.Matrix, fromArff.Labels.Matrix);
    }
}
