using XcNotebooks.Hierarchies;
using Xunit;

namespace XcNotebooks.Tests.Hierarchies;

public class AgglomerativeClusteringTests
{
    // Five points on a line at 0, 1, 3, 7, 15; distances |a - b|. Merges worked out by hand.
    private static readonly double[] Positions = [0, 1, 3, 7, 15];

    private static CondensedDistances LineDistances() =>
        CondensedDistances.FromFunction(Positions.Length, (i, j) => Math.Abs(Positions[i] - Positions[j]));

    [Theory]
    [InlineData(LinkageMethod.Single, new double[] { 0, 1, 1, 2, 2, 5, 2, 3, 3, 6, 4, 4, 4, 7, 8, 5 })]
    [InlineData(LinkageMethod.Complete, new double[] { 0, 1, 1, 2, 2, 5, 3, 3, 3, 6, 7, 4, 4, 7, 15, 5 })]
    // average: {0,1}-2 = (3+2)/2; {0,1,2}-3 = (7+6+4)/3; {0,1,2,3}-4 = (15+14+12+8)/4
    [InlineData(LinkageMethod.Average, new double[] { 0, 1, 1, 2, 2, 5, 2.5, 3, 3, 6, 17.0 / 3, 4, 4, 7, 12.25, 5 })]
    public void HandComputedLinkageMatrix(LinkageMethod method, double[] expectedRows)
    {
        var z = AgglomerativeClustering.Fit(LineDistances(), method).ToMatrix();
        Assert.Equal(4, z.GetLength(0));
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++)
                Assert.Equal(expectedRows[4 * r + c], z[r, c], 12);
    }

    [Theory]
    [InlineData(LinkageMethod.Single)]
    [InlineData(LinkageMethod.Complete)]
    [InlineData(LinkageMethod.Average)]
    public void MatchesBruteForceOnRandomDistances(LinkageMethod method)
    {
        var rng = new Random(17);
        foreach (int n in new[] { 2, 3, 4, 7, 12, 25, 40 })
        {
            for (int trial = 0; trial < 3; trial++)
            {
                // Random distances (some negative, as co-occurrence distances are): ties have probability zero.
                var d = CondensedDistances.FromFunction(n, (_, _) => 0);
                for (int p = 0; p < d.Values.Length; p++) d.Values[p] = rng.NextDouble() * 10 - 3;
                var fast = AgglomerativeClustering.Fit(d, method).Merges;
                var slow = BruteForce(d, method);
                Assert.Equal(slow.Count, fast.Count);
                for (int i = 0; i < slow.Count; i++)
                {
                    Assert.Equal((slow[i].Left, slow[i].Right, slow[i].Size), (fast[i].Left, fast[i].Right, fast[i].Size));
                    Assert.Equal(slow[i].Distance, fast[i].Distance, 9);
                }
            }
        }
    }

    [Fact]
    public void PointsInEuclideanSpaceMatchBruteForce()
    {
        var rng = new Random(3);
        var points = Enumerable.Range(0, 30).Select(_ => new[] { rng.NextDouble(), rng.NextDouble(), rng.NextDouble() }).ToArray();
        var d = CondensedDistances.FromFunction(points.Length,
            (i, j) => Math.Sqrt(points[i].Zip(points[j], (a, b) => (a - b) * (a - b)).Sum()));
        foreach (var method in Enum.GetValues<LinkageMethod>())
        {
            var fast = AgglomerativeClustering.Fit(d, method).Merges;
            var slow = BruteForce(d, method);
            Assert.Equal(slow.Select(m => (m.Left, m.Right, m.Size)), fast.Select(m => (m.Left, m.Right, m.Size)));
        }
    }

    [Fact]
    public void TiesGiveTheSameTreeEveryTime()
    {
        // All distances equal: every merge is a tie. The result must be a valid, repeatable tree.
        var d = CondensedDistances.FromFunction(9, (_, _) => 1.0);
        var first = AgglomerativeClustering.Fit(d, LinkageMethod.Average);
        var second = AgglomerativeClustering.Fit(d, LinkageMethod.Average);
        Assert.Equal(first.Merges, second.Merges);
        var hierarchy = first.ToHierarchy();
        Assert.True(hierarchy.IsTree);
        Assert.Equal(Enumerable.Range(0, 9), hierarchy.LabelsInPreOrder.Order());
        Assert.Equal(9, first.Merges[^1].Size);
    }

    [Fact]
    public void SingleItemHasNoMerges()
    {
        var tree = AgglomerativeClustering.Fit(new CondensedDistances(1, []), LinkageMethod.Complete);
        Assert.Empty(tree.Merges);
        Assert.Equal(new[] { 0 }, tree.ToHierarchy().PreOrder);
    }

    [Fact]
    public void FullMatrixInputIsChecked()
    {
        var asymmetric = new double[,] { { 0, 1 }, { 2, 0 } };
        var e = Assert.Throws<ArgumentException>(() => AgglomerativeClustering.Fit(asymmetric, LinkageMethod.Single));
        Assert.Contains("not symmetric", e.Message);
    }

    [Fact]
    public void TooManyClassesGetAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => CondensedDistances.Zeros(CondensedDistances.MaxCount + 1));
        Assert.Contains("20,000", e.Message);
        Assert.Contains("GB", e.Message);
    }

    /// <summary>
    /// The textbook O(n^3) algorithm: merge the closest pair of clusters, the linkage distance computed from the
    /// original member distances every time; lowest ids win ties.
    /// </summary>
    private static List<LinkageMerge> BruteForce(CondensedDistances d, LinkageMethod method)
    {
        int n = d.Count;
        var clusters = new Dictionary<int, List<int>>();
        for (int i = 0; i < n; i++) clusters[i] = [i];
        var merges = new List<LinkageMerge>();
        for (int step = 0; step < n - 1; step++)
        {
            var ids = clusters.Keys.Order().ToArray();
            (int A, int B, double D) best = (-1, -1, double.PositiveInfinity);
            for (int a = 0; a < ids.Length; a++)
                for (int b = a + 1; b < ids.Length; b++)
                {
                    var pairs = clusters[ids[a]].SelectMany(u => clusters[ids[b]].Select(v => d[u, v])).ToArray();
                    double link = method switch
                    {
                        LinkageMethod.Single => pairs.Min(),
                        LinkageMethod.Complete => pairs.Max(),
                        _ => pairs.Average(),
                    };
                    if (link < best.D) best = (ids[a], ids[b], link);
                }
            var members = clusters[best.A].Concat(clusters[best.B]).ToList();
            clusters.Remove(best.A);
            clusters.Remove(best.B);
            clusters[n + step] = members;
            merges.Add(new LinkageMerge(best.A, best.B, best.D, members.Count));
        }
        return merges;
    }
}
