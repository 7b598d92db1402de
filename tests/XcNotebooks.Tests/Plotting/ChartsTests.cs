using System.Text.Json.Nodes;
using XcNotebooks.Metrics;
using XcNotebooks.Plotting;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Plotting;

public class ChartsTests
{
    private static JsonNode Figure(XcChart chart) => JsonNode.Parse(ChartHtml.FigureJson(chart))!;

    private static double[] Numbers(JsonNode? array) => array!.AsArray().Select(v => v!.GetValue<double>()).ToArray();

    private static string[] Strings(JsonNode? array) => array!.AsArray().Select(v => v!.GetValue<string>()).ToArray();

    [Fact]
    public void LinesOverEpochsCarryEverySeriesAndTheStyle()
    {
        var chart = Charts.OverEpochs(new Dictionary<string, IReadOnlyList<double>> { ["train"] = [3, 2, 1.5], ["test"] = [3.5, 2.5, 2.25] },
            title: "loss", yTitle: "cross-entropy");
        var figure = Figure(chart);

        var data = figure["data"]!.AsArray();
        Assert.Equal(2, data.Count);
        Assert.Equal("train", data[0]!["name"]!.GetValue<string>());
        Assert.Equal([1.0, 2, 3], Numbers(data[0]!["x"]));
        Assert.Equal([3.5, 2.5, 2.25], Numbers(data[1]!["y"]));
        Assert.Equal("lines+markers", data[0]!["mode"]!.GetValue<string>());
        var layout = figure["layout"]!;
        Assert.Equal("loss", layout["title"]!["text"]!.GetValue<string>());
        Assert.Equal("epoch", layout["xaxis"]!["title"]!["text"]!.GetValue<string>());
        Assert.Equal("cross-entropy", layout["yaxis"]!["title"]!["text"]!.GetValue<string>());
        Assert.Equal(1, layout["xaxis"]!["dtick"]!.GetValue<int>());
        Assert.Equal(ChartStyle.Default.Width, layout["width"]!.GetValue<int>());
        Assert.Equal(ChartStyle.Default.Palette, Strings(layout["colorway"]));
        Assert.Throws<ArgumentException>(() => Charts.Lines([new ChartSeries("bad", [1, 2], [1])]));

        // Any list type as the values (F#'s readOnlyDict of arrays): the same figure.
        var fromArrays = Charts.OverEpochs(new Dictionary<string, double[]> { ["train"] = [3, 2, 1.5], ["test"] = [3.5, 2.5, 2.25] },
            title: "loss", yTitle: "cross-entropy");
        Assert.Equal(ChartHtml.FigureJson(chart), ChartHtml.FigureJson(fromArrays));
    }

