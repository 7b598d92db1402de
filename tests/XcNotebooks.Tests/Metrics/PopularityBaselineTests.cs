using XcNotebooks.Data;
using XcNotebooks.Metrics;
using Xunit;

namespace XcNotebooks.Tests.Metrics;

public class PopularityBaselineTests
{
    [Fact]
    public void EveryPointGetsTheMostFrequentTrainingLabelsWithTiesToTheLowerLabel()
    {
        // Counts: label 0 once, 1 three times, 2 twice, 3 three times, 4 never.
        var train = LabelMatrix.FromLabelSets([[1, 3], [1, 2], [0, 1, 3], [2, 3]], 5);

        var top = TopKPredictions.MostFrequent(train, rows: 3, k: 3);

        Assert.Equal(3, top.Rows);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal([1, 3, 2], top.LabelArray(i));
            Assert.Equal([3f, 3f, 2f], top.ScoresOf(i).ToArray());
        }
        // More places than labels with points: the label without points comes last, then padding.
        var all = TopKPredictions.MostFrequent(train, rows: 1, k: 6);
        Assert.Equal([1, 3, 2, 0, 4, -1], all.LabelsOf(0).ToArray());
        Assert.Empty(TopKPredictions.MostFrequent(train, rows: 0, k: 2).Labels);
        Assert.Throws<ArgumentException>(() => TopKPredictions.MostFrequent(train, rows: 2, k: 0));
    }
}
