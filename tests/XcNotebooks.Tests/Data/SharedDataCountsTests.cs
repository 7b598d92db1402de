using XcNotebooks.Data.Formats;
using Xunit;

namespace XcNotebooks.Tests.Data;

/// <summary>
/// The real data sets of ../shared/data read through the one entry point, checked against their published figures
/// (Mulan's tables, PROVENANCE.txt files). Reuters-21578, CLINC150 and the HMC sets are checked in their format tests.
/// </summary>
public class SharedDataCountsTests
{
    [Fact]
    public void BibtexDirectoryHasMulanCountsAndLabelNames()
    {
        var dir = TestData.Shared("bibtex");
        Assert.SkipWhen(dir is null, "../shared/data is not on this machine");
        Assert.Equal(DataFormat.XmlRepository, DatasetReader.Detect(dir!));
        var splits = DatasetReader.ReadDirectory(dir!);
        Assert.Equal((4880, 2515), (splits.Train.NumPoints, splits.Test.NumPoints));
        Assert.Equal(1836, splits.Train.NumFeatures);
        Assert.Equal(159, splits.Train.NumLabels);
        Assert.Equal("TAG_2005", splits.Train.LabelNames![0]);
        // Mulan's bibtex: label cardinality 2.402 over all 7,395 points.
        double cardinality = (double)(splits.Train.Labels.Matrix.NonZeros + splits.Test.Labels.Matrix.NonZeros) / 7395;
        Assert.Equal(2.402, cardinality, 3);
    }

    [Fact]
    public void EnronHasMulanCounts()
    {
        var train = TestData.Shared("enron", "enron_train.txt");
        Assert.SkipWhen(train is null, "../shared/data is not on this machine");
        var splits = DatasetReader.ReadDirectory(Path.GetDirectoryName(train)!);
        Assert.Equal((1123, 579), (splits.Train.NumPoints, splits.Test.NumPoints)); // 1,702 in all
        Assert.Equal(1001, splits.Train.NumFeatures);
        Assert.Equal(53, splits.Train.NumLabels);
        double cardinality = (double)(splits.Train.Labels.Matrix.NonZeros + splits.Test.Labels.Matrix.NonZeros) / 1702;
        Assert.Equal(3.378, cardinality, 3);
    }

    [Fact]
    public void SectorDirectoryIsFoundAsPdSparseSplits()
    {
        var dir = TestData.Shared("sector");
        Assert.SkipWhen(dir is null, "../shared/data is not on this machine");
        // The full read (7,793 / 865 / 961 points, 105 classes, 55,197 features) is LibSvmTests'; here only the layout.
        var layout = DirectoryLayout.Find(dir!, DataFormat.Auto);
        Assert.Equal(DataFormat.LibSvm, layout.Format);
        Assert.EndsWith("sector.train.bz2", layout.Train);
        Assert.EndsWith("sector.heldout.bz2", layout.Heldout);
        Assert.EndsWith("sector.test.bz2", layout.Test);
    }

    [Fact]
    public void HmcDirectoryWithTwoDataSetsAsksForFiles()
    {
        var dir = TestData.Shared("hmc");
        Assert.SkipWhen(dir is null, "../shared/data is not on this machine");
        var e = Assert.Throws<ArgumentException>(() => DatasetReader.ReadDirectory(dir!));
        Assert.Contains("several data sets", e.Message);
        Assert.Equal(DataFormat.ClusHmc, DatasetReader.Detect(Path.Combine(dir!, "Diatoms_train.arff")));
        Assert.Equal(DataFormat.MulanArff, DatasetReader.Detect(TestData.Shared("bibtex", "arff", "bibtex-train.arff")!));
    }
}
