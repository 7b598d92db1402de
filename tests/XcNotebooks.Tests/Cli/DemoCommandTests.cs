using System.Text.Json.Nodes;
using XcNotebooks.Cli;
using Xunit;

namespace XcNotebooks.Tests.Cli;

/// <summary>The README's main job: `xcn demo` on the embedded default writes a report with real results.</summary>
[Collection("DataCommandsConsole")]
public class DemoCommandTests
{
    [Fact]
    public void FastDemoWritesAnOfflineReportWithALearnedModel()
    {
        var dir = TestData.TempDir();
        Assert.Equal(0, XcnCli.Run(["demo", "--fast", "--out", dir]));

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!;
        double accuracy = json["metrics"]!["W-LTLS accuracy"]!.GetValue<double>();
        // 64 classes: chance is 1.6% and always predicting the most frequent class about 20%.
        Assert.InRange(accuracy, 50, 100);

        var html = File.ReadAllText(Path.Combine(dir, "report.html"));
        Assert.Contains("W-LTLS", html);
        Assert.Contains("Plotly.newPlot", html);
        Assert.DoesNotContain("src=\"https://cdn.plot.ly", html); // plotly.js inlined: the report works offline
    }
}
