using XcNotebooks.Plotting;

namespace XcNotebooks.Methods.Wltls;

/// <summary>
/// Pictures of a W-LTLS trellis graph (the original's --plot_graph) with Plotly.NET: vertices by slice (source on the
/// left, sink on the right, levels top to bottom), every edge as a grey line, and optionally one path (e.g. the
/// decoded codeword of an example) drawn thick on top.
/// </summary>
public static class TrellisPlot
{
    /// <summary>Where vertex <paramref name="vertex"/> is drawn: x = slice + 1 (source 0, sink s + 2), y in [-1, 1] by level.</summary>
    public static (double X, double Y) VertexPosition(TrellisGraph graph, int vertex)
    {
        if (vertex == graph.Source) return (0, 0);
        if (vertex == graph.Sink) return (graph.NumSlices + 2, 0);
        var (slice, level) = graph.VertexPosition(vertex) ?? throw new ArgumentOutOfRangeException(nameof(vertex), $"no vertex {vertex}");
        return (slice + 1, 1 - 2.0 * level / (graph.SliceWidth - 1));
    }

    /// <summary>
    /// The picture of <paramref name="graph"/> in the kit's <paramref name="style"/>; when
    /// <paramref name="highlightedPath"/> (edge indices, e.g. <see cref="TrellisGraph.PathEdges"/>) is given it is drawn
    /// thick and named <paramref name="pathName"/>. Save or show it with <see cref="ChartHtml"/>.
    /// </summary>
    public static XcChart Chart(TrellisGraph graph, IReadOnlyList<int>? highlightedPath = null, string? title = null, string? pathName = null,
        ChartStyle? style = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        style ??= ChartStyle.Default;
        var figure = new FigureBuilder().Add("scatter", Segments(graph, Enumerable.Range(0, graph.NumEdges)).Trace($"edges ({graph.NumEdges})", "#b8b8b8", 1));
        if (highlightedPath is not null)
        {
            graph.CodewordOfPath(highlightedPath); // a source-to-sink path or an ArgumentException
            figure.Add("scatter", Segments(graph, highlightedPath).Trace(pathName ?? "path", style.Palette[3 % style.Palette.Count], 4));
        }
        var vertices = Enumerable.Range(0, graph.NumVertices).ToArray();
        figure.Add("scatter", new()
        {
            ["name"] = $"vertices ({graph.NumVertices})",
            ["x"] = vertices.Select(v => VertexPosition(graph, v).X).ToArray(),
            ["y"] = vertices.Select(v => VertexPosition(graph, v).Y).ToArray(),
            ["text"] = vertices.Select(v => VertexName(graph, v)).ToArray(),
            ["mode"] = "markers",
            ["marker"] = new Dictionary<string, object?> { ["color"] = style.Palette[0] },
        });
        figure.Finish(style, title ?? $"Trellis graph: K={graph.NumClasses}, b={graph.SliceWidth}, {graph.NumEdges} edges",
            "slice (source left, sink right)", "level");
        foreach (var axis in new[] { "xaxis", "yaxis" })
        {
            figure.Object(axis)["showgrid"] = false;
            figure.Object(axis)["zeroline"] = false;
        }
        return figure
            .Set("width", Math.Max(style.Width, 460 + 110 * (graph.NumSlices + 2))) // room for the legend
            .Set("height", Math.Max(style.Height, 520))
            .ToChart();
    }

    /// <summary>"source", "sink", "slice i, level l" or "intermediate sink j".</summary>
    public static string VertexName(TrellisGraph graph, int vertex)
    {
        if (vertex == graph.Source) return "source";
        if (vertex == graph.Sink) return "sink";
        var (slice, level) = graph.VertexPosition(vertex)!.Value;
        return slice == graph.NumSlices ? $"intermediate sink {level}" : $"slice {slice}, level {level}";
    }

    // Edges as one trace with breaks between segments, however many edges there are.
    private static Polylines Segments(TrellisGraph graph, IEnumerable<int> edges)
    {
        var lines = new Polylines();
        foreach (var e in edges)
        {
            var edge = graph.Edges[e];
            lines.Add([VertexPosition(graph, edge.From), VertexPosition(graph, edge.To)]);
        }
        return lines;
    }
}
