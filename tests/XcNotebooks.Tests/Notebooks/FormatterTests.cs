using Microsoft.DotNet.Interactive.Formatting;
using XcNotebooks.Notebooks;
using XcNotebooks.Plotting;
using XcNotebooks.Reports;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Notebooks;

public class FormatterTests
{
    private sealed record Row(string Method, double P1, int Points);

    [Fact]
    public void RecordsBecomeOneTableWithEscapedTextAndAlignedNumbers()
    {
        var table = HtmlTable.FromRecords(new[] { new Row("a<b", 83.25, 1234), new Row("ovr", 0.5, 7), new Row("x", 1, 1) }, maxRows: 2);

        Assert.Equal(
            "<table class=\"xcn-table\">\n<thead><tr><th>Method</th><th>P1</th><th>Points</th></tr></thead>\n<tbody>\n" +
            "<tr><td>a&lt;b</td><td class=\"num\">83.25</td><td class=\"num\">1,234</td></tr>\n" +
            "<tr><td>ovr</td><td class=\"num\">0.5</td><td class=\"num\">7</td></tr>\n" +
            "<tr><td class=\"more\" colspan=\"3\">… 1 more rows</td></tr>\n</tbody>\n</table>\n",
            table.ToHtml(includeStyle: false));
        Assert.Equal(
            "Method  P1     Points\n------  -----  ------\na<b     83.25   1,234\novr       0.5       7\n… 1 more rows\n",
            table.ToText());
    }

    [Fact]
    public void TuplesPairsAndPlainValuesGetColumns()
    {
        Assert.Equal(["Item1", "Item2"], HtmlTable.FromRecords(new[] { (1, "a") }).Columns);
        Assert.Equal(["value"], HtmlTable.FromRecords(new[] { 1.5, 2.5 }).Columns);
        var pairs = HtmlTable.FromPairs(new Dictionary<string, double> { ["P@1"] = 1.0 / 3 }, "metric");
        Assert.Equal(["metric", "value"], pairs.Columns);
        Assert.Equal("0.3333", HtmlTable.FormatCell(pairs.Rows[0][1]));
        Assert.Equal("[1, 2, 3, 4, 5, 6, 7, 8, …]", HtmlTable.FormatCell(Enumerable.Range(1, 20).ToArray()));
        Assert.Equal("1.5E-05", HtmlTable.FormatCell(1.5e-5));
        Assert.Throws<ArgumentException>(() => new HtmlTable(["a", "b"], [["only one"]]));
    }

    [Fact]
    public void DatasetShowsSizesAndLabelFrequencies()
    {
        // Three points; label 0 on two points, label 1 on one, label 2 on none.
        var data = new Dataset(CsrMatrix.FromDense(new float[,] { { 1, 0, 2 }, { 0, 3, 0 }, { 4, 0, 0 } }),
            LabelMatrix.FromLabelSets([[0], [0, 1], []], 3)) { Name = "toy" };
        XcFormatters.Register();

        var bundle = XcFormatters.MimeBundle(data);

        Assert.Equal(data.ToString(), bundle["text/plain"]);
        var html = bundle["text/html"];
        Assert.Contains("<caption>toy</caption>", html);
        Assert.Contains("<tr><td>points</td><td class=\"num\">3</td></tr>", html);
        Assert.Contains("<tr><td>non-zeros per point</td><td class=\"num\">1.3333</td></tr>", html);
        Assert.Contains("<tr><td>labels per point</td><td class=\"num\">1</td></tr>", html);
        Assert.Contains("<tr><td>points per label (min / median / max)</td><td>0 / 1 / 2</td></tr>", html);
        Assert.Contains("<tr><td>multi-class</td><td>false</td></tr>", html);
    }

    [Fact]
    public void PredictionsAndMatricesShowTheirFirstRows()
    {
        var predictions = new TopKPredictions(2, 3, [4, 1, -1, 0, 2, 3], [0.9f, 0.25f, float.NegativeInfinity, 1, 0.5f, 0.125f]);
        var topK = ReportTables.TopK(predictions, rows: 1);
        Assert.Equal(["0", "4, 1", "0.9, 0.25"], topK.Rows[0].Select(HtmlTable.FormatCell));
        Assert.Equal(1, topK.OmittedRows);

        var sparse = ReportTables.Sparse(CsrMatrix.FromDense(new float[,] { { 0, 1.5f }, { 2, 0 } }));
        Assert.Equal([["0", "1", "1:1.5"], ["1", "1", "0:2"]], sparse.Rows.Select(r => r.Select(HtmlTable.FormatCell)));

        var dense = ReportTables.Dense(RowMajorMatrix.FromArray(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } }), rows: 1, cols: 2);
        Assert.Equal(["row", "0", "1", "…"], dense.Columns);
        Assert.Contains("<td class=\"num\">2</td>", dense.ToHtml());
    }

    [Fact]
    public void RunReportShowsMetricsCostsAndOptions()
    {
        var report = new RunReport
        {
            Method = "wltls",
            Metrics = new Dictionary<string, double> { ["P@1"] = 83.456 },
            TrainSeconds = 1.5,
            Options = new { SliceWidth = 5, Loss = "hinge" },
            DatasetFiles = new Dictionary<string, string> { ["train"] = "a.txt" },
        };
        XcFormatters.Register();

        var html = XcFormatters.MimeBundle(report)["text/html"];

        Assert.Contains("<h4>wltls</h4>", html);
        Assert.Contains("<tr><td>P@1</td><td class=\"num\">83.46</td></tr>", html);
        Assert.Contains("<tr><td>train seconds</td><td class=\"num\">1.5</td></tr>", html);
        Assert.Contains("<tr><td>sliceWidth</td><td class=\"num\">5</td></tr>", html);
        Assert.Contains("<tr><td>train</td><td>a.txt</td></tr>", html);
        Assert.DoesNotContain("details", html); // no details, no empty table
    }

    [Fact]
    public void DocumentsNumberChartsAndInlinePlotlyJsOnce()
    {
        var chart = Charts.Lines([new ChartSeries("a", [1, 2], [1, 2])]);
        var plotlyJs = ChartHtml.PlotlyJsSource[..200];
        var outside = DisplayDocument.Current;
        using (var document = DisplayDocument.Begin(PlotlyJsMode.Inline))
        {
            Assert.Same(document, DisplayDocument.Current);
            var first = document.ChartFragment(chart);
            var second = document.ChartFragment(chart);
            Assert.Contains("<div id=\"xcn-chart-1\"", first);
            Assert.Contains(plotlyJs, first);
            Assert.Contains("<div id=\"xcn-chart-2\"", second);
            Assert.DoesNotContain(plotlyJs, second);
        }
        Assert.Same(outside, DisplayDocument.Current);
        using var cdn = DisplayDocument.Begin(PlotlyJsMode.Cdn);
        Assert.All(new[] { cdn.ChartFragment(chart), cdn.ChartFragment(chart) }, html => Assert.Contains(ChartHtml.PlotlyJsCdnUrl, html));
    }

    [Fact]
    public void RegisteringTwiceAddsNothing()
    {
        XcFormatters.Register();
        int count = Formatter.RegisteredFormatters(false).Count();
        XcFormatters.Register();
        XcFormatters.Register();
        Assert.Equal(count, Formatter.RegisteredFormatters(false).Count());
    }
}
