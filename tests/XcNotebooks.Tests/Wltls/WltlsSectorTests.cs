using XcNotebooks.Data.Formats;
using XcNotebooks.Methods.Wltls;
using Xunit;

namespace XcNotebooks.Tests.WltlsTests;

public class WltlsSectorTests
{
    [Fact]
    public void OneEpochOnSectorIsFarAboveChance()
    {
        var prefix = TestData.Shared("sector", "sector");
        Assert.SkipWhen(prefix is null, "../shared/data is not on this machine");
        var data = LibSvmFormat.ReadPdSparse(prefix!);
        var training = Wltls.TrainDetailed(data.Train, data.Heldout, new WltlsOptions { Epochs = 1 });
        var model = training.Best;
        Assert.Equal(55, model.Graph.NumEdges);
        Assert.Equal(55L * 55197 * 4, model.ModelBytes); // the original's 11.6MB
        // Chance is 1/105; the paper's first epoch validates at about 92.6%.
        double accuracy = model.Accuracy(data.Test);
        Assert.True(accuracy > 88, $"test accuracy after one epoch {accuracy:F1}%");
    }
}
