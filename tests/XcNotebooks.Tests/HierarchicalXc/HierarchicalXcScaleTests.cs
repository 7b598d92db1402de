using XcNotebooks.Hierarchies;
using XcNotebooks.Learners;
using XcNotebooks.Methods.HierarchicalXc;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.HierarchicalXcTests;

/// <summary>
/// What lets HierarchicalXC run on 17k labels: the clustering in the distances' own array, sparse node weights and
/// node point lists built chunk by chunk. Each against a reference computed the plain way.
/// </summary>
public sealed class HierarchicalXcScaleTests
{
    [Theory]
    [InlineData(LinkageMethod.Complete)]
    [InlineData(LinkageMethod.Single)]
    [InlineData(LinkageMethod.Average)]
    public void ClusteringInTheDistancesOwnArrayGivesTheSameTree(LinkageMethod method)
    {
        var labels = SyntheticData.MultiLabel(labels: 40, features: 30, points: 300, seed: 4).Labels;
        // Reference: the clustering on a working copy (the distances stay as they were).
        var distances = ClassDistances.CoOccurrence(labels);
        var before = (double[])distances.Values.Clone();
        var expected = AgglomerativeClustering.Fit(distances, method).Merges;
        Assert.Equal(before, distances.Values);
        var actual = AgglomerativeClustering.Fit(ClassDistances.CoOccurrence(labels), method, overwrite: true).Merges;
        Assert.Equal(expected, actual);
        if (method == LinkageMethod.Complete) Assert.Equal(expected, HierarchicalXc.LabelTree(labels).Merges);
    }

    [Fact]
    public void SparseNodeWeightsGiveTheDenseProductsProbabilities()
    {
        var data = SyntheticData.MultiLabel(labels: 10, features: 50, points: 240, seed: 6);
        var train = data.SelectRows(Enumerable.Range(0, 180).ToArray());
        var test = data.SelectRows(Enumerable.Range(180, 60).ToArray());
        var model = HierarchicalXc.Train(train, new HierarchicalXcOptions { Seed = 2 });
        var weights = model.SideWeights;
        // Only non-zeros are stored, and each side touches only the features of its node's points.
        Assert.DoesNotContain(0f, weights.Values.AsSpan(0, (int)weights.NonZeros).ToArray());
        var tree = HierarchicalXc.LabelTree(train.Labels);
        var points = HierarchicalXc.PointsPerNode(tree, train.Labels);
        for (int t = 0; t < model.NumLabels - 1; t++)
        {
            Assert.Equal(points[model.NumLabels + t].Length > 0, model.HasClassifier[t]);
            var seen = points[model.NumLabels + t].SelectMany(p => train.Features.RowIndices(p).ToArray()).ToHashSet();
            for (int s = 0; s < 2; s++)
                Assert.All(weights.RowIndices(2 * t + s).ToArray(), f => Assert.Contains(f, seen));
        }

        // Reference: every side's margin as a dense dot product, in plain loops.
        var dense = weights.ToDense();
        for (int row = 0; row < test.NumPoints; row++)
        {
            var x = test.Features.RowEntries(row);
            for (int t = 0; t < model.NumLabels - 1; t++)
            {
                var (left, right) = model.SideProbabilities(test.Features, row, model.NumLabels + t);
                for (int s = 0; s < 2; s++)
                {
                    float margin = 0;
                    foreach (var (f, v) in x) margin += v * dense[2 * t + s, f];
                    double expected = model.HasClassifier[t] ? model.Calibration[2 * t + s].Probability(margin + model.SideBias[2 * t + s]) : 1;
                    Assert.Equal(expected, s == 0 ? left : right, 12);
                }
            }
        }
    }
}
