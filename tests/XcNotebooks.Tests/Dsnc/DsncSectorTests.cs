using XcNotebooks.Data.Formats;
using XcNotebooks.Methods.Dsnc;
using Xunit;

namespace XcNotebooks.Tests.DsncTests;

public sealed class DsncSectorTests
{
    [Fact]
    public void AShortTrainingOnSectorDecodesWellBothWays()
    {
        var prefix = TestData.Shared("sector", "sector");
        Assert.SkipWhen(prefix is null, "../shared/data is not on this machine");
        var data = LibSvmFormat.ReadPdSparse(prefix!);
        using var model = Dsnc.Train(data.Train, data.Heldout, new DsncOptions { CodeBits = 32, Epochs = 4, Backend = XcNotebooks.Compute.BackendKind.Cpu });
        // Chance is 1/105; W-LTLS b=5 (55 edges) reaches 94.2% after 5 epochs.
        double decoder = model.Accuracy(data.Test), lookup = model.LookupAccuracy(data.Test);
        Assert.True(decoder > 88, $"learned decoder {decoder:F1}%");
        Assert.True(lookup > 88, $"code lookup {lookup:F1}%");
        Assert.Equal(105, model.CodeStatistics.Classes);
    }
}
