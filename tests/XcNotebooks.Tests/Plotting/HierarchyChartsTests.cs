using System.Text.Json;
using XcNotebooks.Hierarchies;
using XcNotebooks.Plotting;
using Xunit;

namespace XcNotebooks.Tests.Plotting;

public class HierarchyChartsTests
{
    private static JsonElement Traces(XcChart chart) =>
        JsonDocument.Parse(chart.FigureJson).RootElement.GetProperty("data");

    private static double?[] Numbers(JsonElement trace, string axis) =>
        trace.GetProperty(axis).EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? (double?)null : v.GetDouble()).ToArray();

    [Fact]
    public void DendrogramDrawsOneBracketPerMerge()
    {
        // Points 0, 1, 3 with complete linkage: (0,1) at 1, then (2, {0,1}) at 3. Pre-order of leaves: 2, 0, 1,
        // so leaf 2 sits at x = 0, leaf 0 at x = 1, leaf 1 at x = 2; cluster {0,1} at x = 1.5.
        double[] p = [0, 1, 3];
        var tree = AgglomerativeClustering.Fit(CondensedDistances.FromFunction(3, (i, j) => Math.Abs(p[i] - p[j])), LinkageMethod.Complete);
        var traces = Traces(HierarchyCharts.Dendrogram(tree, ["a", "b", "c"]));
        var lines = traces[0];
        Assert.Equal(new double?[] { 1, 1, 2, 2, null, 0, 0, 1.5, 1.5, null }, Numbers(lines, "x"));
        Assert.Equal(new double?[] { 0, 1, 1, 0, null, 0, 3, 3, 1, null }, Numbers(lines, "y"));
        var leaves = traces[2];
        Assert.Equal(["c", "a", "b"], leaves.GetProperty("text").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public void TreeCentresParentsOverTheirChildren()
    {
        // 3 -> (0, 4 -> (1, 2)): leaves 0, 1, 2 at x = 0, 1, 2; node 4 at 1.5; root 3 at (0 + 1.5) / 2.
        var h = LabelHierarchy.FromEdges([(3, 0), (3, 4), (4, 1), (4, 2)], 3);
        var traces = Traces(HierarchyCharts.Tree(h));
        var others = traces[2];
        Assert.Equal(new double?[] { 0.75, 1.5 }, Numbers(others, "x"));
        Assert.Equal(new double?[] { 0, 1 }, Numbers(others, "y"));
        Assert.Equal(new double?[] { 0, 1, 2 }, Numbers(traces[1], "x"));
        Assert.Equal(new double?[] { 1, 2, 2 }, Numbers(traces[1], "y"));
    }

    [Fact]
    public void DistanceHeatmapShowsThePairsInTheGivenOrder()
    {
        // Points on a line at 0, 10, 1, 11: in the order 0, 2, 1, 3 close pairs sit next to each other.
        double[] p = [0, 10, 1, 11];
        var distances = CondensedDistances.FromFunction(4, (i, j) => Math.Abs(p[i] - p[j]));
        var trace = Traces(HierarchyCharts.DistanceHeatmap(distances, [0, 2, 1, 3], ["a", "c", "b", "d"]))[0];

        var z = trace.GetProperty("z").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        Assert.Equal([0.0, 1, 10, 11], z[0]);
        Assert.Equal([1.0, 0, 9, 10], z[1]);
        Assert.Equal([11.0, 10, 1, 0], z[3]);
        Assert.Equal(["a", "c", "b", "d"], trace.GetProperty("x").EnumerateArray().Select(v => v.GetString()));
        // A subset, labelled by item id by default.
        var subset = Traces(HierarchyCharts.DistanceHeatmap(distances, [3, 1]))[0];
        Assert.Equal(["3", "1"], subset.GetProperty("y").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(1.0, subset.GetProperty("z")[0][1].GetDouble());
        Assert.Throws<ArgumentException>(() => HierarchyCharts.DistanceHeatmap(distances, [0, 4]));
        Assert.Throws<ArgumentException>(() => HierarchyCharts.DistanceHeatmap(distances, [0, 1], ["only"]));
    }

    [Fact]
    public void DagChildrenSitBelowAllTheirParents()
    {
        // 0 -> 1 -> 3 and 0 -> 2 -> 4 -> 3: node 3 is at depth 2 but drawn on row 3, below its parent 4.
        var h = LabelHierarchy.FromEdges([(0, 1), (0, 2), (1, 3), (2, 4), (4, 3)], 5);
        var labels = Traces(HierarchyCharts.Tree(h))[1];
        Assert.Equal(new double?[] { 0, 1, 1, 3, 2 }, Numbers(labels, "y"));
    }
}
