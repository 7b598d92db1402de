using XcNotebooks.Hierarchies;

namespace XcNotebooks.Plotting;

/// <summary>
/// Plotly charts of class hierarchies: a dendrogram of an agglomerative clustering (merge heights = linkage
/// distances, leaves in depth-first pre-order, the order the similarity-preserving assignment uses) and a
/// top-down drawing of any <see cref="LabelHierarchy"/>, DAGs included.
/// </summary>
public static class HierarchyCharts
{
    /// <summary>Leaf names are printed under the axis up to this many leaves; beyond it they only show on hover.</summary>
    public const int MaxTickLabels = 150;

    /// <summary>
    /// The dendrogram of <paramref name="tree"/>: each merge is a bracket joining its two children at the merge
    /// distance. Leaves sit at 0 (or at the lowest merge distance when distances are negative, as with
    /// co-occurrence distances).
    /// </summary>
    public static XcChart Dendrogram(LinkageTree tree, IReadOnlyList<string>? leafNames = null, string? title = null, ChartStyle? style = null)
    {
        style ??= ChartStyle.Default;
        ArgumentNullException.ThrowIfNull(tree);
        int n = tree.NumItems;
        if (leafNames is not null && leafNames.Count != n)
            throw new ArgumentException($"{leafNames.Count} leaf names for {n} leaves", nameof(leafNames));
        var hierarchy = tree.ToHierarchy(leafNames);
        double baseline = Math.Min(0, tree.Merges.Count == 0 ? 0 : tree.Merges.Min(m => m.Distance));
        var x = new double[2 * n - 1];
        var y = new double[2 * n - 1];
        var leaves = hierarchy.LeavesInPreOrder;
        for (int i = 0; i < leaves.Count; i++) (x[leaves[i]], y[leaves[i]]) = (i, baseline);
        var lines = new Polylines();
        var tops = new List<(double X, double Y, string Text)>();
        for (int i = 0; i < tree.Merges.Count; i++)
        {
            var m = tree.Merges[i];
            int node = n + i;
            (x[node], y[node]) = ((x[m.Left] + x[m.Right]) / 2, m.Distance);
            lines.Add([(x[m.Left], y[m.Left]), (x[m.Left], m.Distance), (x[m.Right], m.Distance), (x[m.Right], y[m.Right])]);
            tops.Add((x[node], m.Distance, $"merge {i}: {m.Size} items at {m.Distance:G4}"));
        }
        var leafText = leaves.Select(hierarchy.NodeName).ToArray();
        var figure = new FigureBuilder()
            .Add("scatter", Edges(lines, "merges", "#555555"))
            .Add("scatter", Markers("merges", tops.Select(t => t.X), tops.Select(t => t.Y), tops.Select(t => t.Text), "#555555", 4))
            .Add("scatter", Markers("leaves", Enumerable.Range(0, n).Select(i => (double)i), Enumerable.Repeat(baseline, n), leafText, style.Palette[0], 5));
        var xAxis = new Dictionary<string, object?> { ["showgrid"] = false, ["zeroline"] = false, ["title"] = Text("classes (pre-order)") };
        if (n <= MaxTickLabels)
        {
            xAxis["tickvals"] = Enumerable.Range(0, n).ToArray();
            xAxis["ticktext"] = leafText;
            xAxis["tickangle"] = -90;
        }
        else xAxis["showticklabels"] = false;
        return WithLayout(figure, style, title ?? $"{tree.Method} linkage dendrogram ({n} classes)", xAxis,
            new Dictionary<string, object?> { ["title"] = Text("merge distance") }, Math.Clamp(12 * n, 600, 1600), 520);
    }

