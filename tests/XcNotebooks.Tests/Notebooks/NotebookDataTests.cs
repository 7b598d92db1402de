using XcNotebooks.Data.Formats;
using XcNotebooks.Data.Synthetic;
using XcNotebooks.Notebooks;
using Xunit;

namespace XcNotebooks.Tests.Notebooks;

public class NotebookDataTests
{
    [Fact]
    public void SectorIsReadFromItsFolderUnlessInFastMode()
    {
        // A small stand-in for ../shared/data/sector: the same file names, LIBSVM text.
        var folder = TestData.TempDir();
        var toy = SyntheticData.MultiClass(5, 40, 60, 20, 30, seed: 2);
        LibSvmFormat.Write(Path.Combine(folder, "sector.train"), toy.Train);
        LibSvmFormat.Write(Path.Combine(folder, "sector.heldout"), toy.Heldout!);
        LibSvmFormat.Write(Path.Combine(folder, "sector.test"), toy.Test);

        var shared = NotebookData.SectorOrEmbedded(folder, fast: false);
        Assert.True(shared.IsShared);
        Assert.Null(shared.FallbackReason);
        Assert.Equal([60, 20, 30], shared.Splits.All.Select(s => s.NumPoints));
        Assert.Equal(toy.Test.Features.NonZeros, shared.Splits.Test.Features.NonZeros);
        Assert.Equal(5, shared.Splits.Train.NumLabels);
        Assert.Equal(Path.Combine(folder, "sector.heldout"), shared.Files["heldout"]);
        Assert.StartsWith("sector", shared.Name);

        var fast = NotebookData.SectorOrEmbedded(folder, fast: true, heldoutPoints: 150);
        Assert.False(fast.IsShared);
        Assert.StartsWith("Fast mode", fast.FallbackReason);
        Assert.Equal(150, fast.Splits.Heldout!.NumPoints);
        Assert.Equal(EmbeddedData.Default().Test.Labels.Classes(), fast.Splits.Test.Labels.Classes());
        Assert.Contains("heldoutPoints: 150", fast.Files["embedded"]);
    }

    [Fact]
    public void WithoutSectorTheEmbeddedDefaultStandsInAndSaysWhy()
    {
        var data = NotebookData.SectorOrEmbedded(sectorFolder: null, fast: false, heldoutPoints: 0);

        Assert.False(data.IsShared);
        Assert.Contains("not on this machine", data.FallbackReason);
        Assert.Null(data.Splits.Heldout);
        Assert.Equal(64, data.Splits.Train.NumLabels);
        Assert.Throws<ArgumentException>(() => NotebookData.SectorOrEmbedded(null, false, heldoutPoints: -1));
    }
}
