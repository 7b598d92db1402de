using System.Runtime.Loader;
using System.Text.Json.Nodes;
using XcNotebooks.Plotting;
using Xunit;

namespace XcNotebooks.Tests.Plotting;

public class PlotlyEngineTests
{
    [Fact]
    public void AFigureOfPlainDataBecomesPlotlyNetFigureJson()
    {
        var figure = new XcFigure(
            [
                new XcTrace("scatter", new Dictionary<string, object?> { ["name"] = "line", ["x"] = new[] { 1.0, 2.0 }, ["y"] = new double?[] { 3.5, null }, ["mode"] = "lines", ["dropped"] = null }),
                new XcTrace("bar", new Dictionary<string, object?> { ["x"] = new[] { "a", "b" }, ["y"] = new[] { 1, 2 }, ["marker"] = new Dictionary<string, object?> { ["color"] = "#123456" } }),
            ],
            new Dictionary<string, object?> { ["title"] = new Dictionary<string, object?> { ["text"] = "plain" }, ["width"] = 800, ["height"] = 300 });

        var chart = figure.ToChart();
        var json = JsonNode.Parse(chart.FigureJson)!;

        Assert.Equal((800, 300, "plain", 2), (chart.Width, chart.Height, chart.Title, chart.TraceCount));
        var data = json["data"]!.AsArray();
        // Exactly the properties given, in order; null values left out, null array entries kept (gaps).
        Assert.Equal("""{"type":"scatter","name":"line","x":[1.0,2.0],"y":[3.5,null],"mode":"lines"}""", data[0]!.ToJsonString());
        Assert.Equal("""{"type":"bar","x":["a","b"],"y":[1,2],"marker":{"color":"#123456"}}""", data[1]!.ToJsonString());
        Assert.Equal("plain", json["layout"]!["title"]!["text"]!.GetValue<string>());
        // Plotly.NET drew it: its default template (plotly's colorway starts with #636efa) and its config are there.
        Assert.Equal("rgba(99, 110, 250, 1.0)", json["layout"]!["template"]!["layout"]!["colorway"]![0]!.GetValue<string>());
        Assert.NotNull(json["config"]);
    }

    [Fact]
    public void PlotlyNetAndFSharpCoreLiveOnlyInThePrivateLoadContext()
    {
        _ = Charts.Lines([new ChartSeries("a", [1, 2], [2, 1])]);

        var context = PlotlyEngine.Context;
        Assert.Equal("XcNotebooks.Plotly", context.Name);
        var plotly = Assert.Single(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "Plotly.NET");
        Assert.Same(context, AssemblyLoadContext.GetLoadContext(plotly));
        var fsharpCore = Assert.Single(context.Assemblies, a => a.GetName().Name == "FSharp.Core");
        Assert.Equal(new Version(10, 1, 0, 0), fsharpCore.GetName().Version);
        Assert.DoesNotContain(AssemblyLoadContext.Default.Assemblies, a => a.GetName().Name is "Plotly.NET" or "XcNotebooks.Plotly");
        // The engine shares the kit: the kit assembly it sees is the caller's.
        Assert.Equal(Path.Combine(Path.GetDirectoryName(typeof(XcChart).Assembly.Location)!, "plotly"), PlotlyEngine.Folder(typeof(XcChart).Assembly.Location));
        Assert.True(File.Exists(Path.Combine(PlotlyEngine.Folder(typeof(XcChart).Assembly.Location), "XcNotebooks.Plotly.dll")));
    }

    [Fact]
    public void ChartsCheckTheirSize()
    {
        Assert.Throws<ArgumentException>(() => new XcChart("{}", 10, 400));
        Assert.Equal("Plotly chart 't' (0 traces, 100 x 50)", new XcChart("""{"data":[]}""", 100, 50, "t").ToString());
    }
}