    /// <summary>
    /// <paramref name="hierarchy"/> drawn top-down: the root at the top, each node on the row of its longest path
    /// from the root (its depth, in a tree), leaves spread in pre-order and inner nodes centred over their children.
    /// Labels and non-label nodes have different colours; names show on hover.
    /// </summary>
    public static XcChart Tree(LabelHierarchy hierarchy, string? title = null, ChartStyle? style = null)
    {
        style ??= ChartStyle.Default;
        ArgumentNullException.ThrowIfNull(hierarchy);
        int count = hierarchy.NumNodes;
        var x = new double[count];
        var leaves = hierarchy.LeavesInPreOrder;
        for (int i = 0; i < leaves.Count; i++) x[leaves[i]] = i;
        var order = hierarchy.TopologicalOrder;
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var children = hierarchy.Children(order[i]);
            if (children.Count > 0) x[order[i]] = children.Average(c => x[c]);
        }
        // Rows: the longest path from the root, so in a DAG every child sits below all its parents (= depth in a tree).
        var level = new int[count];
        foreach (var v in order)
            foreach (var c in hierarchy.Children(v)) level[c] = Math.Max(level[c], level[v] + 1);
        var lines = new Polylines();
        foreach (var (parent, child) in hierarchy.Edges)
            lines.Add([(x[parent], level[parent]), (x[child], level[child])]);
        var labels = Enumerable.Range(0, count).Where(hierarchy.IsLabel).ToArray();
        var others = Enumerable.Range(0, count).Where(v => !hierarchy.IsLabel(v)).ToArray();
        var figure = new FigureBuilder()
            .Add("scatter", Edges(lines, "edges", "#999999"))
            .Add("scatter", Markers("labels", labels.Select(v => x[v]), labels.Select(v => (double)level[v]), labels.Select(hierarchy.NodeName), style.Palette[0], 6))
            .Add("scatter", Markers("other nodes", others.Select(v => x[v]), others.Select(v => (double)level[v]), others.Select(hierarchy.NodeName), style.Palette[1 % style.Palette.Count], 5));
        int levels = level.Max() + 1;
        var yAxis = new Dictionary<string, object?> { ["title"] = Text("level (longest path from the root)"), ["autorange"] = "reversed" };
        if (levels <= 20) yAxis["dtick"] = 1;
        return WithLayout(figure, style, title ?? hierarchy.ToString(),
            new Dictionary<string, object?> { ["showgrid"] = false, ["zeroline"] = false, ["showticklabels"] = false },
            yAxis, Math.Clamp(10 * leaves.Count, 600, 1600), Math.Clamp(40 * levels, 400, 900));
    }

    /// <summary>
    /// A heatmap of pairwise distances with rows and columns in <paramref name="order"/> (item ids; default 0..n-1):
    /// entry (i, j) is the distance between items order[i] and order[j], so items that are close in a hierarchy's
    /// pre-order show as dark blocks along the diagonal. The order may list a subset of the items.
    /// <paramref name="labels"/> names the shown rows in display order (default: the item ids).
    /// </summary>
    public static XcChart DistanceHeatmap(CondensedDistances distances, IReadOnlyList<int>? order = null, IReadOnlyList<string>? labels = null,
        string title = "", string axisTitle = "", ChartStyle? style = null)
    {
        ArgumentNullException.ThrowIfNull(distances);
        order ??= Enumerable.Range(0, distances.Count).ToArray();
        if (order.Count == 0) throw new ArgumentException("the order lists no items", nameof(order));
        foreach (var item in order)
            if ((uint)item >= (uint)distances.Count)
                throw new ArgumentException($"the order lists item {item}, outside 0..{distances.Count - 1}", nameof(order));
        if (labels is not null && labels.Count != order.Count)
            throw new ArgumentException($"{labels.Count} labels for {order.Count} rows", nameof(labels));
        var z = new IReadOnlyList<double>[order.Count];
        for (int i = 0; i < order.Count; i++)
        {
            var row = new double[order.Count];
            for (int j = 0; j < row.Length; j++) row[j] = distances[order[i], order[j]];
            z[i] = row;
        }
        var names = labels ?? order.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return Charts.Heatmap(z, names, names, title, axisTitle, axisTitle, style);
    }

    private static Dictionary<string, object?> Edges(Polylines lines, string name, string color) =>
        lines.Trace(name, color, 1, ("hoverinfo", "skip"), ("showlegend", false));

    private static Dictionary<string, object?> Markers(string name, IEnumerable<double> x, IEnumerable<double> y, IEnumerable<string> text, string color, int size) => new()
    {
        ["name"] = name,
        ["x"] = x.ToArray(),
        ["y"] = y.ToArray(),
        ["text"] = text.ToArray(),
        ["mode"] = "markers",
        ["hoverinfo"] = "text",
        ["marker"] = new Dictionary<string, object?> { ["color"] = color, ["size"] = size },
    };

    private static Dictionary<string, object?> Text(string text) => FigureBuilder.Text(text);

    /// <summary>The kit's style, then this chart's title, axes and a size that grows with the tree (never below the style's).</summary>
    private static XcChart WithLayout(FigureBuilder figure, ChartStyle style, string title, Dictionary<string, object?> xAxis,
        Dictionary<string, object?> yAxis, int width, int height)
    {
        style.ApplyTo(figure);
        return figure
            .Set("title", Text(title))
            .Set("xaxis", xAxis)
            .Set("yaxis", yAxis)
            .Set("width", Math.Max(width, style.Width))
            .Set("height", Math.Max(height, style.Height))
            .Set("showlegend", true)
            .ToChart();
    }
}
