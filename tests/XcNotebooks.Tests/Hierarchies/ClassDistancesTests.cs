using XcNotebooks.Hierarchies;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Hierarchies;

public class ClassDistancesTests
{
    [Fact]
    public void ClassMeansByHand()
    {
        // Points: p0 = (1, 0, 2) class 0; p1 = (3, 4, 0) class 0; p2 = (0, 0, 6) class 1; class 2 has no point.
        var features = CsrMatrix.FromDense(new float[,] { { 1, 0, 2 }, { 3, 4, 0 }, { 0, 0, 6 } });
        var labels = LabelMatrix.FromClasses([0, 0, 1], 3);
        var means = ClassDistances.ClassMeans(features, labels).ToDense();
        Assert.Equal(new float[,] { { 2, 2, 1 }, { 0, 0, 6 }, { 0, 0, 0 } }, means);

        var d = ClassDistances.EuclideanBetweenMeans(new Dataset(features, labels));
        Assert.Equal(Math.Sqrt(4 + 4 + 25), d[0, 1], 9);
        Assert.Equal(3.0, d[0, 2], 9);
        Assert.Equal(6.0, d[1, 2], 9);
    }

    [Fact]
    public void MultiLabelPointsCountForEachOfTheirLabels()
    {
        var features = CsrMatrix.FromDense(new float[,] { { 2, 0 }, { 0, 4 } });
        var labels = LabelMatrix.FromLabelSets([[0, 1], [1]], 2);
        Assert.Equal(new float[,] { { 2, 0 }, { 1, 2 } }, ClassDistances.ClassMeans(features, labels).ToDense());
    }

    [Fact]
    public void EuclideanDistancesMatchDenseBruteForce()
    {
        var rng = new Random(5);
        int n = 300, d = 50, k = 23;
        var dense = new float[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                if (rng.NextDouble() < 0.1) dense[i, j] = (float)(rng.NextDouble() * 2 - 0.5);
        var classes = Enumerable.Range(0, n).Select(_ => rng.Next(k)).ToArray();
        var data = new Dataset(CsrMatrix.FromDense(dense), LabelMatrix.FromClasses(classes, k));
        var distances = ClassDistances.EuclideanBetweenMeans(data);

        var means = new double[k, d];
        var counts = new int[k];
        for (int i = 0; i < n; i++)
        {
            counts[classes[i]]++;
            for (int j = 0; j < d; j++) means[classes[i], j] += dense[i, j];
        }
        for (int a = 0; a < k; a++)
            for (int b = a + 1; b < k; b++)
            {
                double sum = 0;
                for (int j = 0; j < d; j++)
                {
                    double diff = (counts[a] == 0 ? 0 : means[a, j] / counts[a]) - (counts[b] == 0 ? 0 : means[b, j] / counts[b]);
                    sum += diff * diff;
                }
                Assert.Equal(Math.Sqrt(sum), distances[a, b], 5);
            }
    }

    [Fact]
    public void CoOccurrenceByHand()
    {
        // Points: {0,1}, {0,1,2}, {1}, {3}. Both(0,1) = 2, both(0,2) = 1, both(1,2) = 1, label 3 meets no one.
        var labels = LabelMatrix.FromLabelSets([[0, 1], [0, 1, 2], [1], [3]], 4);
        var count = ClassDistances.CoOccurrence(labels);
        Assert.Equal(new double[] { -2, -1, 0, -1, 0, 0 }, count.Values);

        var iou = ClassDistances.CoOccurrence(labels, CoOccurrenceDistance.NegativeIou);
        // |0| = 2, |1| = 3, |2| = 1, |3| = 1: IoU(0,1) = 2/3, IoU(0,2) = 1/2, IoU(1,2) = 1/3.
        Assert.Equal(-2.0 / 3, iou[0, 1], 12);
        Assert.Equal(-0.5, iou[0, 2], 12);
        Assert.Equal(-1.0 / 3, iou[1, 2], 12);
        Assert.Equal(0.0, iou[2, 3], 12);
    }

    [Fact]
    public void CompleteLinkOnNegativeCoOccurrenceGroupsLabelsThatAppearTogether()
    {
        // Labels 0 and 2 always appear together, as do 1 and 3: HierarchicalXC's tree must pair them first.
        var labels = LabelMatrix.FromLabelSets([[0, 2], [0, 2], [1, 3], [1, 3], [1, 3], [0, 1]], 4);
        var tree = AgglomerativeClustering.Fit(ClassDistances.CoOccurrence(labels), LinkageMethod.Complete);
        Assert.Equal((1, 3, -3.0), (tree.Merges[0].Left, tree.Merges[0].Right, tree.Merges[0].Distance));
        Assert.Equal((0, 2, -2.0), (tree.Merges[1].Left, tree.Merges[1].Right, tree.Merges[1].Distance));
        // Complete link between {1,3} and {0,2}: the largest of -1 (0,1), 0 (0,3), 0 (1,2), 0 (2,3).
        Assert.Equal(0.0, tree.Merges[2].Distance);
    }
}
