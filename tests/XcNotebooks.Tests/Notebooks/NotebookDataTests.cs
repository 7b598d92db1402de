using XcNotebooks.Data.Formats;
using XcNotebooks.Notebooks;
using XcNotebooks.Synthetic;
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
    [Fact]
    public void BibtexIsReadFromItsFolderUnlessInFastMode()
    {
        // A small stand-in for ../shared/data/bibtex: the same file names, XMLRepository text.
        var folder = TestData.TempDir();
        var toy = SyntheticXc.Generate(new SyntheticXcOptions { NumLabels = 16, NumFeatures = 60, NumTrain = 50, NumTest = 20, MultiLabel = true, Texts = false, Seed = 4 });
        XmlRepositoryFormat.Write(Path.Combine(folder, "bibtex_train.txt"), toy.Train);
        XmlRepositoryFormat.Write(Path.Combine(folder, "bibtex_test.txt"), toy.Test);

        var shared = NotebookData.BibtexOrEmbedded(folder, fast: false);
        Assert.True(shared.IsShared);
        Assert.Equal("bibtex", shared.Name);
        Assert.Equal([50, 20], shared.Splits.All.Select(s => s.NumPoints));
        Assert.Equal(toy.Test.Labels.Matrix.NonZeros, shared.Splits.Test.Labels.Matrix.NonZeros);
        Assert.Equal(Path.Combine(folder, "bibtex_test.txt"), shared.Files["test"]);

        var fast = NotebookData.BibtexOrEmbedded(folder, fast: true);
        Assert.False(fast.IsShared);
        Assert.Equal("Fast mode: the embedded multi-label default (128 synthetic labels) stands in for bibtex.", fast.FallbackReason);
        Assert.Equal(128, fast.Splits.Train.NumLabels);
        Assert.Contains("../shared/data/bibtex is not on this machine", NotebookData.BibtexOrEmbedded(null, fast: false).FallbackReason);
    }

    [Fact]
    public void WithoutClinc150TheEmbeddedDefaultBringsItsTexts()
    {
        var data = NotebookData.Clinc150OrEmbedded(clincFolder: null, fast: false, heldoutPoints: 100);

        Assert.False(data.IsShared);
        Assert.Contains("../shared/data/clinc150 is not on this machine", data.FallbackReason);
        Assert.Equal(100, data.Splits.Heldout!.NumPoints);
        Assert.All(data.Splits.All, split => Assert.Equal(split.NumPoints, split.Texts!.Count));
        Assert.Equal(64, data.Splits.Train.LabelTexts!.Count);
        Assert.StartsWith("Fast mode", NotebookData.Clinc150OrEmbedded("/nowhere", fast: true).FallbackReason);
        Assert.Throws<ArgumentException>(() => NotebookData.Clinc150OrEmbedded(null, false, heldoutPoints: -1));
    }
}
