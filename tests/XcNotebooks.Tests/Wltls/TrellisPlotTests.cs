using System.Text.Json;
using XcNotebooks.Methods.Wltls;
using Xunit;

namespace XcNotebooks.Tests.WltlsTests;

public class TrellisPlotTests
{
    [Fact]
    public void VerticesSitBySliceAndLevel()
    {
        var g = TrellisGraph.Create(105, 5);
        Assert.Equal((0.0, 0.0), TrellisPlot.VertexPosition(g, g.Source));
        Assert.Equal((4.0, 0.0), TrellisPlot.VertexPosition(g, g.Sink)); // s + 2
        Assert.Equal((1.0, 1.0), TrellisPlot.VertexPosition(g, 1));      // slice 0, level 0
        Assert.Equal((2.0, -1.0), TrellisPlot.VertexPosition(g, 10));    // slice 1, level 4
        Assert.Equal((3.0, 0.5), TrellisPlot.VertexPosition(g, 12));     // intermediate sink 1
        Assert.Equal("intermediate sink 1", TrellisPlot.VertexName(g, 12));
    }

    [Fact]
    public void ChartDrawsEveryEdgeAndTheHighlightedPath()
    {
        var g = TrellisGraph.Create(105, 5);
        var path = g.PathEdges(42);
        var chart = TrellisPlot.Chart(g, path, pathName: "codeword 42");
        using var json = JsonDocument.Parse(chart.FigureJson);
        var traces = json.RootElement.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(3, traces.Length);
        Assert.Equal(3 * g.NumEdges, traces[0].GetProperty("x").GetArrayLength()); // two ends and a break per edge
        Assert.Equal("codeword 42", traces[1].GetProperty("name").GetString());
        var expected = path.SelectMany(e => new[] { TrellisPlot.VertexPosition(g, g.Edges[e].From).X, TrellisPlot.VertexPosition(g, g.Edges[e].To).X, double.NaN });
        var actual = traces[1].GetProperty("x").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN);
        Assert.Equal(expected, actual);
        Assert.Equal(g.NumVertices, traces[2].GetProperty("x").GetArrayLength());
        Assert.Throws<ArgumentException>(() => TrellisPlot.Chart(g, path.Skip(1).ToArray()));
    }
}
