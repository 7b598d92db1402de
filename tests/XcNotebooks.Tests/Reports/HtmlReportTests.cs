using XcNotebooks.Plotting;
using XcNotebooks.Reports;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Reports;

public class HtmlReportTests
{
    private sealed record SpeedRow(string Method, double TestAccuracy, double PointsPerSecond);

    private static HtmlReport Sample() =>
        new HtmlReport("W-LTLS & friends") { Introduction = "First <paragraph>.\n\nSecond one." }
            .AddSection(new ReportSection("Data")
                .Paragraph("sector: 7,793 points")
                .Records(new[] { (Method: "wltls", P1: 80.5) }, caption: "results")
                .Chart(Charts.Lines([new ChartSeries("loss", [1, 2], [2, 1])]), caption: "training loss"))
            .AddSection("Runs",
                ReportBlock.Run(new RunReport { Method = "ovr", PeakMemoryBytes = 2_000_000, Metrics = new Dictionary<string, double> { ["P@1"] = 91.234 } }),
                ReportBlock.Chart(Charts.Lines([new ChartSeries("acc", [1, 2], [50, 60])])));

    [Fact]
    public void PageHoldsSectionsInOrderWithPlotlyJsInlinedOnce()
    {
        var html = Sample().ToHtml();

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains("<title>W-LTLS &amp; friends</title>", html);
        Assert.Contains("<p>First &lt;paragraph&gt;.</p>\n<p>Second one.</p>", html);
        int data = html.IndexOf("<h2>Data</h2>", StringComparison.Ordinal), runs = html.IndexOf("<h2>Runs</h2>", StringComparison.Ordinal);
        Assert.True(data > 0 && runs > data);
        Assert.Contains("<caption>results</caption>", html);
        Assert.Contains("<tr><td>wltls</td><td class=\"num\">80.5</td></tr>", html);
        Assert.Contains("<figcaption>training loss</figcaption>", html);
        Assert.Contains("<tr><td>P@1</td><td class=\"num\">91.23</td></tr>", html);
        Assert.True(html.IndexOf("id=\"chart-1\"", StringComparison.Ordinal) is > 0 and var first
            && html.IndexOf("id=\"chart-2\"", first, StringComparison.Ordinal) > first);
        Assert.Equal(1, html.Split(ChartHtml.PlotlyJsSource[..200]).Length - 1);
        Assert.Equal(html, Sample().ToHtml());
    }

    [Fact]
    public void PagesWithoutChartsCarryNoPlotlyJsAndCdnModeLinksIt()
    {
        var plain = new HtmlReport("t").AddSection("s", ReportBlock.Paragraph("p")).ToHtml();
        Assert.DoesNotContain("<script", plain);

        var cdn = Sample().ToHtml(PlotlyJsMode.Cdn);
        Assert.DoesNotContain(ChartHtml.PlotlyJsSource[..200], cdn);
        Assert.Equal(2, cdn.Split(ChartHtml.PlotlyJsCdnUrl).Length);
    }

    [Fact]
    public void SaveWritesThePage()
    {
        var path = Path.Combine(TestData.TempDir(), "report.html");
        var report = Sample();

        report.Save(path);

        Assert.Equal(report.ToHtml(), File.ReadAllText(path));
    }

    [Theory]
    [InlineData(47.33333, "47.33")]
    [InlineData(147885.2411, "147,885")]
    [InlineData(1000.4, "1,000")]
    [InlineData(2.5, "2.5")]
    [InlineData(0.012345, "0.0123")]
    [InlineData(0.5, "0.5")]
    [InlineData(0.0, "0")]
    [InlineData(-3.14159, "-3.14")]
    [InlineData(1.5e-5, "1.5E-05")]
    public void ReportNumbersAreRoundedForReading(double value, string expected) => Assert.Equal(expected, HtmlTable.FormatRounded(value));

    [Theory]
    [InlineData("TestAccuracy", "test accuracy")]
    [InlineData("PointsPerSecond", "points per second")]
    [InlineData("ModelMB", "model MB")]
    [InlineData("AverageNeighboursProbed", "average neighbours probed")]
    [InlineData("Bits", "bits")]
    [InlineData("Item1", "item 1")]
    [InlineData("P@1", "P@1")]
    [InlineData("train seconds", "train seconds")]
    [InlineData("PSP", "PSP")]
    public void HeadersAreWordsNotCamelCase(string header, string expected) => Assert.Equal(expected, HtmlTable.ReadableHeader(header));

    [Fact]
    public void ReportTablesShowReadableHeadersAndRoundedNumbersAndASummaryRowPerMethod()
    {
        var html = new HtmlReport("t")
            .AddSection(new ReportSection("s")
                .Records(new[] { new SpeedRow("dsnc", 47.33333, 147885.2411) })
                .Table(ReportTables.MethodSummary([new MethodSummaryRow("W-LTLS", "accuracy (%)", 81.256, 0.1349, 160_000)], "whose numbers")))
            .ToHtml();
        Assert.Contains("<th>method</th><th>test accuracy</th><th>points per second</th>", html);
        Assert.Contains("<tr><td>dsnc</td><td class=\"num\">47.33</td><td class=\"num\">147,885</td></tr>", html);
        Assert.Contains("<tr><td>W-LTLS</td><td>accuracy (%)</td><td class=\"num\">81.26</td><td class=\"num\">0.135</td><td class=\"num\">0.16</td></tr>", html);
        // Notebook formatters keep the precise rule: the same table outside a report still shows 4 decimals.
        Assert.Equal("47.3333", HtmlTable.FormatCell(47.33333));
    }

    [Fact]
    public void LogAxesTickAtOneTwoFiveTimesPowersOfTen()
    {
        // Data from 7 to 19 (less than a decade): Plotly alone labels 7, 8, 9, 1 (for 10), 2 (for 20).
        Assert.Equal([5.0, 10, 20], FigureBuilder.LogTicks([7, 12, 19]));
        Assert.Equal([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5], FigureBuilder.LogTicks([0.013, 0.4, 3.2]));
        Assert.Equal([1.0, 2, 5, 10], FigureBuilder.LogTicks([1, 10]));
        Assert.Empty(FigureBuilder.LogTicks([0, -1]));
        Assert.Equal(["0.05", "20", "2,000"], new[] { 0.05, 20, 2000 }.Select(FigureBuilder.TickText));
        var chart = Charts.LabelFrequencies([SyntheticData.MultiClass(12, 20, 300, 0, 10, seed: 1).Train]);
        Assert.Contains("\"tickvals\":[", chart.FigureJson);
        Assert.Contains("\"ticktext\":[\"1\",\"2\",\"5\",\"10\"", chart.FigureJson);
    }
}
