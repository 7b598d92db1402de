using XcNotebooks.Plotting;
using XcNotebooks.Reports;
using XcNotebooks.Core;
using Xunit;

namespace XcNotebooks.Tests.Reports;

public class HtmlReportTests
{
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
}
