using XcNotebooks.Data.Formats;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Data;

public class SparseTextFormatTests
{
    [Fact]
    public void ReadsPyxclibLayoutWithEmptyRowsCommentsAndQid()
    {
        var path = TestData.TempFile("m.txt", "4 5\n0:1.5 3:2\n\nqid:7 4:0.25 1:-1 # trailing comment\n2:1e-3\n");
        var m = SparseTextFormat.ReadMatrix(path);
        var expected = new float[,] { { 1.5f, 0, 0, 2, 0 }, { 0, 0, 0, 0, 0 }, { 0, -1, 0, 0, 0.25f }, { 0, 0, 0.001f, 0, 0 } };
        Assert.Equal(expected, m.ToDense());
    }

    [Theory]
    [InlineData("m.txt")]
    [InlineData("m.txt.gz")]
    [InlineData("m.txt.bz2")]
    public void MatrixRoundTrips(string name)
    {
        var m = RandomData.Matrix(30, 17, 0.2, seed: 5);
        var path = Path.Combine(TestData.TempDir(), name);
        SparseTextFormat.WriteMatrix(path, m);
        RandomData.AssertSame(m, SparseTextFormat.ReadMatrix(path));
    }

    [Fact]
    public void DatasetRoundTripsThroughFeatureAndLabelFiles()
    {
        var data = RandomData.Dataset(25, 12, 7, seed: 9);
        var dir = TestData.TempDir();
        var (xf, y) = (Path.Combine(dir, "trn_X_Xf.txt"), Path.Combine(dir, "trn_X_Y.txt"));
        DatasetWriter.Write(xf, data);
        Assert.True(File.Exists(y));
        var back = DatasetReader.Read(xf);
        RandomData.AssertSame(data.Features, back.Features);
        RandomData.AssertSame(data.Labels.Matrix, back.Labels.Matrix);
        // The labels file alone reads as labels without features; with its sibling present, as the pair.
        Assert.Equal(data.NumFeatures, DatasetReader.Read(y).NumFeatures);
    }

    [Fact]
    public void ShortFileIsTruncatedUnlessPyxclibLenienceIsAsked()
    {
        var path = TestData.TempFile("short.txt", "3 4\n0:1\n1:2\n");
        var e = Assert.Throws<DataFormatException>(() => SparseTextFormat.ReadMatrix(path));
        Assert.Contains(path, e.Message);
        Assert.Equal(3, e.Line);
        Assert.Contains("truncated", e.Message);
        var lenient = SparseTextFormat.ReadMatrix(path, new SparseTextOptions { AllowMissingTrailingRows = true });
        Assert.Equal(3, lenient.Rows);
        Assert.Equal(0, lenient.RowLength(2));
    }

    [Theory]
    [InlineData("2 4 7\n0:1\n1:1\n", 1, "header")]
    [InlineData("2 x\n0:1\n1:1\n", 1, "'x' is not an integer")]
    [InlineData("2 4\n0:1\n4:1\n", 3, "column id 4 is outside 0..3")]
    [InlineData("2 4\n0:1\n-1:1\n", 3, "column id -1")]
    [InlineData("2 4\n0:abc\n1:1\n", 2, "'abc' is not a number")]
    [InlineData("2 4\n0:NaN\n1:1\n", 2, "not a finite number")]
    [InlineData("2 4\n0:1\n1:Infinity\n", 3, "not a finite number")]
    [InlineData("2 4\n0:1 0:2\n1:1\n", 2, "appears twice")]
    [InlineData("2 4\n0:1\n1:1\n2:1\n", 4, "more rows than the header's 2")]
    [InlineData("2 4\n0:1\n3\n", 3, "expected 'column:value'")]
    [InlineData("", 1, "empty file")]
    public void BadInputNamesFileLineAndProblem(string content, int line, string problem)
    {
        var path = TestData.TempFile("bad.txt", content);
        BadInput.Expect(() => SparseTextFormat.ReadMatrix(path), path, line, problem);
    }

    [Fact]
    public void PairWithDifferentRowCountsIsRefused()
    {
        var dir = TestData.TempDir();
        File.WriteAllText(Path.Combine(dir, "a_X_Xf.txt"), "2 3\n0:1\n1:1\n");
        File.WriteAllText(Path.Combine(dir, "a_X_Y.txt"), "3 2\n0:1\n1:1\n0:1\n");
        var e = Assert.Throws<DataFormatException>(() => DatasetReader.Read(Path.Combine(dir, "a_X_Xf.txt")));
        Assert.Contains("a_X_Y.txt", e.Message);
        Assert.Contains("3 rows", e.Message);
    }
}
