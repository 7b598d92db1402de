using Microsoft.FSharp.Core;
using Plotly.NET;
using XcNotebooks.Codes;
using XcNotebooks.Data;
using Plotly.NET.CSharp;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace XcNotebooks.Plotting;

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
    /// The picture of <paramref name="graph"/>; when <paramref name="highlightedPath"/> (edge indices, e.g.
    /// <see cref="TrellisGraph.PathEdges"/>) is given it is drawn thick and named <paramref name="pathName"/>.
    /// </summary>
    public static GenericChart Chart(TrellisGraph graph, IReadOnlyList<int>? highlightedPath = null, string? title = null, string? pathName = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var (ex, ey) = Segments(graph, Enumerable.Range(0, graph.NumEdges));
        var charts = new List<GenericChart>
        {
            CSharpChart.Line<double, double, string>(x: ex, y: ey, Name: $"edges ({graph.NumEdges})", ShowMarkers: false,
                LineColor: Color.fromString("#b8b8b8"), LineWidth: 1.0),
        };
        if (highlightedPath is not null)
        {
            graph.CodewordOfPath(highlightedPath); // a source-to-sink path or an ArgumentException
            var (px, py) = Segments(graph, highlightedPath);
            charts.Add(CSharpChart.Line<double, double, string>(x: px, y: py, Name: pathName ?? "path", ShowMarkers: false,
                LineColor: Color.fromString("#d62728"), LineWidth: 4.0));
        }
        var vertices = Enumerable.Range(0, graph.NumVertices).ToArray();
        charts.Add(CSharpChart.Point<double, double, string>(
            x: vertices.Select(v => VertexPosition(graph, v).X), y: vertices.Select(v => VertexPosition(graph, v).Y),
            Name: $"vertices ({graph.NumVertices})", MultiText: vertices.Select(v => VertexName(graph, v)).ToArray(), MarkerColor: Color.fromString("#1f77b4")));
        var chart = CSharpChart.Combine(charts)
            .WithXAxisStyle<double, double, string>(TitleText: "slice (source left, sink right)", ShowGrid: false, ZeroLine: false)
            .WithYAxisStyle<double, double, string>(TitleText: "level", ShowGrid: false, ZeroLine: false)
            .WithLegendStyle(Orientation: StyleParam.Orientation.Horizontal, Y: -0.2)
            .WithSize(Width: 200 + 110 * (graph.NumSlices + 2), Height: 560);
        chart = Plotly.NET.Chart.withTitle(title ?? $"Trellis graph: K={graph.NumClasses}, b={graph.SliceWidth}, {graph.NumEdges} edges", FSharpOption<Font>.None).Invoke(chart);
        return chart;
    }

    /// <summary>A standalone HTML page of <paramref name="chart"/> with plotly.js inlined (works offline).</summary>
    public static string Html(GenericChart chart, string documentTitle)
    {
        var options = DisplayOptions.init(
            DocumentTitle: documentTitle, DocumentCharset: FSharpOption<string>.None, DocumentDescription: FSharpOption<string>.None,
            DocumentFavicon: null, AdditionalHeadTags: null, ChartDescription: null,
            PlotlyJSReference: PlotlyJSReference.Full);
        return GenericChart.toEmbeddedHTML(Plotly.NET.Chart.withDisplayOptions(options).Invoke(chart));
    }

    /// <summary>Writes <see cref="Html"/> to <paramref name="path"/> atomically.</summary>
    public static void SaveHtml(GenericChart chart, string path, string documentTitle) =>
        InputFile.WriteTextAtomic(path, w => w.Write(Html(chart, documentTitle)));

    /// <summary>"source", "sink", "slice i, level l" or "intermediate sink j".</summary>
    public static string VertexName(TrellisGraph graph, int vertex)
    {
        if (vertex == graph.Source) return "source";
        if (vertex == graph.Sink) return "sink";
        var (slice, level) = graph.VertexPosition(vertex)!.Value;
        return slice == graph.NumSlices ? $"intermediate sink {level}" : $"slice {slice}, level {level}";
    }

    // Edges as one polyline with NaN breaks between segments: a single trace however many edges there are.
    private static (double[] X, double[] Y) Segments(TrellisGraph graph, IEnumerable<int> edges)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        foreach (var e in edges)
        {
            var edge = graph.Edges[e];
            var (x0, y0) = VertexPosition(graph, edge.From);
            var (x1, y1) = VertexPosition(graph, edge.To);
            xs.AddRange([x0, x1, double.NaN]);
            ys.AddRange([y0, y1, double.NaN]);
        }
        return (xs.ToArray(), ys.ToArray());
    }
}
