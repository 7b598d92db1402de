using XcNotebooks.Data.Formats;
using Xunit;

namespace XcNotebooks.Tests.Data;

public class XmlRepositoryFormatTests
{
    [Theory]
    [InlineData("set.txt")]
    [InlineData("set.txt.bz2")]
    public void RoundTripsIncludingPointsWithoutLabels(string name)
    {
        var data = RandomData.Dataset(30, 10, 6, seed: 8);
        Assert.Contains(Enumerable.Range(0, 30), i => data.Labels.LabelArray(i).Length == 0);
        var path = Path.Combine(TestData.TempDir(), name);
        XmlRepositoryFormat.Write(path, data);
        var back = DatasetReader.Read(path);
        RandomData.AssertSame(data.Features, back.Features);
        RandomData.AssertSame(data.Labels.Matrix, back.Labels.Matrix);
    }

    [Theory]
    [InlineData("2 4\n0 0:1\n", 1, "header must be 'points features labels'")]
    [InlineData("2 4 3\n0 0:1\n", 2, "truncated")]
    [InlineData("1 4 3\n3 0:1\n", 2, "label id 3 is outside 0..2")]
    [InlineData("1 4 3\n0 4:1\n", 2, "feature id 4 is outside 0..3")]
    [InlineData("1 4 3\n0 1:x\n", 2, "'x' is not a number")]
    [InlineData("1 4 3\n0 1:-Infinity\n", 2, "not a finite number")]
    [InlineData("1 4 3\n0,,1 1:1\n", 2, "empty label")]
    [InlineData("1 4 3\n0 1:1\n1 1:1\n", 3, "more points than the header's 1")]
    public void BadInputNamesFileAndLine(string content, int line, string problem)
    {
        var path = TestData.TempFile("bad.txt", content);
        BadInput.Expect(() => XmlRepositoryFormat.Read(path), path, line, problem);
    }

    [Theory]
    [InlineData("1 1:0.5\nx 2:1\n", 2, "label 'x' is not an integer")]
    [InlineData("1 0:0.5\n", 1, "feature id 0 is below 1")]
    [InlineData("1 1:NaN\n", 1, "not a finite number")]
    public void LibSvmBadInputNamesFileAndLine(string content, int line, string problem)
    {
        var path = TestData.TempFile("bad.svm", content);
        BadInput.Expect(() => LibSvmFormat.Read(path), path, line, problem);
    }
}
