using XcNotebooks.Data.Formats;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Data;

public class LibSvmTests
{
    [Fact]
    public void SectorSplitsHaveThePublishedCounts()
    {
        var prefix = TestData.Shared("sector", "sector");
        Assert.SkipWhen(prefix is null, "../shared/data is not on this machine");
        var splits = LibSvmFormat.ReadPdSparse(prefix!);
        Assert.Equal(7793, splits.Train.NumPoints);
        Assert.Equal(865, splits.Heldout!.NumPoints);
        Assert.Equal(961, splits.Test.NumPoints);
        Assert.Equal(105, splits.Train.NumLabels);
        Assert.True(splits.Train.Labels.IsMultiClass);
        Assert.Equal(55197, splits.All.Max(s => s.NumFeatures));
    }

    [Fact]
    public void MalformedValueNamesFileAndLine()
    {
        var path = TestData.TempFile("bad.svm", "1 1:0.5 3:0.25\n2 2:abc\n");
        var e = Assert.Throws<DataFormatException>(() => LibSvmFormat.Read(path));
        Assert.Equal(2, e.Line);
        Assert.Contains("abc", e.Message);
        Assert.Contains(path, e.Message);
    }
}
