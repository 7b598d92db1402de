using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Data;

public class DatasetLabelNameTests
{
    [Fact]
    public void LabelNamesComeFromTheDataSetElseTheId()
    {
        var data = new Dataset(CsrMatrix.FromRows(1, [[(0, 1f)]]), LabelMatrix.FromClasses([1], 3));

        Assert.Equal("2", data.LabelName(2));
        var named = data with { LabelNames = ["cat", "dog", "eel"] };
        Assert.Equal("dog", named.LabelName(1));
        Assert.Equal("-1", named.LabelName(-1)); // padding in top-k predictions
    }
}
