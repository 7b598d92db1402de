using XcNotebooks.Data;
using XcNotebooks.Metrics;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Metrics;

/// <summary>Values computed by running pyxclib's xc_metrics on the same toy input (spec encoders-detailed.md §5.1).</summary>
public class PyxclibReferenceTests
{
    private static readonly LabelMatrix TrainLabels = LabelMatrix.FromLabelSets(
        [[0, 1], [0], [0, 2], [1], [0, 3], [2, 5], [0], [6], [1, 0], [4]], 8);

    private static readonly LabelMatrix TestLabels = LabelMatrix.FromLabelSets([[0, 2, 5], [1], [3, 4, 6, 7], []], 8);

    private static TopKPredictions Predictions(int k = 5) => TopKPredictions.FromSparseScores(CsrMatrix.FromRows(8,
    [
        [(0, .9f), (1, .8f), (2, .7f), (3, .1f), (5, .05f), (6, .3f)],
        [(1, .2f), (2, .6f), (7, .5f)],
        [(3, .4f), (4, .45f), (0, .9f), (6, .2f), (7, .1f), (5, .3f)],
        [(0, .5f), (1, .4f)],
    ]), k);

    [Theory]
    [InlineData(0.55, 1.5, new[] { 1.711851, 1.942771, 2.082519, 2.302585, 2.302585, 2.302585, 2.302585, 2.725134 })]
    [InlineData(0.6, 2.6, new[] { 1.772482, 1.999251, 2.124431, 2.302585, 2.302585, 2.302585, 2.302585, 2.583447 })]
    [InlineData(0.5, 0.4, new[] { 1.609228, 1.835854, 1.994866, 2.302585, 2.302585, 2.302585, 2.302585, 3.436914 })]
    public void InversePropensityMatchesPyxclib(double a, double b, double[] expected)
    {
        var w = Propensity.Inverse(TrainLabels, a, b);
        for (int l = 0; l < expected.Length; l++) Assert.Equal(expected[l], w[l], 1e-5);
    }

    [Fact]
    public void AllMetricsMatchPyxclib()
    {
        var report = XcMetrics.Evaluate(TestLabels, Predictions(), 5, Propensity.Inverse(TrainLabels));
        AssertSeq([0.25, 0.25, 0.416667, 0.3125, 0.3], report.Precision);
        AssertSeq([0.25, 0.25, 0.43366, 0.411353, 0.449108], report.Ndcg);
        AssertSeq([0.245586, 0.353521, 0.672888, 0.585217, 0.715508], report.PropensityPrecision!);
        AssertSeq([0.245586, 0.288665, 0.532734, 0.503898, 0.557321], report.PropensityNdcg!);
        AssertSeq([0.083333, 0.145833, 0.541667, 0.541667, 0.604167], report.Recall);
        Assert.Equal(0.75, XcMetrics.HitsAt(TestLabels, Predictions(), 3), 6);
    }

    [Fact]
    public void WithoutTheEmptyPointPrecisionRisesButPspIsUnchanged()
    {
        int[] rows = [0, 1, 2];
        var report = XcMetrics.Evaluate(TestLabels.SelectRows(rows), Predictions().SelectRows(rows), 5, Propensity.Inverse(TrainLabels));
        AssertSeq([0.333333, 0.333333, 0.555556, 0.416667, 0.4], report.Precision);
        AssertSeq([0.333333, 0.333333, 0.578213, 0.54847, 0.59881], report.Ndcg);
        AssertSeq([0.245586, 0.353521, 0.672888, 0.585217, 0.715508], report.PropensityPrecision!);
    }

    [Fact]
    public void FilterRemovesListedPairsAndShiftsTheRest()
    {
        var filter = new LabelFilter([(0, 0), (2, 0)]);
        var filtered = filter.Apply(Predictions(3));
        Assert.Equal([1, 2, -1], filtered.LabelsOf(0).ToArray()); // not back-filled from beyond the top 3
        Assert.Equal([4, 3, -1], filtered.LabelsOf(2).ToArray()); 
        Assert.Equal([2, 7, 1], filtered.LabelsOf(1).ToArray());
    }

    private static void AssertSeq(double[] expected, IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-5);
    }
}