    [Fact]
    public void MetricBarsGroupByMethodAndSkipMissingMetrics()
    {
        var reports = new[]
        {
            new RunReport { Method = "wltls", Metrics = new Dictionary<string, double> { ["P@1"] = 80, ["P@3"] = 60 } },
            new RunReport { Method = "wltls", Metrics = new Dictionary<string, double> { ["P@1"] = 82 } },
        };
        var data = Figure(Charts.MetricBars(reports, ["P@1", "P@3"]))["data"]!.AsArray();

        Assert.Equal(["P@1", "P@3"], data.Select(t => t!["name"]!.GetValue<string>()));
        Assert.Equal(["wltls", "wltls (2)"], Strings(data[0]!["x"]));
        Assert.Equal([80.0, 82], Numbers(data[0]!["y"]));
        Assert.Equal(["wltls"], Strings(data[1]!["x"]));
        Assert.Equal("bar", data[0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void TradeOffLabelsPointsAndColoursGroups()
    {
        var figure = Figure(Charts.TradeOff([new("a", 1, 80, "wltls"), new("b", 100, 85, "wltls"), new("c", 10, 90, "ovr")], xTitle: "seconds", logX: true));
        var data = figure["data"]!.AsArray();

        Assert.Equal(["wltls", "ovr"], data.Select(t => t!["name"]!.GetValue<string>()));
        Assert.Equal([1.0, 100], Numbers(data[0]!["x"]));
        Assert.Equal(["a", "b"], Strings(data[0]!["text"]));
        Assert.Equal("markers+text", data[0]!["mode"]!.GetValue<string>());
        Assert.Equal("log", figure["layout"]!["xaxis"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void HeatmapKeepsTheMatrixReadingOrder()
    {
        var figure = Figure(Charts.Heatmap(RowMajorMatrix.FromArray(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } }), ["a", "b", "c"], ["r0", "r1"]));
        var trace = figure["data"]![0]!;

        Assert.Equal("heatmap", trace["type"]!.GetValue<string>());
        Assert.Equal([4.0, 5, 6], Numbers(trace["z"]![1]));
        Assert.Equal(["a", "b", "c"], Strings(trace["x"]));
        Assert.Equal(["r0", "r1"], Strings(trace["y"]));
        Assert.Equal("reversed", figure["layout"]!["yaxis"]!["autorange"]!.GetValue<string>());
        Assert.Throws<ArgumentException>(() => Charts.Heatmap([[1.0, 2], [3.0]]));
        Assert.Throws<ArgumentException>(() => Charts.Heatmap([[1.0, 2]], columnLabels: ["only one"]));
    }

    [Fact]
    public void SpreadBarsGroupByCategoryWithOneTracePerSeriesAndErrorBars()
    {
        var chart = Charts.SpreadBars(
            [new("b=2", "random", 75.5, 1.25), new("b=2", "similarity", 80, 0.5), new("b=3", "random", 81, 1), new("b=3", "similarity", 84, 0.25)],
            title: "accuracy", yTitle: "test accuracy (%)", zoom: true);
        var figure = Figure(chart);
        var data = figure["data"]!.AsArray();

        Assert.Equal(["random", "similarity"], data.Select(t => t!["name"]!.GetValue<string>()));
        Assert.Equal(["b=2", "b=3"], Strings(data[0]!["x"]));
        Assert.Equal([80.0, 84], Numbers(data[1]!["y"]));
        Assert.Equal([1.25, 1], Numbers(data[0]!["error_y"]!["array"]));
        Assert.Equal("data", data[0]!["error_y"]!["type"]!.GetValue<string>());
        Assert.Equal("bar", data[0]!["type"]!.GetValue<string>());
        var layout = figure["layout"]!;
        Assert.Equal("group", layout["barmode"]!.GetValue<string>());
        // Error bars span [74.25, 84.25]: the zoomed axis starts half that spread below and ends 5% above.
        Assert.Equal([69.25, 84.75], Numbers(layout["yaxis"]!["range"]), new Tolerance(1e-9));
        Assert.Equal("test accuracy (%)", layout["yaxis"]!["title"]!["text"]!.GetValue<string>());

        Assert.Throws<ArgumentException>(() => Charts.SpreadBars([]));
        Assert.Throws<ArgumentException>(() => Charts.SpreadBars([new("a", "s", 1, -1)]));
        // Unzoomed, the axis is left to Plotly (from 0); zoomed bars of small values stop at 0.
        Assert.Null(Figure(Charts.SpreadBars([new("a", "s", 1, 0)]))["layout"]!["yaxis"]!["range"]);
        Assert.Equal([0, 5.2], Numbers(Figure(Charts.SpreadBars([new("a", "s", 1, 0), new("b", "s", 5, 0)], zoom: true))["layout"]!["yaxis"]!["range"]),
            new Tolerance(1e-12));
    }

    [Fact]
    public void HistogramCountsEveryValueOnceAndMarksValues()
    {
        double[] values = [0.6, 0, 0.2, 1, 0.3, 0.1, 0.8, 0.7];
        // Four bins of width 0.25 over [0, 1]: [0, 0.25) holds 0, 0.1, 0.2; [0.25, 0.5) 0.3; [0.5, 0.75) 0.6, 0.7;
        // [0.75, 1] 0.8 and the maximum 1.
        var figure = Figure(Charts.Histogram(values, [new ValueMarker("chosen", -0.5)], bins: 4, name: "random", xTitle: "score"));
        var data = figure["data"]!.AsArray();

        Assert.Equal([3.0, 1, 2, 2], Numbers(data[0]!["y"]));
        Assert.Equal([0.125, 0.375, 0.625, 0.875], Numbers(data[0]!["x"]), new Tolerance(1e-12));
        Assert.Equal("random", data[0]!["name"]!.GetValue<string>());
        Assert.Equal("chosen (-0.5)", data[1]!["name"]!.GetValue<string>());
        Assert.Equal([-0.5, -0.5], Numbers(data[1]!["x"]));
        Assert.Equal([0, 3 * 1.1], Numbers(data[1]!["y"]), new Tolerance(1e-12));
        Assert.Equal("score", figure["layout"]!["xaxis"]!["title"]!["text"]!.GetValue<string>());
        // The axis spans the bars [0, 1] and the marker at -0.5, with 4% of that span to spare on each side.
        Assert.Equal([-0.56, 1.06], Numbers(figure["layout"]!["xaxis"]!["range"]), new Tolerance(1e-12));

        // Equal values still make bars of positive width; every value is counted.
        var (centres, counts, width) = Charts.HistogramCounts([2.0, 2.0, 2.0], 5);
        Assert.Equal(3, counts.Sum());
        Assert.Equal(0.2, width, 12);
        Assert.Equal(2.0, centres[2], 12);
        Assert.Throws<ArgumentException>(() => Charts.Histogram([]));
        Assert.Throws<ArgumentException>(() => Charts.Histogram([1.0, double.NaN]));
        Assert.Throws<ArgumentException>(() => Charts.Histogram([1.0], bins: 0));
    }

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon;

        public int GetHashCode(double obj) => 0;
    }

    [Fact]
    public void StandaloneHtmlInlinesPlotlyJsOnceAndIsDeterministic()
    {
        var chart = Charts.Lines([new ChartSeries("</script><b>", [1, 2], [3, 4])], title: "t");

        var html = ChartHtml.ToStandaloneHtml(chart);

        Assert.Equal(html, ChartHtml.ToStandaloneHtml(Charts.Lines([new ChartSeries("</script><b>", [1, 2], [3, 4])], title: "t")));
        Assert.Equal(1, Count(html, ChartHtml.PlotlyJsSource[..200]));
        Assert.DoesNotContain("<script type=\"text/javascript\" src=", html);
        Assert.Equal(2, Count(html, "</script>")); // plotly.js and the chart: the series name is escaped
        Assert.Contains("<\\/script><b>", html);
        Assert.Matches(@"^\d+\.\d+\.\d+$", ChartHtml.PlotlyJsVersion);

        var cdn = ChartHtml.ToStandaloneHtml(chart, plotlyJs: PlotlyJsMode.Cdn);
        Assert.Contains($"src=\"https://cdn.plot.ly/plotly-{ChartHtml.PlotlyJsVersion}.min.js\"", cdn);
        Assert.DoesNotContain(ChartHtml.PlotlyJsSource[..200], cdn);
        Assert.Throws<ArgumentException>(() => ChartHtml.ToFragment(chart, id: "bad id"));
    }

    [Fact]
    public void LogLogPutsBothAxesOnALogScaleAndKeepsThePoints()
    {
        var figure = Figure(Charts.LogLog([new ChartSeries("W-LTLS", [1e3, 1e4, 1e5], [16.8, 22.8, 28.0])], "size", "labels", "MB"));
        var trace = figure["data"]![0]!;
        Assert.Equal("W-LTLS", trace["name"]!.GetValue<string>());
        Assert.Equal([1e3, 1e4, 1e5], Numbers(trace["x"]));
        Assert.Equal([16.8, 22.8, 28.0], Numbers(trace["y"]));
        Assert.Equal("log", figure["layout"]!["xaxis"]!["type"]!.GetValue<string>());
        Assert.Equal("log", figure["layout"]!["yaxis"]!["type"]!.GetValue<string>());
        Assert.Null(Figure(Charts.Lines([new ChartSeries("a", [1, 2], [3, 4])]))["layout"]!["xaxis"]!["type"]);
    }

    [Fact]
    public void LabelFrequenciesSortTheCountsAndDropEmptyLabelsOnLogAxes()
    {
        // Label counts 1, 3, 0, 2 (label 2 has no point).
        var labels = LabelMatrix.FromLabelSets([[0, 1], [1, 3], [1, 3]], 4);
        var data = new Dataset(CsrMatrix.FromRows(2, [[(0, 1f)], [(1, 1f)], [(0, 1f)]]), labels) { Name = "toy" };

        var figure = Figure(Charts.LabelFrequencies([data, data with { Name = "same" }], title: "tail"));
        var traces = figure["data"]!.AsArray();
        Assert.Equal(["toy", "same"], traces.Select(t => t!["name"]!.GetValue<string>()));
        Assert.Equal([3.0, 2, 1], Numbers(traces[0]!["y"]));
        Assert.Equal([1.0, 2, 3], Numbers(traces[0]!["x"]));
        Assert.Equal("log", figure["layout"]!["xaxis"]!["type"]!.GetValue<string>());
        Assert.Equal("log", figure["layout"]!["yaxis"]!["type"]!.GetValue<string>());

        var linear = Figure(Charts.LabelFrequencies([data], logAxes: false));
        Assert.Equal([3.0, 2, 1, 0], Numbers(linear["data"]![0]!["y"]));
        Assert.Null(linear["layout"]!["yaxis"]!["type"]);
    }

    [Fact]
    public void MetricsByKDrawsEachMethodInOneColourAndEachMetricInOneDash()
    {
        var truth = LabelMatrix.FromLabelSets([[0], [1, 2]], 3);
        var predictions = new TopKPredictions(2, 2, [0, 1, 2, 0], [2, 1, 2, 1]);
        var withPropensity = XcMetrics.Evaluate(truth, predictions, 2, [1.0, 2.0, 3.0]);
        var plain = XcMetrics.Evaluate(truth, predictions, 2);
        // By hand: P@1 = (1 + 1)/2, P@2 = (1/2 + 1/2)/2.
        Assert.Equal([1.0, 0.5], withPropensity.Precision);

        var figure = Figure(Charts.MetricsByK(new Dictionary<string, MetricReport> { ["a"] = withPropensity, ["b"] = plain }));
        var traces = figure["data"]!.AsArray();
        // PSP only for the report with propensities.
        Assert.Equal(["a: P@k", "a: nDCG@k", "a: PSP@k", "b: P@k", "b: nDCG@k"], traces.Select(t => t!["name"]!.GetValue<string>()));
        Assert.Equal([100.0, 50], Numbers(traces[0]!["y"]));
        Assert.Equal([1.0, 2], Numbers(traces[0]!["x"]));
        Assert.Equal(withPropensity.PropensityPrecision!.Select(v => 100 * v), Numbers(traces[2]!["y"]), new Tolerance(1e-9));
        string Colour(int t) => traces[t]!["line"]!["color"]!.GetValue<string>();
        string Dash(int t) => traces[t]!["line"]!["dash"]!.GetValue<string>();
        Assert.Equal(Colour(0), Colour(2));
        Assert.NotEqual(Colour(0), Colour(3));
        Assert.Equal(Dash(1), Dash(4));
        Assert.NotEqual(Dash(0), Dash(1));

        var single = Figure(Charts.MetricsByK(new Dictionary<string, MetricReport> { ["a"] = plain }, ["R"]));
        Assert.Equal("R@k", single["data"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(plain.Recall.Select(v => 100 * v), Numbers(single["data"]![0]!["y"]), new Tolerance(1e-9));
        Assert.Throws<ArgumentException>(() => Charts.MetricsByK(new Dictionary<string, MetricReport> { ["b"] = plain }, ["PSP"]));
        Assert.Throws<ArgumentException>(() => Charts.MetricsByK(new Dictionary<string, MetricReport> { ["b"] = plain }, ["P@1"]));
        Assert.Throws<ArgumentException>(() => Charts.MetricsByK(new Dictionary<string, MetricReport>()));
    }

    private static int Count(string text, string part)
    {
        int n = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
